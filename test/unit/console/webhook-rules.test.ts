/**
 * The console's webhook form rules (console/src/webhooks): each field's rule as typed, the
 * request the forms send, where the API's issue paths land — and that the console and the
 * configuration's own validation agree on which drafts are valid.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, parseConfig } from '../../../src/config/load';
import { draftFromResource, emptyDraft, emptyHeader, toRequest, type WebhookDraft } from '../../../console/src/webhooks/draft';
import { normalizePath, placeIssues } from '../../../console/src/webhooks/field-errors';
import {
  bodyErrors,
  checkWebhook,
  enrichmentErrors,
  headerErrors,
  nameErrors,
  settingErrors,
  urlErrors,
  webhookFieldFor,
} from '../../../console/src/webhooks/rules';

const ctx = { existingNames: ['crm', 'wallet'], editing: false };

function draft(change: Partial<WebhookDraft> = {}): WebhookDraft {
  return { ...emptyDraft(), name: 'partner-hook', group: 'tiers', events: ['tierUpgraded'], url: 'https://hooks.example.com/x', ...change };
}

describe('console webhook rules, field by field', () => {
  it('name: required, no trailing spaces, unique case-sensitively; not re-checked for uniqueness on edit', () => {
    assert.deepEqual(nameErrors('', ctx), ['name is required']);
    assert.deepEqual(nameErrors('partner ', ctx), ['name must not end with spaces']);
    assert.match(nameErrors('crm', ctx)[0] ?? '', /a destination named "crm" exists/);
    assert.deepEqual(nameErrors('CRM', ctx), []);
    assert.deepEqual(nameErrors('crm', { ...ctx, editing: true }), []);
  });

  it('url: https only, placeholders only in path and query, no credentials', () => {
    assert.deepEqual(urlErrors('', false), ['url is required']);
    assert.deepEqual(urlErrors('https://hooks.example.com/{{ event.name }}?c={{ event.customer.id }}', false), []);
    assert.match(urlErrors('http://hooks.example.com/x', false).join(), /must use https/);
    assert.match(urlErrors('https://{{ event.name }}.example.com/', false).join(), /only in the URL's path and query/);
    assert.match(urlErrors('https://user:pw@hooks.example.com/', false).join(), /credentials in the URL/);
    assert.match(urlErrors('https://hooks.example.com/{{ nope }}', false).join(), /must start with one of/);
  });

  it('headers: blank rows ignored, keys and values trimmed, duplicate keys refused on the later row, values on the whitelist', () => {
    const rows = [
      { key: ' X-Brand ', value: ' acme ', secret: false },
      emptyHeader(),
      { key: 'x-brand', value: 'other', secret: false },
      { key: '', value: 'orphan', secret: false },
      { key: 'X-Name', value: 'caf\u00e9', secret: false },
      { key: 'Host', value: 'evil', secret: false },
    ];
    const errors = headerErrors(rows);
    assert.deepEqual(Object.keys(errors).sort(), ['headers.2.key', 'headers.3.key', 'headers.4.value', 'headers.5.key']);
    assert.match(errors['headers.2.key']?.join() ?? '', /duplicate header "x-brand"/);
    assert.deepEqual(errors['headers.3.key'], ['header key is required']);
    assert.match(errors['headers.4.value']?.join() ?? '', /visible ASCII/);
    assert.match(errors['headers.5.key']?.join() ?? '', /set by the HTTP client/);
    assert.deepEqual(headerErrors([{ key: 'X-Token', value: '${TOKEN}', secret: true }])['headers.0.value'], [
      '${...} references are resolved only by `relay apply` from a file; send the value itself',
    ]);
  });

  it('body: JSON with well-formed placeholders, no ${…}', () => {
    assert.deepEqual(bodyErrors(''), []);
    assert.deepEqual(bodyErrors('{"c": "{{ event.customer.id }}"}'), []);
    assert.match(bodyErrors('{"c": ').join(), /not valid JSON/);
    assert.match(bodyErrors('{"c": "{{ event..id }}"}').join(), /^c: placeholder/);
    assert.match(bodyErrors('{"c": "${SECRET}"}').join(), /put secrets in headers/);
  });

  it('enrichment: the identifier source chosen when asked for; card numbers only with a source', () => {
    const none = emptyDraft().enrichment;
    assert.deepEqual(enrichmentErrors(none), {});
    assert.deepEqual(Object.keys(enrichmentErrors({ ...none, customerIdentifiers: true })), ['enrichment.customerIdentifiers']);
    assert.match(enrichmentErrors({ ...none, cardNumbers: true })['enrichment.cardNumbers']?.join() ?? '', /card numbers need a source/);
    assert.deepEqual(enrichmentErrors({ ...none, customerIdentifiers: true, identifierSource: 'WECHAT', cardNumbers: true }), {});
  });

  it('maximum connections and SLA: the server schema of each field', () => {
    assert.deepEqual(settingErrors('maxConnections', ''), []);
    assert.deepEqual(settingErrors('maxConnections', '25'), []);
    for (const bad of ['0', '1001', '2.5', 'many']) assert.notDeepEqual(settingErrors('maxConnections', bad), [], bad);
    assert.deepEqual(settingErrors('slaSeconds', '30'), []);
    assert.notDeepEqual(settingErrors('slaSeconds', '-1'), []);
  });

  it('events: a group must be chosen', () => {
    assert.deepEqual(checkWebhook(draft({ group: '', events: [] }), ctx).events, ['choose an event group']);
    assert.deepEqual(checkWebhook(draft({ group: 'custom', events: [] }), ctx).events, ['subscribe to at least one event']);
  });

  it('a credential set must exist when the list is known', () => {
    assert.deepEqual(checkWebhook(draft({ auth: 'crm-oauth' }), { ...ctx, credentialNames: ['crm-oauth'] }), {});
    assert.match(
      checkWebhook(draft({ auth: 'gone' }), { ...ctx, credentialNames: [] }).auth?.join() ?? '',
      /no credential set named "gone"/,
    );
  });
});

describe('console webhook requests', () => {
  it('sends trimmed pairs without blank rows, POST, and leaves out <None>, an empty body and empty numbers', () => {
    const { body, headerRows } = toRequest(
      draft({
        description: '  ',
        headers: [emptyHeader(), { key: ' X-A ', value: ' 1 ', secret: false }, { key: 'X-S', value: 'tok', secret: true }],
      }),
    );
    assert.deepEqual(headerRows, [1, 2]);
    assert.deepEqual(body, {
      name: 'partner-hook',
      kind: 'webhook',
      events: ['tierUpgraded'],
      url: 'https://hooks.example.com/x',
      method: 'POST',
      headers: [
        { key: 'X-A', value: '1' },
        { key: 'X-S', value: 'tok', secret: true },
      ],
      enrichment: { pointsBalance: false, cardNumbers: false, store: false, till: false, awardedReferenceId: false },
    });
  });

  it('edits round-trip: what the form does not show goes back as read, resource metadata does not', () => {
    const resource = {
      name: 'crm',
      kind: 'webhook',
      events: ['tierUpgraded', 'tierDowngraded', 'tierRenewed', 'tierDowngradeReminder'],
      url: 'https://crm.example.com/h',
      method: 'POST',
      headers: [{ key: 'X-Partner-Token', value: '****3456', secret: true }],
      body: { c: '{{ event.customer.id }}' },
      auth: 'crm-oauth',
      signing: { secret: '****aSw' },
      enrichment: {
        pointsBalance: true,
        customerIdentifiers: 'INSTORE',
        cardNumbers: true,
        store: false,
        till: false,
        awardedReferenceId: false,
      },
      slaSeconds: 30,
      maxConnections: 5,
      timeoutSeconds: 10,
      version: 3,
      createdAt: '2026-11-30T10:00:00.000Z',
      updatedAt: '2026-11-30T10:00:00.000Z',
      secrets: { 'header:X-Partner-Token': { set: true, last4: '3456' } },
      paused: false,
      pausedReason: null,
      pausedAt: null,
      pausedBy: null,
    };
    const d = draftFromResource(resource);
    assert.equal(d.group, 'tiers');
    assert.equal(d.enrichment.identifierSource, 'INSTORE');
    const { body } = toRequest(d);
    for (const key of ['version', 'createdAt', 'updatedAt', 'secrets', 'paused', 'pausedReason', 'pausedAt', 'pausedBy']) {
      assert.equal(key in body, false, key);
    }
    assert.deepEqual(body.signing, { secret: '****aSw' });
    assert.equal(body.timeoutSeconds, 10);
    assert.deepEqual(body.headers, [{ key: 'X-Partner-Token', value: '****3456', secret: true }]);
    assert.deepEqual(JSON.parse(body.body as string), resource.body);
    assert.deepEqual(body.enrichment, resource.enrichment);
  });

  it("places the API's issues on the form's fields, header rows counted as the form shows them", () => {
    assert.equal(normalizePath('headers[1].key'), 'headers.1.key');
    assert.equal(normalizePath('.enrichment.cardNumbers'), 'enrichment.cardNumbers');
    const placed = placeIssues(
      [
        { path: 'headers[1].key', message: 'duplicate header "x-a"' },
        { path: 'headers.0.value', message: 'bad value' },
        { path: 'url', message: 'an embedded IPv4 address' },
        { path: 'events.0', message: 'too short' },
        { path: 'body.a.b', message: 'placeholder' },
        { path: 'enrichment.cardNumbers', message: 'needs a source' },
        { path: 'retryWindowSeconds', message: 'too big' },
        { path: '', message: 'expected a JSON object' },
      ],
      webhookFieldFor([1, 3]),
    );
    assert.deepEqual(placed.fields, {
      'headers.3.key': ['duplicate header "x-a"'],
      'headers.1.value': ['bad value'],
      url: ['an embedded IPv4 address'],
      events: ['too short'],
      body: ['placeholder'],
      'enrichment.cardNumbers': ['needs a source'],
    });
    assert.deepEqual(placed.unplaced, ['retryWindowSeconds: too big', 'expected a JSON object']);
  });
});

describe('the console and the configuration agree on which drafts are valid', () => {
  const header = (key: string, value: string, secret = false) => ({ key, value, secret });
  const cases: [string, Partial<WebhookDraft>][] = [
    ['a plain webhook', {}],
    ['a trailing-space name', { name: 'partner-hook ' }],
    ['an empty name', { name: '' }],
    ['a placeholder URL', { url: 'https://hooks.example.com/{{ event.name }}' }],
    ['a plain-http URL', { url: 'http://hooks.example.com/x' }],
    ['a placeholder host', { url: 'https://{{ event.name }}.example.com/x' }],
    ['headers with one blank row', { headers: [header('X-A', '{{ event.name }}'), emptyHeader()] }],
    ['duplicate keys after trimming', { headers: [header('X-A', '1'), header(' x-a ', '2')] }],
    ['a non-ASCII value', { headers: [header('X-A', 'caf\u00e9')] }],
    ['a value without a key', { headers: [header('', 'v')] }],
    ['a reserved key', { headers: [header('Content-Length', '3')] }],
    ['a secret with a placeholder', { headers: [header('X-S', '{{ event.id }}', true)] }],
    ['a body', { body: '{"id": "{{ event.id }}", "p": "{{ enrichment.pointsBalance.totalPoints | default: 0 }}"}' }],
    ['a body that is not JSON', { body: '{"id": ' }],
    ['a malformed body placeholder', { body: '{"id": "{{ event. }}"}' }],
    ['a credential set', { auth: 'crm-oauth' }],
    ['an unknown credential set', { auth: 'nope' }],
    [
      'card numbers with a source',
      { enrichment: { ...emptyDraft().enrichment, customerIdentifiers: true, identifierSource: 'INSTORE', cardNumbers: true } },
    ],
    ['card numbers without a source', { enrichment: { ...emptyDraft().enrichment, cardNumbers: true } }],
    ['settings', { maxConnections: '20', slaSeconds: '45' }],
    ['too many connections', { maxConnections: '5000' }],
    ['a fractional SLA', { slaSeconds: '1.5' }],
    ['no events', { group: 'custom', events: [] }],
  ];
  for (const [what, change] of cases) {
    it(what, () => {
      const d = draft(change);
      const client = checkWebhook(d, { existingNames: [], editing: false, credentialNames: ['crm-oauth'] });
      const doc = {
        credentials: [{ name: 'crm-oauth', type: 'bearer', token: 'tok-1234' }],
        destinations: [toRequest(d).body],
      };
      let server: string[] = [];
      try {
        parseConfig(doc, {});
      } catch (e) {
        if (!(e instanceof ConfigError)) throw e;
        server = e.problems.map((p) => normalizePath(p.path.replace(/^destinations\[0\]\.?/, '')));
      }
      assert.equal(
        Object.keys(client).length === 0,
        server.length === 0,
        `client ${JSON.stringify(client)}; server ${JSON.stringify(server)}`,
      );
      // Each field the server names has a client error under the same field.
      const placed = placeIssues(
        server.map((path) => ({ path, message: 'x' })),
        webhookFieldFor(toRequest(d).headerRows),
      );
      for (const field of Object.keys(placed.fields)) assert.ok(client[field], `server names ${field}; client: ${JSON.stringify(client)}`);
    });
  }
});
