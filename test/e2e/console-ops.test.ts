/**
 * The console's operations screens in Debian's chromium (playwright-core) against a running
 * relay (test/helpers/console.ts: real dev server, worker, PostgreSQL store, receiver, HTTPS
 * sink standing in for `crm` — which the tests break (400: runs park at once) and fix — and
 * `wallet`, always 2xx): sign in; the health table; pause and resume; redeliver the failed runs
 * and watch the progress reach 100 %; open an event's schema. Screenshots in
 * test-results/console/.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { parkedRunsQuery } from '../../src/telemetry/metrics-ops';
import { consoleSkip, startConsoleStack, TEMPORAL_UI_URL, type ConsoleStack } from '../helpers/console';
import { samplePointsIssued, useTestTemporal } from '../helpers/workflow-suite';

const t = useTestTemporal();
let crmStatus = 400;
let stack: Promise<ConsoleStack> | undefined;

function setup(): Promise<ConsoleStack> {
  stack ??= startConsoleStack(t, {
    config: (sink) => ({
      destinations: [
        { name: 'crm', kind: 'webhook', events: ['pointsIssued'], url: `${sink}/crm` },
        { name: 'wallet', kind: 'webhook', events: ['pointsIssued'], url: `${sink}/wallet` },
        { name: 'tiers', kind: 'webhook', events: ['tierUpgraded'], url: `${sink}/tiers` },
      ],
    }),
    respond: (req) =>
      req.url.startsWith('/crm') ? { status: crmStatus, body: crmStatus === 400 ? '{"error":"unknown member"}' : '{}' } : { status: 200 },
  });
  return stack;
}

/** Poll `check` (a page read) until it holds; fails with what it last saw. */
async function until<T>(read: () => Promise<T>, check: (v: T) => boolean, what: string, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  while (Date.now() < deadline) {
    last = await read();
    if (check(last)) return last;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}; last saw ${JSON.stringify(last)}`);
}

const cell = (page: Page, destination: string, field: string) =>
  page.locator(`tr[data-destination="${destination}"] [data-field="${field}"]`).innerText();
const rowState = (page: Page, destination: string) => page.getAttribute(`tr[data-destination="${destination}"]`, 'data-state');

describe('console: operations', { skip: consoleSkip }, () => {
  test('signs in with the admin token, which stays in no URL and no storage the page can read', async () => {
    const s = await setup();
    await s.page.waitForSelector('tr[data-destination="crm"]');
    const names = await Promise.all(
      (await s.page.locator('tr[data-destination]').all()).map((row) => row.getAttribute('data-destination')),
    );
    assert.deepEqual(names, ['crm', 'tiers', 'wallet']);
    assert.doesNotMatch(s.page.url(), /token/);
    const stored = await s.page.evaluate('JSON.stringify(localStorage) + JSON.stringify(sessionStorage) + document.cookie');
    assert.equal(stored, '{}{}');
    // A reload keeps the session (HttpOnly cookie; the CSRF token asked for again).
    await s.page.reload();
    await s.page.waitForSelector('tr[data-destination="crm"]');
    // A wrong token is refused on its field, and nothing is signed in.
    const context = await s.browser.newContext();
    const other = await context.newPage();
    await other.goto(`${s.url}/console/destinations`);
    await other.fill('#token', 'not-the-admin-token-0000000000');
    await other.click('form[aria-label="Sign in"] button[type="submit"]');
    assert.equal(await other.locator('[data-field-error="token"]').innerText(), 'that is not the admin token');
    assert.deepEqual(await context.cookies(), []);
    await context.close();
  });

  test('pauses and resumes a destination', async () => {
    const s = await setup();
    await s.page.click('tr[data-destination="crm"] [data-action="pause"]');
    // A reason the API refuses (over 500 characters) shows on its field; nothing is paused.
    await s.page.fill('#reason-crm', 'x'.repeat(501));
    await s.page.click('form[aria-label="Pause crm"] button[type="submit"]');
    assert.equal(await s.page.locator('[data-field-error="reason-crm"]').innerText(), 'at most 500 characters');
    assert.equal((await s.call('GET', '/destinations/crm/health')).body.state, 'active');
    await s.page.fill('#reason-crm', 'CRM maintenance until 02:00');
    await s.page.click('form[aria-label="Pause crm"] button[type="submit"]');
    await until(
      () => rowState(s.page, 'crm'),
      (v) => v === 'paused',
      'crm shown paused',
    );
    assert.equal(await cell(s.page, 'crm', 'state'), 'paused');
    assert.match(await s.page.locator('tr[data-destination="crm"]').innerText(), /CRM maintenance until 02:00/);
    const paused = await s.call('GET', '/destinations/crm/health');
    assert.equal(paused.body.state, 'paused');
    assert.deepEqual(paused.body.paused, {
      reason: 'CRM maintenance until 02:00',
      by: 'operator',
      at: (paused.body.paused as { at: string }).at,
    });
    await s.screenshot(s.page, 'paused');
    await s.page.click('tr[data-destination="crm"] [data-action="resume"]');
    await until(
      () => rowState(s.page, 'crm'),
      (v) => v === 'active',
      'crm shown active',
    );
    assert.equal((await s.call('GET', '/destinations/crm/health')).body.state, 'active');
  });

  test('shows failed deliveries, then redelivers them with progress to 100 %', async () => {
    const s = await setup();
    crmStatus = 400;
    for (let i = 0; i < 3; i++) await s.start(samplePointsIssued());
    // Three runs parked on crm (its 400 is permanent); wallet got its three.
    await until(
      async () => (await s.client.workflow.count(parkedRunsQuery('crm'))).count,
      (n) => n === 3,
      'three runs parked on crm',
    );
    await until(
      () => cell(s.page, 'crm', 'parked'),
      (v) => v === '3',
      'the screen showing 3 parked on crm',
    );
    assert.match(await cell(s.page, 'crm', 'last-failure'), /400/);
    await until(
      () => cell(s.page, 'wallet', 'success-rate'),
      (v) => v.startsWith('100.0 %'),
      'wallet at 100 %',
    );
    assert.match(await cell(s.page, 'crm', 'success-rate'), /^0\.0 %/);
    const link = await s.page.getAttribute('tr[data-destination="crm"] [data-action="failed-runs"]', 'href');
    assert.ok(link && link.startsWith(`${TEMPORAL_UI_URL}/namespaces/${t.server.namespace}/workflows?query=`), link ?? 'no link');
    assert.equal(new URL(link).searchParams.get('query'), parkedRunsQuery('crm'));
    // One destination paused by an operator too, for the screenshot the README shows (docs/console/destinations.png).
    assert.equal((await s.call('POST', '/destinations/tiers/pause', { reason: 'CRM maintenance until 02:00' })).status, 200);
    await until(
      () => rowState(s.page, 'tiers'),
      (v) => v === 'paused',
      'tiers shown paused',
    );
    await s.screenshot(s.page, 'destinations');
    assert.equal((await s.call('POST', '/destinations/tiers/resume')).status, 200);

    crmStatus = 200;
    await s.page.click('tr[data-destination="crm"] [data-action="redeliver"]');
    await s.page.click('form[aria-label="Redeliver crm"] button[type="submit"]');
    const progress = s.page.locator('[data-redeliver="crm"] .progress');
    const seen = await until(
      async () => ({ state: await progress.getAttribute('data-state'), percent: await progress.getAttribute('data-percent') }),
      (p) => p.state === 'completed',
      'the redelivery to complete',
      60_000,
    );
    assert.equal(seen.percent, '100');
    assert.match(await progress.innerText(), /100 % — 3 of 3 runs \(3 redelivered, 0 skipped, 0 failed\)/);
    assert.equal(await s.page.locator('[data-redeliver="crm"] progress').getAttribute('value'), '100');
    await s.screenshot(s.page, 'redelivered');
    // The redelivered runs got their 2xx: nothing parked, the figures count them.
    await until(
      () => cell(s.page, 'crm', 'parked'),
      (v) => v === '0',
      'nothing parked on crm',
      60_000,
    );
    await until(
      () => cell(s.page, 'crm', 'success-rate'),
      (v) => /^50\.0 %/.test(v),
      'crm at 3 of 6 settled',
    );
  });

  test("opens an event type's JSON Schema from the searchable catalog", async () => {
    const s = await setup();
    await s.page.click('nav[aria-label="Main"] >> text=Event catalog');
    await s.page.fill('#event-search', 'expired');
    await until(
      async () => Promise.all((await s.page.locator('tr[data-event]').all()).map((r) => r.getAttribute('data-event'))),
      (names) => names.includes('pointsExpired') && names.every((n) => n?.toLowerCase().includes('expired')),
      'the search to keep only expired events',
    );
    await s.page.click('tr[data-event="pointsExpired"] a');
    await s.page.waitForSelector('pre[data-schema="pointsExpired"]');
    assert.match(s.page.url(), /\/console\/event-types\/pointsExpired$/);
    const schema = JSON.parse(await s.page.locator('pre[data-schema="pointsExpired"]').innerText()) as { title: string };
    assert.equal(schema.title, 'pointsExpired');
    assert.equal(await s.page.locator('tr[data-field-path="data.loyaltyProgramId"] td').nth(2).innerText(), 'required');
    await s.screenshot(s.page, 'event-schema');
  });
});
