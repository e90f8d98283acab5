/**
 * The management API over HTTP, on a throwaway database of the machine's PostgreSQL: every
 * configuration rule (README, "Configuration file") refused with its own issue, secrets never readable (rows, answers), the
 * optimistic concurrency, credential sets and sources.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { ConfigAdmin } from '../../../src/config/admin';
import { PgConfigStore } from '../../../src/config/pg-store';
import { createSecretBox } from '../../../src/db/secrets';
import { createTestDatabase } from '../../helpers/database';
import { callManagement, type ManagementAnswer } from '../../helpers/management-client';
import { testServerUrl } from '../../helpers/test-database-url';
import { fakeStarter, startReceiver, type TestReceiver } from '../../helpers/receiver';

const ADMIN_TOKEN = 'test-admin-token-0123456789abcdef';
const SIGNING_SECRET = `whsec_${randomBytes(32).toString('base64')}`;
const HEADER_SECRET = 'Bearer header-secret-value-7781';
const CLIENT_SECRET = 'oauth-client-secret-4409';

let db: Awaited<ReturnType<typeof createTestDatabase>>;
let receiver: TestReceiver;
let store: PgConfigStore;

type Answer = ManagementAnswer;

function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  return callManagement(receiver.url, ADMIN_TOKEN, method, path, body, headers);
}

function hook(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: `hook-${randomBytes(4).toString('hex')}`,
    kind: 'webhook',
    events: ['pointsIssued'],
    url: 'https://hooks.example.com/loyalty/{{ event.customer.id }}',
    ...overrides,
  };
}

function assertIssue(answer: Answer, path: string, message: RegExp): void {
  assert.equal(answer.status, 422, answer.text);
  assert.equal(answer.body.code, 'validation_failed');
  assert.ok(
    answer.body.issues?.some((i) => i.path === path && message.test(i.message)),
    `no issue at "${path}" matching ${message}: ${answer.text}`,
  );
}

before(async () => {
  db = await createTestDatabase();
  const box = createSecretBox({ current: randomBytes(32) });
  store = new PgConfigStore(db.pool, box);
  receiver = await startReceiver([], fakeStarter(), {
    store,
    // The receiver's own port as the API would know it from PORT (the test server's port is another).
    management: {
      admin: new ConfigAdmin(db.pool, box, { allowPrivateNetworks: ['10.0.0.0/8'], ingestion: { port: 18080 } }),
      adminToken: ADMIN_TOKEN,
    },
  });
  const source = await call('POST', '/sources', {
    id: 'capillary',
    kind: 'capillary',
    auth: { header: 'X-API-KEY', key: 'source-key-123456' },
  });
  assert.equal(source.status, 201, source.text);
});

after(async () => {
  await receiver?.close();
  await db?.drop();
});

describe('management API: access', () => {
  it('refuses a missing or wrong admin token with 401 and a challenge', async () => {
    const none = await fetch(`${receiver.url}/v1/destinations`);
    assert.equal(none.status, 401);
    assert.match(none.headers.get('www-authenticate') ?? '', /^Bearer/);
    const wrong = await call('GET', '/destinations', undefined, { authorization: 'Bearer not-the-token-0123456789' });
    assert.equal(wrong.status, 401);
    assert.equal(wrong.body.code, 'unauthorized');
  });

  it('is disabled (403) when no admin token is configured', async () => {
    const other = await startReceiver([], fakeStarter(), {
      store,
      management: { admin: new ConfigAdmin(db.pool, createSecretBox({ current: randomBytes(32) })) },
    });
    try {
      const res = await fetch(`${other.url}/v1/destinations`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
      assert.equal(res.status, 403);
      assert.equal(((await res.json()) as { code: string }).code, 'management_api_disabled');
    } finally {
      await other.close();
    }
  });

  it('answers malformed JSON with 400 and a non-JSON body with 415, never 500', async () => {
    const bad = await call('POST', '/destinations', '{"name": ');
    assert.equal(bad.status, 400, bad.text);
    assert.equal(bad.body.code, 'malformed_json');
    const form = await call('POST', '/destinations', 'name=x', { 'content-type': 'application/x-www-form-urlencoded' });
    assert.equal(form.status, 415, form.text);
  });
});

describe('management API: the webhook rules, one issue per violated rule', () => {
  const rules: [string, Record<string, unknown>, string, RegExp][] = [
    ['a missing name', { name: undefined }, 'name', /./],
    ['an empty name', { name: '' }, 'name', /name is required/],
    ['a name ending with spaces', { name: 'crm hook  ' }, 'name', /must not end with spaces/],
    ['no event', { events: [] }, 'events', /at least one event/],
    ['a method other than POST', { method: 'PUT' }, 'method', /POST/],
    ['plain http', { url: 'http://hooks.example.com/x' }, 'url', /https/i],
    ['a header without a key', { headers: [{ key: '', value: 'x' }] }, 'headers[0].key', /required/],
    [
      'duplicate header keys',
      {
        headers: [
          { key: 'X-A', value: '1' },
          { key: 'x-a', value: '2' },
        ],
      },
      'headers[1].key',
      /duplicate/,
    ],
    ['a header value outside the whitelist', { headers: [{ key: 'X-A', value: 'caf\u00e9' }] }, 'headers[0].value', /visible ASCII/],
    [
      'a secret header holding placeholders',
      { headers: [{ key: 'X-A', value: '{{ event.id }}', secret: true }] },
      'headers[0].value',
      /placeholders/,
    ],
    [
      'a placeholder in the URL host',
      { url: 'https://{{ event.properties.host }}/x' },
      'url',
      /placeholders may appear only in the URL's path and query/,
    ],
    ['a framing header key', { headers: [{ key: 'Transfer-Encoding', value: 'chunked' }] }, 'headers[0].key', /set by the HTTP client/],
    [
      'a NAT64 literal embedding the metadata address',
      { url: 'https://[64:ff9b::a9fe:a9fe]/x' },
      'url',
      /embeds the IPv4 address 169\.254\.169\.254/,
    ],
    [
      "the relay's own ingestion path",
      { url: 'http://127.0.0.1:18080/v1/sources/capillary/events', allowInsecureHttp: true },
      'url',
      /relay's own ingestion path/,
    ],
    ['a body template that is not JSON', { body: '{"a": ' }, 'body', /not valid JSON/],
    ['an unknown placeholder root in the body', { body: { a: '{{ secrets.key }}' } }, 'body.a', /./],
    ['an OAuth set that does not exist', { auth: 'no-such-set' }, 'auth', /no credential set named "no-such-set"/],
    ['an unknown source', { sources: ['nowhere'] }, 'sources.0', /no source with id "nowhere"/],
    ['a signing secret that is not whsec_', { signing: { secret: 'plain' } }, 'signing.secret', /whsec_/],
    ['card numbers without a source', { enrichment: { cardNumbers: true } }, 'enrichment.cardNumbers', /customerIdentifiers/],
    ['an SLA that is not a positive integer', { slaSeconds: 0 }, 'slaSeconds', /./],
    ['maximum concurrent connections out of range', { maxConnections: 5000 }, 'maxConnections', /./],
    [
      'a ${VAR} reference (files only)',
      { headers: [{ key: 'Authorization', value: 'Bearer ${TOKEN}' }] },
      'headers[0].value',
      /relay apply/,
    ],
    ['an unknown kind', { kind: 'carrier-pigeon' }, 'kind', /unknown destination kind/],
  ];
  for (const [what, change, path, message] of rules) {
    it(`refuses ${what}`, async () => {
      const body = hook(change);
      for (const [k, v] of Object.entries(change)) if (v === undefined) delete body[k];
      assertIssue(await call('POST', '/destinations', body), path, message);
    });
  }

  it('names the URL target rules by a machine-readable rule, and honours the allowlist', async () => {
    const nat64 = await call('POST', '/destinations', hook({ url: 'https://[64:ff9b::a9fe:a9fe]/x' }));
    assert.deepEqual(
      nat64.body.issues?.map((i) => (i as { rule?: string }).rule),
      ['embedded_ipv4_address'],
      nat64.text,
    );
    const loop = await call(
      'POST',
      '/destinations',
      hook({ url: 'http://localhost:18080/v1/sources/capillary/events', allowInsecureHttp: true }),
    );
    assert.deepEqual(
      loop.body.issues?.map((i) => (i as { rule?: string }).rule),
      ['ingestion_loop'],
      loop.text,
    );
    const token = await call('POST', '/credentials', {
      name: `nat64-${randomBytes(3).toString('hex')}`,
      type: 'oauth2',
      tokenUrl: 'https://[2002:a9fe:a9fe::]/token',
      clientId: 'c',
      clientSecret: 's',
    });
    assertIssue(token, 'tokenUrl', /embeds the IPv4 address 169\.254\.169\.254/);
    // 10.0.0.0/8 is allowlisted: its NAT64 form is accepted, as the send-time guard would.
    const allowed = await call('POST', '/destinations', hook({ url: 'https://[64:ff9b::a00:1]/x' }));
    assert.equal(allowed.status, 201, allowed.text);
  });

  it('reports every violated rule of one request, each with its path', async () => {
    const res = await call('POST', '/destinations', hook({ name: 'two problems ', url: 'http://x.example.com', events: [] }));
    assertIssue(res, 'name', /end with spaces/);
    assertIssue(res, 'url', /https/i);
    assertIssue(res, 'events', /at least one event/);
  });

  it('refuses moengage and customerglu settings outside their rules', async () => {
    assertIssue(
      await call('POST', '/destinations', {
        name: 'moe',
        kind: 'moengage',
        events: ['pointsIssued'],
        dataCenter: 9,
        workspaceId: 'W1',
        dataApiKey: 'k',
      }),
      'dataCenter',
      /./,
    );
    assertIssue(await call('POST', '/destinations', { name: 'glu', kind: 'customerglu', events: ['pointsIssued'] }), 'writeKey', /./);
    const moe = { name: 'moe', kind: 'moengage', events: ['tierUpgraded'], dataCenter: 1, workspaceId: 'W1', dataApiKey: 'k' };
    assertIssue(await call('POST', '/destinations', { ...moe, customerIdFrom: 'customer.id' }), 'customerIdFrom', /must start with one of/);
    assertIssue(
      await call('POST', '/destinations', { ...moe, userAttributes: { tier: '{{ tier }}' } }),
      'userAttributes.tier',
      /must start with one of/,
    );
    const glu = { name: 'glu', kind: 'customerglu', events: ['pointsIssued'], writeKey: 'w' };
    assertIssue(await call('POST', '/destinations', { ...glu, customerIdFrom: '{{ event.customer.id }}' }), 'customerIdFrom', /bare path/);
    const created = await call('POST', '/destinations', {
      ...moe,
      customerIdFrom: 'event.customer.identifiers.externalId',
      userAttributes: { tier: '{{ event.properties.upgradedTierNumber }}' },
      identityAttributes: ['moe_mobile'],
      includePii: true,
    });
    assert.equal(created.status, 201, created.text);
    assert.equal(created.body.customerIdFrom, 'event.customer.identifiers.externalId');
    assert.deepEqual(created.body.userAttributes, { tier: '{{ event.properties.upgradedTierNumber }}' });
  });

  it('trims header keys and values before saving', async () => {
    const res = await call('POST', '/destinations', hook({ headers: [{ key: ' X-Event ', value: ' {{ event.name }} ' }] }));
    assert.equal(res.status, 201, res.text);
    assert.deepEqual(res.body.headers, [{ key: 'X-Event', value: '{{ event.name }}', secret: false }]);
  });

  it('keeps names unique, case-sensitively', async () => {
    const first = await call('POST', '/destinations', hook({ name: 'CRM' }));
    assert.equal(first.status, 201, first.text);
    const same = await call('POST', '/destinations', hook({ name: 'CRM' }));
    assert.equal(same.status, 409);
    assert.equal(same.body.code, 'name_taken');
    assert.equal((await call('POST', '/destinations', hook({ name: 'crm' }))).status, 201);
  });

  it('fixes the event set, sources and kind after creation (409 with the reason)', async () => {
    const created = await call('POST', '/destinations', hook());
    const etag = created.headers.get('etag') ?? '';
    for (const change of [{ events: ['pointsIssued', 'tierUpgraded'] }, { sources: ['capillary'] }]) {
      const res = await call('PUT', `/destinations/${String(created.body.name)}`, { ...created.body, ...change }, { 'if-match': etag });
      assert.equal(res.status, 409, res.text);
      assert.equal(res.body.code, 'immutable_field');
      assert.match(String(res.body.message), /cannot change after creation/);
    }
    // The same events in another order are the same set.
    const reordered = await call(
      'PUT',
      `/destinations/${String(created.body.name)}`,
      { ...created.body, description: 'x' },
      { 'if-match': etag },
    );
    assert.equal(reordered.status, 200, reordered.text);
  });
});

describe('management API: secrets', () => {
  let name: string;
  let created: Answer;

  before(async () => {
    const body = hook({
      headers: [{ key: 'Authorization', value: HEADER_SECRET, secret: true }],
      signing: { secret: SIGNING_SECRET },
      auth: {
        name: `oauth-${randomBytes(3).toString('hex')}`,
        type: 'oauth2',
        tokenUrl: 'https://auth.example.com/token',
        clientId: 'relay',
        clientSecret: CLIENT_SECRET,
      },
    });
    name = String(body.name);
    created = await call('POST', '/destinations', body);
    assert.equal(created.status, 201, created.text);
  });

  it('shows only that a secret is set, with its last 4 characters', async () => {
    const got = await call('GET', `/destinations/${name}`);
    assert.equal(got.status, 200);
    for (const secret of [HEADER_SECRET, SIGNING_SECRET, CLIENT_SECRET]) assert.ok(!got.text.includes(secret), 'a secret in the answer');
    assert.deepEqual(got.body.secrets, {
      'header:Authorization': { set: true, last4: '7781' },
      signingSecret: { set: true, last4: SIGNING_SECRET.slice(-4) },
    });
    assert.deepEqual(got.body.headers, [{ key: 'Authorization', value: '****7781', secret: true }]);
    const credential = await call('GET', `/credentials/${String(got.body.auth)}`);
    assert.equal(credential.body.clientSecret, '****4409');
    assert.deepEqual(credential.body.referencedBy, [name]);
    assert.ok(!credential.text.includes(CLIENT_SECRET));
    const lists =
      (await call('GET', '/destinations')).text + (await call('GET', '/credentials')).text + (await call('GET', '/sources')).text;
    for (const secret of [HEADER_SECRET, SIGNING_SECRET, CLIENT_SECRET, 'source-key-123456']) assert.ok(!lists.includes(secret));
  });

  it('stores no secret readable in any row', async () => {
    const dump = [];
    for (const table of ['destinations', 'destination_versions', 'credential_sets', 'sources']) {
      const { rows } = await db.pool.query(`SELECT * FROM ${table}`);
      dump.push(JSON.stringify(rows));
    }
    const all = dump.join('\n');
    for (const secret of [HEADER_SECRET, SIGNING_SECRET, CLIENT_SECRET, 'source-key-123456']) {
      assert.ok(!all.includes(secret), `secret ${secret.slice(0, 6)}… readable in the database`);
      assert.ok(!all.includes(Buffer.from(secret).toString('base64')), 'a secret stored merely base64-encoded');
    }
    assert.match(all, /"secrets":"v1\./, 'sealed envelopes expected');
  });

  it('keeps stored secrets when a resource is sent back as the API showed it', async () => {
    const got = await call('GET', `/destinations/${name}`);
    const put = await call(
      'PUT',
      `/destinations/${name}`,
      { ...got.body, description: 'changed' },
      { 'if-match': got.headers.get('etag') ?? '' },
    );
    assert.equal(put.status, 200, put.text);
    assert.equal(put.body.version, Number(got.body.version) + 1);
    const secrets = await store.getDestinationSecrets(name);
    assert.deepEqual(secrets, { 'header:Authorization': HEADER_SECRET, signingSecret: SIGNING_SECRET });
  });

  it('refuses a redacted value where no secret is stored', async () => {
    assertIssue(
      await call('POST', '/destinations', hook({ signing: { secret: '****abcd' } })),
      'signingSecret',
      /how the API shows a stored secret/,
    );
  });
});

describe('management API: versions and concurrency', () => {
  it('rejects an update from a stale version (412) and one without a version (428)', async () => {
    const created = await call('POST', '/destinations', hook());
    const path = `/destinations/${String(created.body.name)}`;
    const etag = created.headers.get('etag') ?? '';
    assert.equal(etag, '"1"');
    const [a, b] = await Promise.all([
      call('PUT', path, { ...created.body, description: 'operator A' }, { 'if-match': etag }),
      call('PUT', path, { ...created.body, description: 'operator B' }, { 'if-match': etag }),
    ]);
    assert.deepEqual([a.status, b.status].sort(), [200, 412], `${a.text} ${b.text}`);
    const loser = a.status === 412 ? a : b;
    assert.equal(loser.body.code, 'version_conflict');
    const noVersion = { ...created.body };
    delete noVersion.version;
    const none = await call('PUT', path, noVersion);
    assert.equal(none.status, 428);
    assert.equal(none.body.code, 'precondition_required');
    const winner = a.status === 200 ? a : b;
    assert.equal((await call('GET', path)).body.description, winner.body.description);
  });

  it('accepts the version in the body instead of If-Match', async () => {
    const created = await call('POST', '/destinations', hook());
    const res = await call('PUT', `/destinations/${String(created.body.name)}`, { ...created.body, enabled: false });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.enabled, false);
  });

  it('keeps every version for runs in flight, also after a delete', async () => {
    const created = await call('POST', '/destinations', hook({ url: 'https://one.example.com/' }));
    const name = String(created.body.name);
    await call('PUT', `/destinations/${name}`, { ...created.body, url: 'https://two.example.com/' }, { 'if-match': '"1"' });
    assert.equal((await store.getDestination(name))?.settings.url, 'https://two.example.com/');
    assert.equal((await store.getDestination(name, '1'))?.settings.url, 'https://one.example.com/');
    const del = await call('DELETE', `/destinations/${name}`, undefined, { 'if-match': '"2"' });
    assert.equal(del.status, 204, del.text);
    assert.equal(await store.getDestination(name), undefined);
    assert.equal((await store.getDestination(name, '2'))?.settings.url, 'https://two.example.com/');
    // A re-created name continues after its highest version: (name, version) never means two things.
    const again = await call('POST', '/destinations', hook({ name }));
    assert.equal(again.body.version, 3);
  });
});

describe('management API: credential sets and sources', () => {
  it('shares one credential set between destinations and refuses deleting it while referenced', async () => {
    const set = await call('POST', '/credentials', {
      name: 'shared-oauth',
      type: 'oauth2',
      tokenUrl: 'https://auth.example.com/token',
      clientId: 'relay',
      clientSecret: 'shared-client-secret-1',
    });
    assert.equal(set.status, 201, set.text);
    const one = await call('POST', '/destinations', hook({ auth: 'shared-oauth' }));
    const two = await call('POST', '/destinations', hook({ auth: 'shared-oauth' }));
    assert.equal(one.status, 201, one.text);
    assert.equal(two.status, 201, two.text);
    const del = await call('DELETE', '/credentials/shared-oauth', undefined, { 'if-match': set.headers.get('etag') ?? '' });
    assert.equal(del.status, 409, del.text);
    assert.equal(del.body.code, 'credential_in_use');
    assert.match(String(del.body.message), new RegExp(String(one.body.name)));
    const inline = await call('POST', '/destinations', hook({ auth: { name: 'shared-oauth', type: 'bearer', token: 'x' } }));
    assert.equal(inline.status, 409);
    assert.equal(inline.body.code, 'credential_exists');
  });

  it('validates credential sets and sources with their own rules', async () => {
    assertIssue(
      await call('POST', '/credentials', {
        name: 'bad',
        type: 'oauth2',
        tokenUrl: 'http://auth.example.com',
        clientId: 'a',
        clientSecret: 'b',
      }),
      'tokenUrl',
      /https/i,
    );
    assertIssue(
      await call('POST', '/sources', {
        id: 'k',
        kind: 'kognitiv',
        auth: { key: 'x' },
        mapping: { memberId: '$.member[x]', name: '$.eventType' },
      }),
      'mapping.memberId',
      /JSON path/,
    );
  });

  it('serves a source created through the API to the receiver at once, and refuses deleting one a destination names', async () => {
    const created = await call('POST', '/sources', { id: 'backend-api', kind: 'server', auth: { key: 'backend-key-000111' } });
    assert.equal(created.status, 201, created.text);
    assert.equal(created.body.auth && (created.body.auth as { key: string }).key, '****0111');
    const event = await fetch(`${receiver.url}/v1/sources/backend-api/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': 'backend-key-000111' },
      body: JSON.stringify({
        event_id: 'evt-1',
        event_name: 'pointsIssued',
        event_properties: {},
        timestamp: new Date().toISOString(),
        user_id: 'c1',
      }),
    });
    assert.equal(event.status, 202, await event.text());
    await call('POST', '/destinations', hook({ sources: ['backend-api'] }));
    const del = await call('DELETE', '/sources/backend-api', undefined, { 'if-match': created.headers.get('etag') ?? '' });
    assert.equal(del.status, 409);
    assert.equal(del.body.code, 'source_in_use');
  });
});

describe('management API: edge cases found in review', () => {
  it('never reuses a version: a source deleted and created again gets new secrets and a new ETag', async () => {
    const first = await call('POST', '/sources', { id: 'again', kind: 'server', auth: { key: 'first-key-0000111' } });
    const ingest = (key: string) =>
      fetch(`${receiver.url}/v1/sources/again/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': key },
        body: JSON.stringify({
          event_id: randomBytes(4).toString('hex'),
          event_name: 'x',
          event_properties: {},
          timestamp: new Date().toISOString(),
          user_id: 'u',
        }),
      });
    assert.equal((await ingest('first-key-0000111')).status, 202);
    const etag = first.headers.get('etag') ?? '';
    assert.equal((await call('DELETE', '/sources/again', undefined, { 'if-match': etag })).status, 204);
    const second = await call('POST', '/sources', { id: 'again', kind: 'server', auth: { key: 'second-key-000222' } });
    assert.notEqual(second.headers.get('etag'), etag);
    assert.equal((await ingest('first-key-0000111')).status, 401, 'the deleted source key still works');
    assert.equal((await ingest('second-key-000222')).status, 202);
    const stale = await call('PUT', '/sources/again', { ...second.body, description: 'x' }, { 'if-match': etag });
    assert.equal(stale.status, 412);
  });

  it('refuses NUL characters, over-long and unaddressable names with 422, and answers 404 for such keys', async () => {
    assertIssue(await call('POST', '/destinations', hook({ description: 'a\u0000b' })), 'description', /NUL/);
    assertIssue(await call('POST', '/destinations', hook({ name: 'x'.repeat(201) })), 'name', /at most 200/);
    assertIssue(await call('POST', '/destinations', hook({ name: '..' })), 'name', /URL/);
    assertIssue(await call('POST', '/credentials', { name: 'nul', type: 'basic', username: 'a\u0000', password: 'p' }), 'username', /NUL/);
    assert.equal((await call('GET', '/destinations/a%00b')).status, 404);
    const event = await fetch(`${receiver.url}/v1/sources/%00/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    assert.equal(event.status, 404);
  });

  it('keeps a stored secret only when the redacted value sent back is the one shown for that slot', async () => {
    const created = await call('POST', '/sources', {
      id: 'two-headers',
      kind: 'server',
      auth: {
        type: 'headers',
        headers: [
          { header: 'X-A', key: 'header-a-secret-A111' },
          { header: 'X-B', key: 'header-b-secret-B222' },
        ],
      },
    });
    assert.equal(created.status, 201, created.text);
    const reordered = await call(
      'PUT',
      '/sources/two-headers',
      { ...created.body, auth: { type: 'headers', headers: [{ header: 'X-B', key: '****B222' }] } },
      { 'if-match': created.headers.get('etag') ?? '' },
    );
    assertIssue(reordered, 'auth.headers.0.key', /not how the API shows the secret stored here/);
    const star = await call('POST', '/credentials', { name: 'starry', type: 'basic', username: 'u', password: 'pass-word-1**' });
    assert.equal(star.body.password, '****-1**');
    const back = await call('PUT', '/credentials/starry', star.body);
    assert.equal(back.status, 200, back.text);
    const credential = await store.getCredential('starry');
    assert.equal(credential?.type === 'basic' && credential.password, 'pass-word-1**');
  });

  it('refuses a PUT whose body names another credential set or source', async () => {
    const set = await call('POST', '/credentials', { name: 'named', type: 'bearer', token: 'token-0123456789' });
    assertIssue(await call('PUT', '/credentials/named', { ...set.body, name: 'other' }), 'name', /cannot be renamed/);
  });

  it('treats a version that is not a store version (a file-store hash) as the current one', async () => {
    const created = await call('POST', '/destinations', hook());
    const name = String(created.body.name);
    assert.equal((await store.getDestination(name, 'a1b2c3d4e5f6'))?.version, '1');
    assert.equal((await store.getDestination(name, '123456789012'))?.version, '1');
  });
});

describe('a configuration database that cannot be reached', () => {
  it('answers 503 store_unavailable with Retry-After, for events and for the management API', async () => {
    // Port 1 on loopback: nothing listens, connections are refused at once.
    const pool = new pg.Pool({ connectionString: 'postgres://postgres@127.0.0.1:1/none', connectionTimeoutMillis: 2000 });
    pool.on('error', () => undefined);
    const box = createSecretBox({ current: randomBytes(32) });
    const down = await startReceiver([], fakeStarter(), {
      store: new PgConfigStore(pool, box),
      management: { admin: new ConfigAdmin(pool, box), adminToken: ADMIN_TOKEN },
    });
    try {
      const event = await fetch(`${down.url}/v1/sources/capillary/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': 'k' },
        body: '{}',
      });
      assert.equal(event.status, 503);
      assert.equal(event.headers.get('retry-after'), '5');
      assert.equal(((await event.json()) as { code: string }).code, 'store_unavailable');
      const list = await fetch(`${down.url}/v1/destinations`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
      assert.equal(list.status, 503);
      assert.equal(list.headers.get('retry-after'), '5');
    } finally {
      await down.close();
      await pool.end();
    }
  });
  // Issue 16: a database refusing connections (SQLSTATE 55000) was answered 500 internal_error, without Retry-After.
  it('answers 503 store_unavailable with Retry-After when the database refuses connections (ALLOW_CONNECTIONS false)', async () => {
    const closed = await createTestDatabase();
    const name = new URL(closed.url).pathname.slice(1);
    const admin = new pg.Client({ connectionString: testServerUrl() });
    await admin.connect();
    const pool = new pg.Pool({ connectionString: closed.url, connectionTimeoutMillis: 2000 });
    pool.on('error', () => undefined);
    let down: TestReceiver | undefined;
    try {
      await admin.query(`ALTER DATABASE ${name} ALLOW_CONNECTIONS false`);
      const box = createSecretBox({ current: randomBytes(32) });
      down = await startReceiver([], fakeStarter(), {
        store: new PgConfigStore(pool, box),
        management: { admin: new ConfigAdmin(pool, box), adminToken: ADMIN_TOKEN },
      });
      const answers = {
        ingestion: await fetch(`${down.url}/v1/sources/capillary/events`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-api-key': 'k' },
          body: '{}',
        }),
        management: await fetch(`${down.url}/v1/destinations`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } }),
        token: await fetch(`${down.url}/v1/sources/kognitiv/oauth/token`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: 'grant_type=client_credentials&client_id=c&client_secret=s',
        }),
      };
      for (const [what, res] of Object.entries(answers)) {
        const text = await res.text();
        assert.equal(res.status, 503, `${what}: ${text}`);
        assert.equal(res.headers.get('retry-after'), '5', what);
        assert.equal((JSON.parse(text) as { code: string }).code, 'store_unavailable', `${what}: ${text}`);
      }
    } finally {
      await down?.close();
      await pool.end();
      await admin.query(`ALTER DATABASE ${name} ALLOW_CONNECTIONS true`);
      await admin.end();
      await closed.drop();
    }
  });
});
