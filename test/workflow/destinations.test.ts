/**
 * Destination kinds, authentication, signing, concurrency limits and outbound safety, through
 * the relayEvent workflow on a real Temporal dev server, against real local HTTPS servers.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import { Webhook } from 'standardwebhooks';
import type { CanonicalEvent } from '../../src/model/canonical-event';
import { createCredentialProvider, type CredentialProvider } from '../../src/destinations/credentials';
import { createHttpClient } from '../../src/http/client';
import { createLoyaltyApi } from '../../src/enrichment/loyalty-api';
import type { RelayEventOutcome, RelayEventResult } from '../../workflows';
import { startHttpsSink, type HttpsSink, type HttpsSinkOptions } from '../helpers/https-sink';
import { startLoyaltyApi, type FakeCustomer, type LoyaltyApiFake } from '../helpers/loyalty-api';
import { pgStoreFor } from '../helpers/config-store';
import { startRelayWorker } from '../helpers/temporal';
import { samplePointsIssued, useTestTemporal } from '../helpers/workflow-suite';

const LOCAL = ['127.0.0.0/8', '::1'];
const t = useTestTemporal();
const anEvent = samplePointsIssued;

async function sink(opts: HttpsSinkOptions = {}): Promise<HttpsSink> {
  const s = await startHttpsSink(opts);
  t.cleanup(() => s.close());
  return s;
}

interface Relay {
  run(event: CanonicalEvent): Promise<RelayEventResult | RelayEventOutcome>;
  credentials: CredentialProvider;
  loyalty: LoyaltyApiFake;
}

/** A worker for this configuration document, on a fresh task queue. */
async function relay(
  doc: Record<string, unknown>,
  env: Record<string, string> = {},
  options: { allowPrivateNetworks?: string[]; customers?: Record<string, FakeCustomer>; ca?: string } = {},
): Promise<Relay> {
  const loyalty = await startLoyaltyApi({ '919999000001': { totalPoints: 4500 } }, { customers: options.customers ?? {} });
  const { store, drop } = await pgStoreFor(doc, env);
  const http = createHttpClient({ extraCa: options.ca ?? (await sink()).ca, allowPrivateNetworks: options.allowPrivateNetworks ?? LOCAL });
  const credentials = createCredentialProvider(store, http);
  const worker = await startRelayWorker(
    t.server,
    { store, http, credentials, loyaltyApi: createLoyaltyApi(http, { baseUrl: loyalty.url }), backoff: { initialMs: 100, maxMs: 400 } },
    'dest',
  );
  t.cleanup(async () => {
    await worker.stop();
    await http.close();
    await loyalty.close();
    await drop();
  });
  return { credentials, loyalty, run: worker.run };
}

describe('destination kinds on the wire', () => {
  test('moengage: a user event syncs the customer, then sends the event, with Basic auth and MOE-APPKEY', async () => {
    const moe = await sink({ respond: () => ({ status: 200, body: '{"status":"success"}' }) });
    const r = await relay(
      {
        destinations: [
          {
            name: 'moe',
            kind: 'moengage',
            events: ['customerAdded'],
            dataCenter: '02',
            workspaceId: 'WS42',
            dataApiKey: '${MOE_KEY}',
            baseUrl: moe.url,
            enrichment: { pointsBalance: true },
          },
        ],
      },
      { MOE_KEY: 'moe-data-key' },
    );
    const event = anEvent({ name: 'customerAdded', type: 'user', traits: { first_name: 'Asha' }, properties: { tier: 'Gold' } });
    const result = await r.run(event);
    assert.equal(result.status, 'delivered', JSON.stringify(result));
    assert.equal(result.destinations[0]?.requests, 2);
    const [customer, ev] = moe.requests;
    assert.ok(customer && ev && moe.requests.length === 2);
    const basic = `Basic ${Buffer.from('WS42:moe-data-key').toString('base64')}`;
    for (const req of [customer, ev]) {
      assert.equal(req.method, 'POST');
      assert.equal(req.headers.authorization, basic);
      assert.equal(req.headers['moe-appkey'], 'WS42');
      assert.equal(req.headers['content-type'], 'application/json');
    }
    assert.equal(customer.url, '/v1/customer/WS42');
    assert.deepEqual(customer.json, {
      type: 'customer',
      customer_id: '412345678',
      attributes: { mobile: '919999000001', first_name: 'Asha' },
    });
    assert.equal(ev.url, '/v1/event/WS42');
    assert.deepEqual(ev.json, {
      type: 'event',
      customer_id: '412345678',
      actions: [
        {
          action: 'customerAdded',
          attributes: { tier: 'Gold', points_balance: 4500 },
          current_time: Math.floor(Date.parse(event.occurredAt) / 1000),
        },
      ],
    });
    assert.notEqual(customer.headers['webhook-id'], ev.headers['webhook-id'], 'each request has its own idempotency key');
  });

  test('customerglu: the server format with X-API-KEY', async () => {
    const glu = await sink();
    const r = await relay(
      { destinations: [{ name: 'glu', kind: 'customerglu', events: ['pointsIssued'], writeKey: '${CG_KEY}', baseUrl: glu.url }] },
      { CG_KEY: 'cg-write-key' },
    );
    const event = anEvent();
    assert.equal((await r.run(event)).status, 'delivered');
    const [req] = glu.requests;
    assert.equal(req?.method, 'POST');
    assert.equal(req?.url, '/server/v4');
    assert.equal(req?.headers['x-api-key'], 'cg-write-key');
    assert.deepEqual(req?.json, {
      event_id: event.id,
      event_name: 'pointsIssued',
      event_properties: event.properties,
      timestamp: event.occurredAt,
      user_id: '412345678',
    });
  });

  test('vendor ids and profile updates: customerIdFrom, userAttributes on tierUpgraded; no id at the path fails that destination only, not retried', async () => {
    const moe = await sink({ respond: () => ({ status: 200, body: '{"status":"success"}' }) });
    const glu = await sink();
    const r = await relay(
      {
        destinations: [
          {
            name: 'moe',
            kind: 'moengage',
            events: ['tierUpgraded'],
            dataCenter: '01',
            workspaceId: 'WS1',
            dataApiKey: '${MOE_KEY}',
            baseUrl: moe.url,
            customerIdFrom: 'event.customer.identifiers.externalId',
            userAttributes: {
              tier: '{{ event.properties.upgradedTierNumber }}',
              points_balance: '{{ enrichment.pointsBalance.totalPoints }}',
            },
            enrichment: { pointsBalance: true },
            parkingPeriodSeconds: 1,
          },
          {
            name: 'glu',
            kind: 'customerglu',
            events: ['tierUpgraded'],
            writeKey: '${CG_KEY}',
            baseUrl: glu.url,
            enrichment: { pointsBalance: true },
          },
        ],
      },
      { MOE_KEY: 'k', CG_KEY: 'g' },
    );
    const tier = (customer: CanonicalEvent['customer']) =>
      anEvent({ id: randomBytes(8).toString('hex'), name: 'tierUpgraded', customer, properties: { upgradedTierNumber: 2 } });
    const okEvent = tier({ id: '412345678', identifiers: { mobile: '919999000001', externalId: 'EXT-9' } });
    const ok = await r.run(okEvent);
    assert.equal(ok.status, 'delivered', JSON.stringify(ok));
    assert.deepEqual(
      moe.requests.map((q) => [q.url, (q.json as { customer_id: string }).customer_id]),
      [
        ['/v1/customer/WS1', 'EXT-9'],
        ['/v1/event/WS1', 'EXT-9'],
      ],
    );
    assert.deepEqual((moe.requests[0]?.json as { attributes: unknown }).attributes, { tier: 2, points_balance: 4500 });
    assert.deepEqual(glu.requests[0]?.json, {
      event_id: okEvent.id,
      event_name: 'tierUpgraded',
      event_properties: { upgradedTierNumber: 2, points_balance: 4500 },
      timestamp: okEvent.occurredAt,
      user_id: '412345678',
    });

    const missing = await r.run(tier({ id: '412345678', identifiers: { mobile: '919999000001' } }));
    assert.equal(missing.status, 'partially_delivered', JSON.stringify(missing));
    const byName = Object.fromEntries(missing.destinations.map((d) => [d.destination, d]));
    assert.equal(byName.moe?.status, 'failed');
    assert.equal(byName.moe?.error?.type, 'TemplateRenderFailed');
    assert.match(byName.moe?.error?.message ?? '', /customerIdFrom "event\.customer\.identifiers\.externalId" has no value for this event/);
    assert.equal(byName.moe?.attempts, 1, 'not retried: the same event would fail the same way');
    assert.equal(byName.glu?.status, 'delivered', 'the other destination is unaffected');
    assert.equal(moe.requests.length, 2, 'nothing more sent to MoEngage');
  });

  test('one enrich call per event serves every destination; card numbers only where asked for', async () => {
    const hooks = await sink();
    const body = {
      ids: '{{ enrichment.customerIdentifiers }}',
      store: '{{ enrichment.store.code }}',
      till: '{{ enrichment.till.code }}',
      ref: '{{ enrichment.awardedReferenceId }}',
    };
    const r = await relay(
      {
        destinations: [
          {
            name: 'a',
            kind: 'webhook',
            events: ['pointsIssued'],
            url: `${hooks.url}/a`,
            body,
            enrichment: { customerIdentifiers: 'INSTORE', cardNumbers: true, store: true, till: true, awardedReferenceId: true },
          },
          {
            name: 'b',
            kind: 'webhook',
            events: ['pointsIssued'],
            url: `${hooks.url}/b`,
            body,
            enrichment: { customerIdentifiers: 'INSTORE', store: true, till: true, awardedReferenceId: true },
          },
        ],
      },
      {},
      {
        customers: {
          '919999000001': {
            id: 77,
            sources: { INSTORE: { mobile: '919999000001', email: 'asha@example.com' } },
            cardNumbers: ['CARD-0001'],
          },
        },
      },
    );
    assert.equal((await r.run(anEvent())).status, 'delivered');
    const byPath = Object.fromEntries(hooks.requests.map((q) => [q.url, q.json]));
    const common = { store: 'blr-01', till: 'till-07', ref: 'bill-88121' };
    assert.deepEqual(byPath['/a'], {
      ids: { source: 'INSTORE', id: 77, mobile: '919999000001', email: 'asha@example.com', cardNumbers: ['CARD-0001'] },
      ...common,
    });
    assert.deepEqual(byPath['/b'], { ids: { source: 'INSTORE', id: 77, mobile: '919999000001', email: 'asha@example.com' }, ...common });
    assert.equal(r.loyalty.requests.filter((q) => q.path === '/v2/customers/lookup/customerDetails').length, 1);
  });
});

describe('authentication and signing', () => {
  test('OAuth client credentials: one token for many deliveries, refreshed once after a 401', async () => {
    let issued = 0;
    const auth = await sink({
      respond: () => ({
        status: 200,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ access_token: `tok-${++issued}`, token_type: 'Bearer', expires_in: 3600 }),
      }),
    });
    let revoked = false;
    const api = await sink({
      respond: (req) => (revoked && req.headers.authorization === 'Bearer tok-1' ? { status: 401 } : { status: 200 }),
    });
    const r = await relay(
      {
        credentials: [
          {
            name: 'crm',
            type: 'oauth2',
            tokenUrl: `${auth.url}/oauth/token`,
            clientId: 'relay-client',
            clientSecret: '${CLIENT_SECRET}',
            scope: 'events:write',
            audience: 'https://api.example.com',
          },
        ],
        destinations: [
          { name: 'one', kind: 'webhook', events: ['pointsIssued'], url: `${api.url}/one`, auth: 'crm' },
          { name: 'two', kind: 'webhook', events: ['pointsIssued'], url: `${api.url}/two`, auth: 'crm' },
        ],
      },
      { CLIENT_SECRET: 'oauth-client-secret' },
    );
    const results = await Promise.all(Array.from({ length: 4 }, () => r.run(anEvent())));
    assert.ok(results.every((x) => x.status === 'delivered'));
    assert.equal(api.requests.length, 8);
    assert.equal(auth.requests.length, 1, 'one token request for 8 deliveries over 2 destinations');
    assert.ok(api.requests.every((q) => q.headers.authorization === 'Bearer tok-1'));
    const [tokenReq] = auth.requests;
    assert.equal(tokenReq?.headers['content-type'], 'application/x-www-form-urlencoded');
    assert.equal(tokenReq?.headers.authorization, `Basic ${Buffer.from('relay-client:oauth-client-secret').toString('base64')}`);
    assert.deepEqual(Object.fromEntries(new URLSearchParams(tokenReq?.body)), {
      grant_type: 'client_credentials',
      scope: 'events:write',
      audience: 'https://api.example.com',
    });

    revoked = true;
    const before = api.requests.length;
    const result = await r.run(anEvent());
    assert.equal(result.status, 'delivered');
    assert.ok(
      result.destinations.every((d) => d.attempts === 1),
      'the refresh-and-retry happens inside one attempt',
    );
    assert.equal(auth.requests.length, 2, 'the 401 caused exactly one refresh');
    const after = api.requests.slice(before);
    assert.equal(after.filter((q) => q.headers.authorization === 'Bearer tok-2').length, 2);
  });

  test('Standard Webhooks signatures verify with the standardwebhooks library, same id on a retry', async () => {
    const secret = `whsec_${randomBytes(32).toString('base64')}`;
    const hooks = await sink({ respond: (_q, i) => (i === 0 ? { status: 503 } : { status: 200 }) });
    const r = await relay(
      {
        destinations: [
          {
            name: 'signed',
            kind: 'webhook',
            events: ['pointsIssued'],
            url: `${hooks.url}/s`,
            signing: { secret: '${WHSEC}' },
            body: { c: '{{ event.customer.id }}' },
          },
        ],
      },
      { WHSEC: secret },
    );
    assert.equal((await r.run(anEvent())).status, 'delivered');
    assert.equal(hooks.requests.length, 2);
    const verifier = new Webhook(secret);
    for (const q of hooks.requests) assert.deepEqual(verifier.verify(q.body, q.headers), { c: '412345678' });
    assert.equal(hooks.requests[0]?.headers['webhook-id'], hooks.requests[1]?.headers['webhook-id']);
  });

  test('Basic, bearer and API-key credential sets', async () => {
    const hooks = await sink();
    const r = await relay(
      {
        credentials: [
          { name: 'b', type: 'basic', username: 'u', password: '${PW}' },
          { name: 't', type: 'bearer', token: '${TOKEN}' },
          { name: 'k', type: 'apiKey', header: 'X-Api-Key', value: '${KEY}' },
        ],
        destinations: ['b', 't', 'k'].map((c) => ({
          name: c,
          kind: 'webhook',
          events: ['pointsIssued'],
          url: `${hooks.url}/${c}`,
          auth: c,
        })),
      },
      { PW: 'pw', TOKEN: 'tok', KEY: 'key' },
    );
    assert.equal((await r.run(anEvent())).status, 'delivered');
    const by = Object.fromEntries(hooks.requests.map((q) => [q.url, q.headers]));
    assert.equal(by['/b']?.authorization, `Basic ${Buffer.from('u:pw').toString('base64')}`);
    assert.equal(by['/t']?.authorization, 'Bearer tok');
    assert.equal(by['/k']?.['x-api-key'], 'key');
  });
});

describe('limits and outbound safety', () => {
  test('maxConnections 3 with 50 events: the destination never sees more than 3 at once, and gets all 50', async () => {
    const hooks = await sink({ respond: () => ({ status: 200, delayMs: 40 }) });
    const r = await relay({
      destinations: [
        { name: 'capped', kind: 'webhook', events: ['pointsIssued'], url: `${hooks.url}/c`, maxConnections: 3, timeoutSeconds: 60 },
      ],
    });
    const results = await Promise.all(Array.from({ length: 50 }, () => r.run(anEvent())));
    assert.ok(results.every((x) => x.status === 'delivered'));
    assert.equal(hooks.requests.length, 50);
    assert.ok(hooks.maxConcurrent <= 3, `sink saw ${hooks.maxConcurrent} requests at once`);
  });

  test('a destination resolving to a private address is refused at send time, by IP and by name', async () => {
    const hooks = await sink();
    const port = new URL(hooks.url).port;
    const r = await relay(
      {
        destinations: [
          { name: 'by-ip', kind: 'webhook', events: ['pointsIssued'], url: `https://127.0.0.1:${port}/x`, parkingPeriodSeconds: 1 },
          { name: 'by-name', kind: 'webhook', events: ['pointsIssued'], url: `https://localhost:${port}/x`, parkingPeriodSeconds: 1 },
        ],
      },
      {},
      { allowPrivateNetworks: [] },
    );
    const result = await r.run(anEvent());
    assert.equal(result.status, 'failed');
    for (const d of result.destinations) {
      assert.equal(d.error?.type, 'DestinationAddressRefused', JSON.stringify(d));
      assert.match(d.error?.message ?? '', /127\.0\.0\.1|::1/);
      assert.equal(d.attempts, 1);
    }
    assert.equal(hooks.requests.length, 0);
  });
});
