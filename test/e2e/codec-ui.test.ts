/**
 * The embedded Temporal Web UI shows decoded payloads through the relay's codec endpoint, in a
 * real browser (Debian's chromium driven by playwright-core): `src/entry/main.ts` as `npm start` runs
 * it — embedded dev server with its UI, worker, receiver — takes an event carrying a customer's
 * email; the run's page in the UI shows the email (decoded by the receiver's /codec, called
 * from the browser across origins with the per-process token in the endpoint URL). With the
 * codec endpoint unreachable, the same page shows the sealed payload and no email.
 * Skips, saying why, only when chromium is not installed and could not be (npm run ensure-chromium).
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import { CHROMIUM_ARGS, CHROMIUM_PATH as CHROMIUM } from '../helpers/chromium';
import { startHttpsSink, type HttpsSink } from '../helpers/https-sink';
import { freePort } from '../helpers/ports';
import { startMainProcess, type MainProcess } from '../helpers/process';

const EMAIL = 'asha.rao.codec@example.com';
const KEY = 'codec-ui-source-key';
const skip = existsSync(CHROMIUM)
  ? false
  : `chromium is not at ${CHROMIUM} and could not be installed (npm run ensure-chromium says why); set CHROMIUM_PATH or install Debian's chromium`;

/** The page's visible text, polled until `check` holds (the UI loads and decodes asynchronously). */
async function waitForText(page: Page, check: (text: string) => boolean, what: string, timeoutMs = 30_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let text = '';
  while (Date.now() < deadline) {
    text = await page.evaluate<string>('document.body ? document.body.innerText : ""').catch(() => '');
    if (check(text)) return text;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out waiting for ${what}; the page shows:\n${text.slice(0, 3000)}`);
}

describe('the embedded Temporal UI shows decoded runs through the codec endpoint', { skip }, () => {
  let dir: string;
  let sink: HttpsSink;
  let main: MainProcess;
  let browser: Browser;
  let ui: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'relay-codec-ui-'));
    sink = await startHttpsSink();
    writeFileSync(join(dir, 'ca.pem'), sink.ca);
    writeFileSync(
      join(dir, 'relay.yaml'),
      `
sources:
  - id: backend
    kind: server
    auth: { key: ${KEY} }
outbound:
  allowPrivateNetworks: [127.0.0.1/32, "::1"]
destinations:
  - name: crm
    kind: webhook
    events: [profileUpdated]
    url: ${sink.url}/crm
`,
    );
    const uiPort = await freePort();
    ui = `http://localhost:${uiPort}`;
    main = await startMainProcess(dir, { TEMPORAL_UI_PORT: String(uiPort) });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  });

  after(async () => {
    await browser?.close();
    await main?.close();
    await sink?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('the run page shows the customer email with the codec endpoint, and only sealed payloads without it', async () => {
    const res = await fetch(`${main.base}/v1/sources/backend/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': KEY },
      body: JSON.stringify({
        event_id: `codec-ui-${Date.now()}`,
        event_name: 'profileUpdated',
        event_properties: { email: EMAIL, tier: 'Gold' },
        timestamp: new Date().toISOString(),
        user_id: '412345678',
      }),
    });
    assert.equal(res.status, 202, main.relay.output());
    const { workflowId } = (await res.json()) as { workflowId: string };
    const result = (await main.client.workflow.getHandle(workflowId).result()) as { status: string };
    assert.equal(result.status, 'delivered');
    const { runId } = await main.client.workflow.getHandle(workflowId).describe();
    const runPage = `${ui}/namespaces/default/workflows/${encodeURIComponent(workflowId)}/${runId}/history`;

    // With the codec endpoint: the UI asks the receiver's /codec/<token>/decode and shows the input in clear.
    const decoded = await browser.newContext();
    const codecCalls: string[] = [];
    decoded.on('request', (r) => {
      if (r.url().includes('/codec/')) codecCalls.push(`${r.method()} ${new URL(r.url()).port}`);
    });
    const page = await decoded.newPage();
    await page.goto(runPage);
    await waitForText(page, (t) => t.includes(EMAIL), `the decoded email on ${runPage}`);
    assert.ok(
      codecCalls.some((c) => c === `POST ${new URL(main.base).port}`),
      `the browser called the receiver's codec endpoint: ${codecCalls.join(', ')}`,
    );
    await decoded.close();

    // Codec endpoint off (unreachable): the UI can only show what Temporal stores — sealed payloads.
    const sealed = await browser.newContext();
    await sealed.route('**/codec/**', (route) => route.abort());
    const page2 = await sealed.newPage();
    await page2.goto(runPage);
    const text = await waitForText(
      page2,
      (t) => t.includes('binary/encrypted') || t.includes('YmluYXJ5L2VuY3J5cHRlZA'),
      `the sealed payload on ${runPage}`,
    );
    assert.ok(!text.includes(EMAIL), 'without the codec endpoint the email is nowhere on the page');
    assert.ok(!(await page2.content()).includes(EMAIL), 'nor in the page source');
    await sealed.close();
  });
});
