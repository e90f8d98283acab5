/**
 * `npm run ui-check`: how relayEvent's runs look in the Temporal Web UI, in a real browser.
 * Starts a throwaway Temporal dev server with its Web UI, a relay worker on the PostgreSQL
 * config store (a throwaway database) and a local HTTPS sink answering per path; sends five
 * events through the receiver's starter (so each run has its static summary): healthy
 * (delivered), retried (503, then delivered), parked (400: failed), partial (one destination
 * delivered, one 503 then 400: partially_delivered) and held (paused destination). Then it
 * opens each run's pages in headless Chromium — history (timeline and event list), User
 * Metadata (summary, details, current details), the failed event, the held run's call stack,
 * the workflows list filtered to parked runs — and saves full-page screenshots, printing
 * their paths. Stops everything it started, also on failure or after its time limit.
 *
 *   npm run ui-check -- [--out DIR] [--keep-open]
 *
 * --out: where the PNGs go (default ui-check/, git-ignored). --keep-open leaves the stack
 * running after the screenshots, to look around by hand (Ctrl-C stops it). Needs Debian's
 * chromium (/usr/bin/chromium, or CHROMIUM_PATH; playwright-core downloads no browser) and
 * PostgreSQL at TEST_DATABASE_URL (`npm run ensure-postgres`).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Client } from '@temporalio/client';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import type { CanonicalEvent } from '../src/model/canonical-event';
import { ConfigAdmin } from '../src/config/admin';
import { applyConfig } from '../src/config/apply';
import { parseConfig } from '../src/config/load';
import { setDestinationPaused } from '../src/config/pause';
import { PgConfigStore } from '../src/config/pg-store';
import { createSecretBox } from '../src/db/secrets';
import { parseEnv, type RelayEnv } from '../src/wiring/env';
import { createLogger, type Logger } from '../src/telemetry/logger';
import { serveCodec } from '../src/payloads/codec-server';
import { codecOptionsFromEnv, dataConverterFromEnv, relayPayloadCodecs } from '../src/payloads/data-converter';
import { createTemporalStarter, runSummary } from '../src/receiver/starter';
import { embeddedUiCodec, installRuntime, startWorkerPart } from '../src/wiring/run';
import { resolveTemporalCli } from '../src/temporal/cli';
import { startDevServer } from '../src/temporal/dev-server';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../test/helpers/chromium';
import { createTestDatabase } from '../test/helpers/database';
import { startHttpsSink, type SinkResponse } from '../test/helpers/https-sink';
import { freePort } from '../test/helpers/ports';
import { DeliveryStatus } from '../workflows/search-attributes';

const ROOT = join(__dirname, '..');
/** The whole check, from the first start to the last screenshot (stopping has its own bound). */
const TIME_LIMIT_MS = 4 * 60_000;
const STOP_LIMIT_MS = 30_000;
const PARKED_QUERY = 'RelayDeliveryStatus="partially_delivered" OR RelayDeliveryStatus="failed"';

const say = (m: string) => process.stderr.write(`[ui-check] ${m}\n`);

interface Options {
  out: string;
  keepOpen: boolean;
}

function parseArgs(argv: string[]): Options {
  const o: Options = { out: join(ROOT, 'ui-check'), keepOpen: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--out') o.out = resolve(argv[++i] ?? '');
    else if (a === '--keep-open') o.keepOpen = true;
    else throw new Error(`unknown argument ${a} (usage: npm run ui-check -- [--out DIR] [--keep-open])`);
  }
  return o;
}

/** Things to stop, last started first; each stop bounded so one stuck part does not keep the rest running. */
class Stack {
  private readonly parts: { name: string; stop: () => Promise<unknown> }[] = [];
  private stopping?: Promise<void>;

  add(name: string, stop: () => Promise<unknown>): void {
    this.parts.push({ name, stop });
  }

  stop(): Promise<void> {
    this.stopping ??= (async () => {
      for (const p of this.parts.reverse()) {
        let timer: NodeJS.Timeout | undefined;
        const bound = new Promise<void>((res) => {
          timer = setTimeout(() => {
            say(`stopping ${p.name} took over ${STOP_LIMIT_MS / 1000}s; leaving it`);
            res();
          }, STOP_LIMIT_MS);
        });
        await Promise.race([p.stop().catch((e: unknown) => say(`stopping ${p.name}: ${(e as Error).message}`)), bound]);
        clearTimeout(timer);
      }
    })();
    return this.stopping;
  }
}

/** What the sink answers, by path and the how-manieth request to that path (1-based): the destinations below point at these. */
function respond(path: string, nth: number): SinkResponse {
  const json = { 'content-type': 'application/json' };
  const busy: SinkResponse = { status: 503, headers: { ...json, 'retry-after': '1' }, body: '{"error":"busy"}' };
  const reject: SinkResponse = { status: 400, headers: json, body: '{"error":"unknown loyalty card"}' };
  if (path === '/reject') return reject;
  if (path === '/busy-once' && nth === 1) return busy;
  if (path === '/busy-then-reject') return nth === 1 ? busy : reject;
  return { status: 200, headers: json, body: '{"ok":true}' };
}

function configDoc(sinkUrl: string): Record<string, unknown> {
  const body = { event: '{{ event.name }}', customer: '{{ event.customer.id }}' };
  const webhook = (name: string, events: string[], path: string, extra: Record<string, unknown> = {}) => ({
    name,
    kind: 'webhook',
    description: `ui-check: answers as ${path}`,
    events,
    url: `${sinkUrl}${path}`,
    body,
    ...extra,
  });
  // A week of parking: the parked runs stay open for the screenshots.
  const park = { parkingPeriodSeconds: 7 * 24 * 60 * 60 };
  return {
    sources: [{ id: 'capillary', kind: 'capillary', auth: { key: 'ui-check-key' } }],
    destinations: [
      webhook('crm', ['pointsIssued', 'pointsReversed'], '/ok'),
      webhook('app-push', ['pointsExpired'], '/busy-once'),
      webhook('wallet', ['tierUpgraded'], '/reject', park),
      webhook('ledger', ['pointsReversed'], '/busy-then-reject', park),
      // Paused before its event; an SLA longer than the check, so the held run's details do not depend on timing.
      webhook('sms', ['pointsRedeemed'], '/ok', { slaSeconds: 3600 }),
    ],
  };
}

function sampleEvent(name: string, customerId: string): CanonicalEvent {
  const now = new Date().toISOString();
  return {
    id: randomUUID(),
    source: 'capillary',
    sourceKind: 'capillary',
    name,
    type: 'track',
    occurredAt: now,
    receivedAt: now,
    customer: { id: customerId, identifiers: { mobile: '919999000001' } },
    properties: { loyaltyProgramId: 973, points: 250 },
  };
}

/** Poll `check` every 250 ms until it returns true; throws with `what` after `timeoutMs`. */
async function until(what: string, check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000}s waiting for ${what}`);
    await sleep(250);
  }
}

interface Run {
  label: string;
  event: CanonicalEvent;
  workflowId: string;
  runId: string;
  /** The history event a person opens to see why a delivery failed (a failed marker or activity). */
  failedEventId?: string;
}

/**
 * The history event a person opens to see why a delivery failed: the retries' failure (a
 * regular activity) when there is one, else the first attempt's (a local activity's marker).
 */
async function failedEventOf(client: Client, workflowId: string): Promise<string | undefined> {
  const events = (await client.workflow.getHandle(workflowId).fetchHistory()).events ?? [];
  const e = events.find((ev) => ev.activityTaskFailedEventAttributes) ?? events.find((ev) => ev.markerRecordedEventAttributes?.failure);
  return e?.eventId ? String(e.eventId) : undefined;
}

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  const stack = new Stack();
  let finished = false;
  const watchdog = setTimeout(() => {
    say(`time limit (${TIME_LIMIT_MS / 1000}s) reached: stopping everything`);
    void stack.stop().finally(() => process.exit(1));
  }, TIME_LIMIT_MS);
  // `on`, not `once`: tsx relays a signal to this process again, and with no listener left it would exit at once.
  let signalled = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (signalled) return;
    signalled = true;
    say(`${signal}: stopping everything`);
    void stack.stop().finally(() => process.exit(o.keepOpen && finished ? 0 : 130));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  try {
    mkdirSync(o.out, { recursive: true });
    const tmp = mkdtempSync(join(tmpdir(), 'ui-check-'));
    stack.add('temporary folder', () => Promise.resolve(rmSync(tmp, { recursive: true, force: true })));

    const seen = new Map<string, number>();
    const sink = await startHttpsSink({
      respond: (req) => {
        const nth = (seen.get(req.url) ?? 0) + 1;
        seen.set(req.url, nth);
        return respond(req.url, nth);
      },
    });
    stack.add('https sink', () => sink.close());
    const caFile = join(tmp, 'sink-ca.pem');
    writeFileSync(caFile, sink.ca);

    const db = await createTestDatabase();
    stack.add('throwaway database', () => db.drop());
    const box = createSecretBox({ current: randomBytes(32) });
    await applyConfig(new ConfigAdmin(db.pool, box), parseConfig(configDoc(sink.url), {}), {});
    const store = new PgConfigStore(db.pool, box);
    say(`config store: throwaway database; sink ${sink.url}`);

    // Before the dev server: the SDK's runtime is created once, by whichever comes first.
    const logger = createLogger('warn');
    installRuntime(logger);
    const cli = resolveTemporalCli(process.env, say, { build: false });
    const port = await freePort();
    const uiPort = await freePort();
    // The UI decodes the runs' sealed payloads through a codec endpoint, as `npm start`'s does.
    const env = parseEnv({
      NODE_ENV: 'test',
      LOG_LEVEL: 'warn',
      RELAY_DATA_DIR: join(ROOT, '.cache', 'ui-check'),
      RELAY_EXTRA_CA_CERTS: caFile,
      TEMPORAL_TASK_QUEUE: 'ui-check',
    });
    const codec = await startCodecServer(env, logger, uiPort);
    stack.add('codec endpoint', () => codec.close());
    const dev = await startDevServer({ cli, port, uiPort, codecEndpoint: codec.endpoint, dataConverter: dataConverterFromEnv(env) });
    stack.add('Temporal dev server', () => dev.stop());
    const ui = `http://127.0.0.1:${uiPort}`;
    say(`Temporal dev server ${dev.address}, Web UI ${ui} (${cli.description})`);

    const worker = await startWorkerPart(env, dev.address, { store, allowPrivateNetworks: ['127.0.0.0/8', '::1/128'] }, logger);
    stack.add('relay worker', () => worker.stop());
    say('relay worker running');

    await setDestinationPaused(db.pool, 'sms', true, 'ui-check: paused before the event');

    const client = dev.env.client;
    const starter = createTemporalStarter({ client, taskQueue: env.TEMPORAL_TASK_QUEUE, startTimeoutMs: 10_000, logger });
    const start = async (label: string, event: CanonicalEvent): Promise<Run> => {
      const { workflowId } = await starter.start(event);
      const { runId } = await client.workflow.getHandle(workflowId).describe();
      return { label, event, workflowId, runId };
    };
    const runs = [
      await start('healthy', sampleEvent('pointsIssued', '412345678')),
      await start('retried', sampleEvent('pointsExpired', '412345679')),
      await start('parked', sampleEvent('tierUpgraded', '412345680')),
      await start('partial', sampleEvent('pointsReversed', '412345681')),
      await start('held', sampleEvent('pointsRedeemed', '412345682')),
    ];
    const expected: Record<string, string> = {
      healthy: 'delivered',
      retried: 'delivered',
      parked: 'failed',
      partial: 'partially_delivered',
      held: 'held',
    };
    for (const r of runs) {
      await until(`the ${r.label} run to be ${expected[r.label]}`, async () => {
        const d = await client.workflow.getHandle(r.workflowId).describe();
        return d.typedSearchAttributes.get(DeliveryStatus) === expected[r.label];
      });
      const failed = await failedEventOf(client, r.workflowId);
      if (failed) r.failedEventId = failed;
      say(`${r.label}: ${expected[r.label]} — ${r.workflowId}`);
    }
    // The list reads the visibility store, which lags the runs a little.
    await until('the parked runs in the list', async () => (await client.workflow.count(PARKED_QUERY)).count >= 2);

    const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
    stack.add('chromium', () => browser.close());
    const shots = await screenshots(browser, ui, o.out, runs);
    for (const s of shots) process.stdout.write(`${s}\n`);

    finished = true;
    clearTimeout(watchdog);
    if (o.keepOpen) {
      say(`stack left running: ${ui} — Ctrl-C stops it`);
      for (const r of runs) say(`  ${r.label}: ${runUrl(ui, r)}`);
      await new Promise<never>(() => undefined);
    }
  } finally {
    if (!o.keepOpen || !finished) {
      finished = true;
      clearTimeout(watchdog);
      await stack.stop();
    }
  }
}

/** The relay's codec endpoints on a loopback port, for the UI on `uiPort` (the receiver serves them in the relay). */
async function startCodecServer(env: RelayEnv, logger: Logger, uiPort: number): Promise<{ endpoint: string; close(): Promise<void> }> {
  const ui = embeddedUiCodec({ PORT: 0, HOST: '127.0.0.1' }, uiPort);
  const codec = await serveCodec({
    codecs: relayPayloadCodecs(codecOptionsFromEnv(env)),
    tokens: [ui.token],
    corsOrigins: ui.origins,
    maxBodyBytes: env.RELAY_CODEC_MAX_BODY_BYTES,
    logger,
  });
  return { endpoint: `${codec.url}/${ui.token}`, close: () => codec.close() };
}

function runUrl(ui: string, r: Run, tab = 'history'): string {
  return `${ui}/namespaces/default/workflows/${encodeURIComponent(r.workflowId)}/${r.runId}/${tab}`;
}

function listUrl(ui: string, query: string): string {
  return `${ui}/namespaces/default/workflows?query=${encodeURIComponent(query)}`;
}

/** The relay's search attributes as columns of the workflows list instead of Run ID and Type (the UI keeps them in the browser's storage). */
const LIST_HIDDEN = ['Run ID', 'Type'];
const LIST_COLUMNS = ['RelayEventName', 'RelayCustomerId', 'RelayDeliveryStatus', 'RelayFailedDestinations', 'RelayHeldDestinations'];

async function screenshots(browser: Browser, ui: string, out: string, runs: Run[]): Promise<string[]> {
  const context = await browser.newContext({ viewport: VIEWPORT });
  const page = await context.newPage();
  page.setDefaultTimeout(20_000);
  const files: string[] = [];
  const shoot = async (name: string, width = VIEWPORT.width) => {
    const file = join(out, `${String(files.length + 1).padStart(2, '0')}-${name}.png`);
    await growToContent(page, width);
    await page.screenshot({ path: file, fullPage: true });
    await page.setViewportSize(VIEWPORT);
    files.push(file);
  };
  const byLabel = (label: string) => {
    const r = runs.find((x) => x.label === label);
    if (!r) throw new Error(`no ${label} run`);
    return r;
  };
  const history = async (r: Run) => {
    await page.goto(runUrl(ui, r));
    // The "All" view (the UI remembers the last one chosen): its first event carries the summary.
    await page.getByTestId('feed').click();
    await settle(page.getByText(summaryOf(r.event)).first());
  };
  const metadata = async (r: Run) => {
    await page.goto(runUrl(ui, r, 'user-metadata'));
    await settle(page.getByText('Current Details').first());
    // Summary, details and current details are Markdown, each rendered in its own frame.
    // The current details start with the run's status (workflows/steps/board.ts).
    const marker = /^(pending|retrying|held|delivered|failed|partially delivered|abandoned)\b/;
    await until(`${r.label}: the current details frame`, async () => {
      for (const f of page.frames()) {
        if (!f.url().includes('/render?')) continue;
        const text = await f.evaluate<string>("document.body ? document.body.innerText : ''").catch(() => '');
        if (marker.test(text.trim())) {
          // The UI gives each Markdown frame a fixed height: say when the details do not fit (a person sees them cut off).
          const frameHeight = (await (await f.frameElement()).boundingBox())?.height ?? 0;
          const contentHeight = await f.evaluate<number>('document.documentElement.scrollHeight');
          const fit = contentHeight > frameHeight + 1 ? `CLIPPED: ${contentHeight}px of text in a ${frameHeight}px frame` : 'fits';
          say(`${r.label}: current details (${fit}): ${JSON.stringify(text.trim())}`);
          return true;
        }
      }
      return false;
    });
    await sleep(500);
  };

  for (const r of runs) {
    await history(r);
    await shoot(`${r.label}-history`);
    if (r.label === 'retried') {
      await page.getByTestId('compact').click();
      await sleep(1000);
      await shoot(`${r.label}-history-compact`);
    }
    await metadata(r);
    await shoot(`${r.label}-user-metadata`);
    if (r.failedEventId) {
      await page.goto(`${runUrl(ui, r)}/events/${r.failedEventId}`);
      await settle(page.getByText('Failure', { exact: true }).first());
      await shoot(`${r.label}-failed-event-${r.failedEventId}`);
    }
  }
  await page.goto(runUrl(ui, byLabel('held'), 'call-stack'));
  await settle(page.getByText('deliverAll').first());
  await shoot('held-call-stack');

  // The list: add the relay's columns once (the UI keeps them), then the parked runs and every run.
  const wide = 1920;
  await page.setViewportSize({ width: wide, height: VIEWPORT.height });
  await page.goto(listUrl(ui, PARKED_QUERY));
  await settle(page.getByRole('link', { name: byLabel('parked').workflowId }));
  await page.getByTestId('workflows-summary-table-configuration-button').click();
  for (const c of LIST_HIDDEN) await page.getByRole('button', { name: `Remove ${c} column` }).click();
  for (const c of LIST_COLUMNS) await page.getByRole('button', { name: `Add ${c} column` }).click();
  await page.keyboard.press('Escape');
  await page.getByRole('button', { name: 'Collapse saved views' }).click();
  await sleep(500);
  await page.goto(listUrl(ui, PARKED_QUERY));
  await settle(page.getByRole('link', { name: byLabel('partial').workflowId }));
  await shoot('list-parked', wide);
  await page.setViewportSize({ width: wide, height: VIEWPORT.height });
  await page.goto(listUrl(ui, 'WorkflowType="relayEvent"'));
  await settle(page.getByRole('link', { name: byLabel('held').workflowId }));
  await shoot('list-all', wide);
  await context.close();
  return files;
}

const VIEWPORT = { width: 1440, height: 900 };

/** The run's static summary as the receiver sets it. */
function summaryOf(event: CanonicalEvent): string {
  return runSummary(event);
}

/** Wait until `locator` shows and the page's requests have quietened. */
async function settle(locator: Locator): Promise<void> {
  await locator.waitFor();
  await locator
    .page()
    .waitForLoadState('networkidle', { timeout: 2000 })
    .catch(() => undefined);
  await sleep(500);
}

/** Browser-side: the height the page needs, counting elements that scroll (visible ones only: the UI keeps hidden menus). */
const CONTENT_HEIGHT = `Math.max(
  document.documentElement.scrollHeight,
  ...[...document.querySelectorAll('*')]
    .filter((e) => e.clientHeight > 300 && ['auto', 'scroll'].includes(getComputedStyle(e).overflowY)
      && e.checkVisibility({ visibilityProperty: true, opacityProperty: true }))
    .map((e) => e.getBoundingClientRect().top + window.scrollY + e.scrollHeight),
)`;

/**
 * Make the viewport as tall as the content: the UI scrolls inside a full-height element, so a
 * "full page" screenshot of a 900 px window would show 900 px. Grows until nothing scrolls.
 */
async function growToContent(page: Page, width: number): Promise<void> {
  for (let i = 0; i < 5; i++) {
    const height = await page.evaluate<number>(CONTENT_HEIGHT);
    const current = page.viewportSize()?.height ?? 0;
    if (height <= current + 2) return;
    await page.setViewportSize({ width, height: Math.min(Math.ceil(height), 8000) });
    await sleep(700);
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`ui-check failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
