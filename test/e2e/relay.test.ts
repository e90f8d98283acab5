/**
 * End to end: the real `src/entry/main.ts` (embedded dev server + worker + receiver) in a child
 * process, events posted over HTTP, delivered to a real local HTTPS sink and enriched from a
 * real local loyalty API.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Client } from '@temporalio/client';
import { DeliveryStatus, EventName, CustomerId } from '../../workflows/search-attributes';
import type { relayEvent, RelayEventResult } from '../../workflows';
import { createTestDatabase } from '../helpers/database';
import { startHttpsSink, type HttpsSink } from '../helpers/https-sink';
import { startLoyaltyApi, type LoyaltyApiFake } from '../helpers/loyalty-api';
import { freePort } from '../helpers/ports';
import { spawnRelay, startMainProcess, type RelayProcess } from '../helpers/process';

const KEY = 'e2e-capillary-key';
const WHSEC = `whsec_${Buffer.alloc(32, 9).toString('base64')}`;
const CLIENT_SECRET = 'e2e-oauth-client-secret';
const ACCESS_TOKEN = 'e2e-access-token-5f1c';
const ADMIN_TOKEN = 'e2e-admin-token-0123456789abcdef';

function capillaryPointsIssued(eventId = randomUUID()) {
  return {
    eventName: 'pointsIssued',
    eventId,
    orgId: 50074,
    refId: 'bill-88121',
    apiRequestId: 'c1d0b7f4e1a5',
    createdAt: 1763891234567,
    data: {
      loyaltyProgramId: 973,
      programCurrentPoints: 4500,
      totalPointsIssued: 250,
      customerIdentifiers: { customerId: 412345678, instore: { mobile: '919999000001', email: 'asha@example.com' } },
      triggeringActivity: {
        name: 'TransactionAdd',
        identifiers: [{ key: 'billNumber', value: 'bill-88121' }],
        enteredBy: { id: 75031, till: { code: 'till-07', name: 'Till 7' }, store: { code: 'blr-01', name: 'Indiranagar' } },
      },
    },
  };
}

describe('relay end to end (npm start process)', () => {
  let dir: string;
  let sink: HttpsSink;
  let apiSink: HttpsSink;
  let signedSink: HttpsSink;
  let tokenSink: HttpsSink;
  let loyalty: LoyaltyApiFake;
  let relay: RelayProcess;
  let base: string;
  let client: Client;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'relay-e2e-'));
    sink = await startHttpsSink();
    apiSink = await startHttpsSink();
    signedSink = await startHttpsSink();
    tokenSink = await startHttpsSink({
      respond: () => ({ status: 200, body: JSON.stringify({ access_token: ACCESS_TOKEN, token_type: 'Bearer', expires_in: 3600 }) }),
    });
    loyalty = await startLoyaltyApi({ '919999000001': { totalPoints: 4500 } });
    writeFileSync(join(dir, 'ca.pem'), sink.ca);
    writeFileSync(
      join(dir, 'relay.yaml'),
      `
sources:
  - id: capillary
    kind: capillary
    auth: { header: X-API-KEY, key: "\${E2E_SOURCE_KEY}" }
  - id: backend
    kind: server
    auth: { key: backend-key }
outbound:
  allowPrivateNetworks: [127.0.0.1/32, "::1"]
credentials:
  - name: signed-oauth
    type: oauth2
    tokenUrl: ${tokenSink.url}/token
    clientId: relay
    clientSecret: "\${E2E_CLIENT_SECRET}"
destinations:
  - name: signed
    kind: webhook
    events: [pointsIssued]
    sources: [capillary]
    url: ${signedSink.url}/signed
    auth: signed-oauth
    signing: { secret: "\${E2E_WHSEC}" }
  - name: crm
    kind: webhook
    events: [pointsIssued, purchaseCompleted]
    url: ${sink.url}/loyalty/{{ event.name }}?customer={{ event.customer.id }}
    headers:
      - { key: Authorization, value: "Bearer \${E2E_SINK_TOKEN}" }
      - { key: X-Event, value: "{{ event.name }}" }
    body: |
      { "customerId": "{{ event.customer.id }}", "points": "{{ event.properties.totalPointsIssued | default: 0 }}",
        "balance": "{{ enrichment.pointsBalance.totalPoints | default: null }}", "store": "{{ event.properties.triggeringActivity.enteredBy.store.code | default: \\"\\" }}" }
    enrichment: { pointsBalance: true }
`,
    );
    ({ relay, base, client } = await startMainProcess(dir, {
      LOYALTY_API_URL: loyalty.url,
      E2E_SOURCE_KEY: KEY,
      E2E_SINK_TOKEN: 'sink-secret-token',
      E2E_WHSEC: WHSEC,
      E2E_CLIENT_SECRET: CLIENT_SECRET,
      RELAY_MAX_BODY_BYTES: String(64 * 1024),
      RELAY_ADMIN_TOKEN: ADMIN_TOKEN,
    }));
  });

  after(async () => {
    await client?.connection.close();
    await relay?.stop('SIGKILL');
    await sink?.close();
    await apiSink?.close();
    await signedSink?.close();
    await tokenSink?.close();
    await loyalty?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const post = (path: string, body: string, headers: Record<string, string> = {}) =>
    fetch(`${base}${path}`, { method: 'POST', body, headers: { 'content-type': 'application/json', 'x-api-key': KEY, ...headers } });

  test('a Capillary pointsIssued event is accepted, enriched, templated and delivered once', async () => {
    const event = capillaryPointsIssued();
    const res = await post('/v1/sources/capillary/events', JSON.stringify(event));
    assert.equal(res.status, 202, relay.output());
    const accepted = (await res.json()) as { eventId: string; workflowId: string };
    assert.equal(accepted.eventId, event.eventId);

    const [delivery] = await sink.waitFor(1, 30_000);
    assert.ok(delivery);
    assert.equal(delivery.method, 'POST');
    assert.equal(delivery.url, '/loyalty/pointsIssued?customer=412345678');
    assert.equal(delivery.headers.authorization, 'Bearer sink-secret-token');
    assert.equal(delivery.headers['x-event'], 'pointsIssued');
    assert.deepEqual(delivery.json, { customerId: '412345678', points: 250, balance: 4500, store: 'blr-01' });
    const lookup = loyalty.requests.at(-1);
    assert.equal(lookup?.query.identifierName, 'mobile');
    assert.equal(lookup?.query.identifierValue, '919999000001');

    const handle = client.workflow.getHandle<typeof relayEvent>(accepted.workflowId);
    const result: RelayEventResult = await handle.result();
    assert.equal(result.status, 'delivered');
    const description = await handle.describe();
    assert.equal(description.typedSearchAttributes.get(EventName), 'pointsIssued');
    assert.equal(description.typedSearchAttributes.get(CustomerId), '412345678');
    assert.equal(description.typedSearchAttributes.get(DeliveryStatus), 'delivered');

    // The signed, OAuth-authenticated destination got the event too.
    const [signed] = await signedSink.waitFor(1, 30_000);
    assert.equal(signed?.headers.authorization, `Bearer ${ACCESS_TOKEN}`);
    assert.match(signed?.headers['webhook-signature'] ?? '', /^v1,/);

    // No secret entered workflow history: header secrets, source keys, signing secrets,
    // OAuth client secrets and the access tokens obtained with them.
    const history = JSON.stringify(await handle.fetchHistory());
    for (const secret of ['sink-secret-token', KEY, WHSEC, WHSEC.slice('whsec_'.length), CLIENT_SECRET, ACCESS_TOKEN]) {
      assert.ok(!history.includes(secret), `secret ${secret.slice(0, 8)}… found in workflow history`);
    }

    // A resend of the same event (Capillary resends on timeouts) is a duplicate, not a second delivery.
    const again = await post('/v1/sources/capillary/events', JSON.stringify(event));
    assert.equal(again.status, 200);
    assert.deepEqual(await again.json(), { eventId: event.eventId, workflowId: accepted.workflowId, duplicate: true });
    assert.equal(sink.requests.filter((r) => r.headers['webhook-id'] === delivery.headers['webhook-id']).length, 1);
  });

  test('the wrapped Capillary envelope and the server format are accepted too', async () => {
    const before = sink.requests.length;
    const inner = capillaryPointsIssued();
    const wrapped = {
      eventId: randomUUID(),
      eventType: '50074_pointsIssued',
      actionType: 'NOTIFICATION',
      timeStamp: inner.createdAt,
      attributes: { createdAt: inner.createdAt, data: inner.data, refId: inner.refId, orgId: inner.orgId },
    };
    assert.equal((await post('/v1/sources/capillary/events', JSON.stringify(wrapped))).status, 202);
    const server = {
      event_id: randomUUID(),
      event_name: 'purchaseCompleted',
      event_properties: { totalPointsIssued: 40 },
      timestamp: new Date().toISOString(),
      user_id: 'cust-77',
    };
    const res = await post('/v1/sources/backend/events', JSON.stringify(server), { 'x-api-key': 'backend-key' });
    assert.equal(res.status, 202);
    const got = await sink.waitFor(before + 2, 30_000);
    const bodies = got.slice(before).map((r) => r.json as { customerId: string });
    assert.deepEqual(bodies.map((b) => b.customerId).sort(), ['412345678', 'cust-77']);
  });

  test('bad input gets a precise 4xx with a machine-readable code, and a metric', async () => {
    const cases: { name: string; path?: string; body: string; headers?: Record<string, string>; status: number; code: string }[] = [
      { name: 'malformed JSON', body: '{"eventId": ', status: 400, code: 'malformed_json' },
      { name: 'wrong key', body: '{}', headers: { 'x-api-key': 'nope' }, status: 401, code: 'unauthorized' },
      { name: 'unknown source', path: '/v1/sources/nobody/events', body: '{}', status: 404, code: 'unknown_source' },
      {
        name: 'not JSON',
        body: 'a=1',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        status: 415,
        code: 'unsupported_media_type',
      },
      { name: 'too large', body: JSON.stringify({ pad: 'x'.repeat(70 * 1024) }), status: 413, code: 'payload_too_large' },
      { name: 'schema', body: JSON.stringify({ eventName: 'pointsIssued', data: {} }), status: 422, code: 'schema_violation' },
      {
        name: 'unknown event',
        body: JSON.stringify({ ...capillaryPointsIssued(), eventName: 'pointsissued' }),
        status: 422,
        code: 'unknown_event',
      },
    ];
    for (const c of cases) {
      const res = await post(c.path ?? '/v1/sources/capillary/events', c.body, c.headers);
      assert.equal(res.status, c.status, c.name);
      const body = (await res.json()) as { code: string; requestId: string; issues?: { path: string }[] };
      assert.equal(body.code, c.code, c.name);
      assert.ok(body.requestId, `${c.name}: requestId`);
      if (c.code === 'schema_violation')
        assert.ok(
          body.issues?.some((i) => i.path === 'eventId'),
          JSON.stringify(body),
        );
    }
    const missingKey = await fetch(`${base}/v1/sources/capillary/events`, {
      method: 'POST',
      body: '{}',
      headers: { 'content-type': 'application/json' },
    });
    assert.equal(missingKey.status, 401);
    const metrics = await (await fetch(`${base}/metrics`)).text();
    assert.match(metrics, /relay_events_rejected_total\{source="capillary",code="malformed_json"\} 1/);
    assert.match(metrics, /relay_events_accepted_total\{source="capillary",outcome="duplicate"\} 1/);
  });

  test('a destination created through the management API receives the next event; disabled, it receives no more', async () => {
    const admin = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
      fetch(`${base}/v1${path}`, {
        method,
        headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json', ...headers },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
    const apiSecret = 'Bearer api-made-secret-4410';
    const created = await admin('POST', '/destinations', {
      name: 'api-made',
      kind: 'webhook',
      events: ['rewardIssued'],
      url: `${apiSink.url}/from-api/{{ event.customer.id }}`,
      headers: [{ key: 'Authorization', value: apiSecret, secret: true }],
    });
    assert.equal(created.status, 201, await created.clone().text());
    const etag = created.headers.get('etag') ?? '';

    const reward = (id: string) =>
      JSON.stringify({
        event_id: id,
        event_name: 'rewardIssued',
        event_properties: {},
        timestamp: new Date().toISOString(),
        user_id: 'cust-9',
      });
    const first = await post('/v1/sources/backend/events', reward(randomUUID()), { 'x-api-key': 'backend-key' });
    assert.equal(first.status, 202);
    const { workflowId } = (await first.json()) as { workflowId: string };
    const [delivery] = await apiSink.waitFor(1, 30_000);
    assert.equal(delivery?.url, '/from-api/cust-9');
    assert.equal(delivery?.headers.authorization, apiSecret);
    const handle = client.workflow.getHandle<typeof relayEvent>(workflowId);
    const result = await handle.result();
    assert.equal(result.destinations[0]?.destinationVersion, '1');
    const history = JSON.stringify(await handle.fetchHistory());
    assert.ok(!history.includes('api-made-secret-4410'), 'the API-made secret header is in workflow history');

    const disabled = await admin(
      'PUT',
      '/destinations/api-made',
      { ...((await created.json()) as object), enabled: false },
      { 'if-match': etag },
    );
    assert.equal(disabled.status, 200, await disabled.text());
    const second = await post('/v1/sources/backend/events', reward(randomUUID()), { 'x-api-key': 'backend-key' });
    const next = await client.workflow.getHandle<typeof relayEvent>(((await second.json()) as { workflowId: string }).workflowId).result();
    assert.equal(next.status, 'no_subscribers');
    assert.equal(apiSink.requests.length, 1);
  });

  test('GET /v1/openapi.json describes the management and ingestion endpoints', async () => {
    const doc = (await (await fetch(`${base}/v1/openapi.json`)).json()) as { openapi: string; paths: Record<string, unknown> };
    assert.match(doc.openapi, /^3\./);
    assert.ok(doc.paths['/v1/destinations'] && doc.paths['/v1/sources/{sourceId}/events']);
  });

  test('SIGTERM shuts down gracefully and releases the Temporal port', async () => {
    const code = await relay.stop('SIGTERM');
    assert.equal(code, 0, relay.output());
    await assert.rejects(fetch(`${base}/healthz`));
  });
});

describe('receiver with Temporal unreachable', () => {
  test('answers 503 with Retry-After, and /readyz says not ready', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'relay-e2e-down-'));
    // This receiver keeps its configuration on the machine's PostgreSQL (the other suite: embedded).
    const database = await createTestDatabase();
    writeFileSync(join(dir, 'relay.yaml'), 'sources: [{ id: capillary, kind: capillary, auth: { key: k } }]\n');
    const port = await freePort();
    const receiver = spawnRelay('src/entry/receiver-main.ts', {
      PORT: String(port),
      HOST: '127.0.0.1',
      RELAY_CONFIG: join(dir, 'relay.yaml'),
      RELAY_DATA_DIR: join(dir, 'data'),
      DATABASE_URL: database.url,
      TEMPORAL_ADDRESS: `127.0.0.1:${await freePort()}`,
      RELAY_START_TIMEOUT_MS: '1500',
      LOG_LEVEL: 'silent',
    });
    try {
      await receiver.waitFor(`http://127.0.0.1:${port}/healthz`);
      const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
      assert.equal(ready.status, 503);
      const res = await fetch(`http://127.0.0.1:${port}/v1/sources/capillary/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': 'k' },
        body: JSON.stringify(capillaryPointsIssued()),
      });
      assert.equal(res.status, 503);
      assert.match(res.headers.get('retry-after') ?? '', /^\d+$/);
      assert.equal(((await res.json()) as { code: string }).code, 'temporal_unavailable');
    } finally {
      assert.equal(await receiver.stop('SIGTERM'), 0, receiver.output());
      await database.drop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('start-up refusals', () => {
  test('NODE_ENV=production without RELAY_MASTER_KEY exits 1 with a message saying how to make one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'relay-e2e-key-'));
    const receiver = spawnRelay('src/entry/receiver-main.ts', {
      NODE_ENV: 'production',
      RELAY_DATA_DIR: join(dir, 'data'),
      RELAY_MASTER_KEY: '',
      PORT: String(await freePort()),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'silent',
    });
    try {
      const code = receiver.proc.exitCode ?? (await new Promise<number | null>((resolve) => receiver.proc.once('exit', resolve)));
      assert.equal(code, 1, receiver.output());
      assert.match(receiver.output(), /refusing to start without RELAY_MASTER_KEY/);
      assert.match(receiver.output(), /openssl rand -base64 32/);
      assert.doesNotMatch(receiver.output(), /\n\s+at /, 'an operator error prints its message, not a stack');
    } finally {
      await receiver.stop('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
