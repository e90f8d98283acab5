/**
 * The console's configuration screens in Debian's chromium (playwright-core) against a running
 * relay (test/helpers/console.ts): a webhook made through the Kognitiv-style wizard — a name
 * with a trailing space refused on its field, a duplicate header key refused on its row, an
 * OAuth 2.0 credential set created in-flow — is in the API as the wizard showed it, and its
 * event group is fixed on edit; a Capillary-style notification keeps card number disabled
 * until a source is chosen and opens an event's JSON schema; a rule only the server can judge
 * comes back as a 422 shown on the field it names. Screenshots in test-results/console/.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { consoleSkip, startConsoleStack, type ConsoleStack } from '../helpers/console';
import { useTestTemporal } from '../helpers/workflow-suite';

const t = useTestTemporal();
let stack: Promise<ConsoleStack> | undefined;

function setup(): Promise<ConsoleStack> {
  stack ??= startConsoleStack(t, {
    config: (sink) => ({
      destinations: [{ name: 'crm', kind: 'webhook', events: ['pointsIssued'], url: `${sink}/crm` }],
    }),
  });
  return stack;
}

/** The error text shown under the field with this input id (waits for it). */
async function fieldError(page: Page, id: string): Promise<string> {
  const error = page.locator(`[data-field-error="${id}"]`);
  await error.waitFor();
  return (await error.textContent()) ?? '';
}

async function step(page: Page): Promise<string | null> {
  return page.locator('form[aria-label="Webhook"]').getAttribute('data-step');
}

describe('console: configuration forms', { skip: consoleSkip }, () => {
  test('the wizard creates a webhook: every rule on its field, then the API has it; the event group is fixed on edit', async () => {
    const s = await setup();
    const page = s.page;
    await page.goto(`${s.url}/console/webhooks/new`);

    // Details: a trailing space is refused as typed, and Next stays on the step.
    await page.fill('#webhook-name', 'partner-hook ');
    assert.match(await fieldError(page, 'webhook-name'), /must not end with spaces/);
    await page.click('[data-action="next"]');
    assert.equal(await step(page), 'details');
    // A taken name (case-sensitive) is refused too; another case is a different name.
    await page.fill('#webhook-name', 'crm');
    assert.match(await fieldError(page, 'webhook-name'), /a destination named "crm" exists/);
    await page.fill('#webhook-name', 'partner-hook');
    await page.locator('[data-field-error="webhook-name"]').waitFor({ state: 'detached' });
    await page.fill('#webhook-description', 'Tier changes for the partner app');
    await page.click('[data-action="next"]');

    // Event group: chosen once.
    assert.equal(await step(page), 'events');
    await page.click('[data-action="next"]');
    assert.match(await fieldError(page, 'webhook-group'), /choose an event group/);
    await page.selectOption('#webhook-group', 'tiers');
    await page.click('[data-action="next"]');

    // Endpoint: POST only; an https URL with placeholders; an OAuth 2.0 set created in-flow.
    assert.equal(await step(page), 'endpoint');
    assert.deepEqual(await page.locator('#webhook-method option').allTextContents(), ['POST']);
    await page.fill('#webhook-url', 'http://partner.example.com/loyalty/{{ event.name }}');
    assert.match(await fieldError(page, 'webhook-url'), /must use https/);
    await page.fill('#webhook-url', 'https://partner.example.com/loyalty/{{ event.name }}');
    assert.deepEqual(await page.locator('#webhook-auth option').allTextContents(), ['<None>']);
    await page.click('[data-action="new-credential"]');
    await page.fill('#inflow-credential-name', 'partner-oauth');
    await page.fill('#inflow-credential-tokenUrl', 'https://auth.partner.example.com/token');
    await page.fill('#inflow-credential-clientId', 'loyalty-relay');
    await page.fill('#inflow-credential-clientSecret', 'partner-secret-7890');
    // Enter in the in-flow form creates the set; it does not press the wizard's Next.
    await page.press('#inflow-credential-clientSecret', 'Enter');
    await page.locator('#inflow-credential-name').waitFor({ state: 'detached' });
    assert.equal(await step(page), 'endpoint');
    assert.equal(await page.inputValue('#webhook-auth'), 'partner-oauth');
    await page.click('[data-action="next"]');

    // Headers: one empty pair shown; a duplicate key (any case, after trimming) refused on its row.
    assert.equal(await step(page), 'headers');
    assert.equal(await page.locator('[data-header-row]').count(), 1);
    assert.equal(await page.inputValue('#header-0-key'), '');
    await page.fill('#header-0-key', ' X-Brand ');
    await page.fill('#header-0-value', ' acme ');
    await page.click('[data-action="add-header"]');
    await page.fill('#header-1-key', 'x-brand');
    await page.fill('#header-1-value', 'other');
    assert.match(await fieldError(page, 'header-1-key'), /duplicate header "x-brand"/);
    await page.click('[data-action="next"]');
    assert.equal(await step(page), 'headers');
    await s.screenshot(page, 'wizard-duplicate-header');
    await page.fill('#header-1-key', 'X-Loyalty-Event');
    await page.fill('#header-1-value', '{{ event.name }}');
    await page.click('[data-action="next"]');

    // Body with placeholders, then the review.
    assert.equal(await step(page), 'body');
    await page.fill(
      '#webhook-body',
      '{"customer": "{{ event.customer.id }}", "tier": "{{ event.properties.upgradedTierNumber | default: null }}"}',
    );
    await page.click('[data-action="next"]');
    assert.equal(await step(page), 'review');
    assert.equal(await page.locator('[data-review="name"]').textContent(), 'partner-hook');
    await s.screenshot(page, 'wizard-review');
    await page.click('[data-action="submit"]');
    await page.locator('[data-saved="partner-hook"]').waitFor();

    const created = await s.call('GET', '/destinations/partner-hook');
    assert.equal(created.status, 200);
    const d = created.body as Record<string, unknown>;
    assert.deepEqual(d.events, ['tierUpgraded', 'tierDowngraded', 'tierRenewed', 'tierDowngradeReminder']);
    assert.equal(d.url, 'https://partner.example.com/loyalty/{{ event.name }}');
    assert.equal(d.method, 'POST');
    assert.equal(d.auth, 'partner-oauth');
    assert.equal(d.description, 'Tier changes for the partner app');
    assert.deepEqual(d.headers, [
      { key: 'X-Brand', value: 'acme', secret: false },
      { key: 'X-Loyalty-Event', value: '{{ event.name }}', secret: false },
    ]);
    assert.deepEqual(d.body, { customer: '{{ event.customer.id }}', tier: '{{ event.properties.upgradedTierNumber | default: null }}' });
    const credential = await s.call('GET', '/credentials/partner-oauth');
    assert.equal((credential.body as { clientSecret: string }).clientSecret, '****7890');

    // Edit, reached from the destinations list: the name and the event group are fixed; a change is saved as version 2.
    await page.goto(`${s.url}/console/destinations`);
    await page.click('a[href="/console/webhooks/partner-hook/edit"]');
    await page.locator('#webhook-name').waitFor();
    assert.equal(await page.isDisabled('#webhook-name'), true);
    await page.fill('#webhook-description', 'Tier changes, edited');
    await page.click('[data-action="next"]');
    assert.equal(await page.inputValue('#webhook-group'), 'tiers');
    assert.equal(await page.isDisabled('#webhook-group'), true);
    await s.screenshot(page, 'wizard-edit-event-group');
    for (const next of ['endpoint', 'headers', 'body', 'review']) {
      await page.click('[data-action="next"]');
      assert.equal(await step(page), next);
    }
    await page.click('[data-action="submit"]');
    await page.locator('[data-saved="partner-hook"]').waitFor();
    const edited = (await s.call('GET', '/destinations/partner-hook')).body as Record<string, unknown>;
    assert.equal(edited.version, 2);
    assert.equal(edited.description, 'Tier changes, edited');
    assert.deepEqual(edited.events, d.events);
    assert.equal(edited.auth, 'partner-oauth');
  });

  test('the notification form: card number only once a source is chosen; an event picked from the searchable catalog, its schema opened', async () => {
    const s = await setup();
    const page = s.page;
    await page.goto(`${s.url}/console/notifications/new`);
    await page.fill('#notification-name', 'wallet-notify');
    await page.fill('#notification-url', 'https://wallet.example.com/notify');

    assert.equal(await page.isDisabled('#enrich-card-numbers'), true);
    await page.check('#enrich-customer-identifiers');
    assert.equal(await page.isDisabled('#enrich-card-numbers'), true, 'still no source chosen');
    assert.deepEqual(await page.locator('#enrich-identifier-source option').allTextContents(), [
      'Choose a source…',
      'WeChat',
      'WebEngage',
      'InStore',
    ]);
    await page.selectOption('#enrich-identifier-source', 'WECHAT');
    assert.equal(await page.isDisabled('#enrich-card-numbers'), false);
    await page.check('#enrich-card-numbers');
    // Back to no source: card number is off and disabled again.
    await page.selectOption('#enrich-identifier-source', '');
    assert.equal(await page.isDisabled('#enrich-card-numbers'), true);
    assert.equal(await page.isChecked('#enrich-card-numbers'), false);
    await page.selectOption('#enrich-identifier-source', 'INSTORE');
    await page.check('#enrich-card-numbers');
    await page.check('#enrich-till');
    await page.check('#enrich-points-balance');

    await page.click('summary:has-text("Advanced settings")');
    await page.fill('#notification-max-connections', '1001');
    assert.match(await fieldError(page, 'notification-max-connections'), /1000/);
    await page.fill('#notification-max-connections', '5');
    await page.fill('#notification-sla-seconds', '30');

    await page.fill('#event-search', 'tier');
    await page.locator('li[data-event="tierUpgraded"]').waitFor();
    const listed = await Promise.all((await page.locator('li[data-event]').all()).map((item) => item.getAttribute('data-event')));
    assert.ok(listed.length > 0 && listed.every((name) => /tier/i.test(name ?? '')), `listed: ${listed.join(', ')}`);
    await page.click('li[data-event="tierUpgraded"] button[aria-label="Schema of tierUpgraded"]');
    const schema = JSON.parse((await page.locator('pre[data-schema="tierUpgraded"]').textContent()) ?? '') as Record<string, unknown>;
    assert.equal(typeof schema, 'object');
    await page.check('li[data-event="tierUpgraded"] input[type="checkbox"]');
    await s.screenshot(page, 'notification-form');
    await page.click('[data-action="save"]');
    await page.locator('[data-saved="wallet-notify"]').waitFor();

    const d = (await s.call('GET', '/destinations/wallet-notify')).body as Record<string, unknown>;
    assert.deepEqual(d.events, ['tierUpgraded']);
    assert.deepEqual(d.enrichment, {
      pointsBalance: true,
      customerIdentifiers: 'INSTORE',
      cardNumbers: true,
      store: false,
      till: true,
      awardedReferenceId: false,
    });
    assert.equal(d.maxConnections, 5);
    assert.equal(d.slaSeconds, 30);
  });

  test('a rule only the server can judge: its 422 is shown on the field it names', async () => {
    const s = await setup();
    const page = s.page;
    await page.goto(`${s.url}/console/notifications/new`);
    await page.fill('#notification-name', 'metadata-probe');
    // Well-formed https text (the console's rules pass it); the host embeds 169.254.169.254 (NAT64).
    await page.fill('#notification-url', 'https://[64:ff9b::a9fe:a9fe]/hook');
    await page.fill('#event-search', 'pointsIssued');
    await page.check('li[data-event="pointsIssued"] input[type="checkbox"]');
    assert.equal(await page.locator('[data-field-error="notification-url"]').count(), 0);
    await page.click('[data-action="save"]');
    assert.match(await fieldError(page, 'notification-url'), /169\.254\.169\.254|embed/);
    await s.screenshot(page, 'notification-server-422');
    assert.equal((await s.call('GET', '/destinations/metadata-probe')).status, 404);
    // Editing the field clears the server's word on it.
    await page.fill('#notification-url', 'https://probe.example.com/hook');
    await page.locator('[data-field-error="notification-url"]').waitFor({ state: 'detached' });
  });

  test('the wizard goes back to the step of a field the server refused, and shows its 422 there', async () => {
    const s = await setup();
    const page = s.page;
    await page.goto(`${s.url}/console/webhooks/new`);
    await page.fill('#webhook-name', 'wizard-probe');
    await page.click('[data-action="next"]');
    await page.selectOption('#webhook-group', 'points');
    await page.click('[data-action="next"]');
    await page.fill('#webhook-url', 'https://[64:ff9b::a9fe:a9fe]/hook');
    for (const next of ['headers', 'body', 'review']) {
      await page.click('[data-action="next"]');
      assert.equal(await step(page), next);
    }
    await page.click('[data-action="submit"]');
    assert.match(await fieldError(page, 'webhook-url'), /169\.254\.169\.254/);
    assert.equal(await step(page), 'endpoint');
    assert.equal((await s.call('GET', '/destinations/wizard-probe')).status, 404);
  });

  test('credential sets and sources: created through their forms, listed with secrets as the API shows them', async () => {
    const s = await setup();
    const page = s.page;
    await page.goto(`${s.url}/console/credentials`);
    await page.selectOption('#credential-type', 'basic');
    await page.fill('#credential-name', 'partner basic');
    assert.match(await fieldError(page, 'credential-name'), /letters, digits/);
    await page.fill('#credential-name', 'partner-basic');
    await page.fill('#credential-username', 'relay');
    await page.fill('#credential-password', 'pass-word-1234');
    await page.click('[data-action="create-credential"]');
    const row = page.locator('tr[data-credential="partner-basic"]');
    await row.waitFor();
    const shown = (await row.textContent()) ?? '';
    assert.match(shown, /\*{4}1234/);
    assert.doesNotMatch(shown, /pass-word-1234/);

    await page.goto(`${s.url}/console/sources`);
    await page.fill('#source-id', '-backend');
    assert.match(await fieldError(page, 'source-id'), /letters, digits/);
    await page.fill('#source-id', 'backend');
    await page.fill('#source-auth-key', 'backend-key-0001');
    await page.click('[data-action="create-source"]');
    const source = page.locator('tr[data-source="backend"]');
    await source.waitFor();
    assert.match((await source.textContent()) ?? '', /\*{4}0001/);
    await s.screenshot(page, 'sources');
    const stored = (await s.call('GET', '/sources/backend')).body as { kind: string; auth: Record<string, unknown> };
    assert.equal(stored.kind, 'server');
    assert.equal(stored.auth.key, '****0001');
  });
});
