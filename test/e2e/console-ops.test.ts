/**
 * The console's operations screens in Debian's chromium (playwright-core) against a running
 * relay (test/helpers/console.ts: real dev server, worker, PostgreSQL store, receiver, HTTPS
 * sink): sign in; see each destination's health. Screenshots in test-results/console/.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { consoleSkip, startConsoleStack, type ConsoleStack } from '../helpers/console';
import { useTestTemporal } from '../helpers/workflow-suite';

const t = useTestTemporal();
let stack: Promise<ConsoleStack> | undefined;

function setup(): Promise<ConsoleStack> {
  stack ??= startConsoleStack(t, {
    config: (sink) => ({
      destinations: [
        { name: 'crm', kind: 'webhook', events: ['pointsIssued'], url: `${sink}/crm` },
        { name: 'wallet', kind: 'webhook', events: ['pointsIssued'], url: `${sink}/wallet` },
      ],
    }),
  });
  return stack;
}

describe('console: operations', { skip: consoleSkip }, () => {
  test('signs in with the admin token and lists the destinations', async () => {
    const s = await setup();
    await s.page.waitForSelector('tr[data-destination="crm"]');
    const names = await Promise.all(
      (await s.page.locator('tr[data-destination]').all()).map((row) => row.getAttribute('data-destination')),
    );
    assert.deepEqual(names, ['crm', 'wallet']);
    // The token is in no URL and in no storage the page can read.
    assert.doesNotMatch(s.page.url(), /token/);
    const stored = await s.page.evaluate('JSON.stringify(localStorage) + JSON.stringify(sessionStorage) + document.cookie');
    assert.equal(stored, '{}{}');
    await s.screenshot(s.page, 'signed-in');
  });
});
