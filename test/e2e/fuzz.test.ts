/**
 * Fuzz: thousands of generated requests — realistic events of every source kind, mutated
 * (truncated, nested deep, polluted with __proto__, invalid UTF-8, random JSON and bytes, wrong
 * credentials and content types) — at the real receiver (listening as the relay does), which
 * starts workflows on a real Temporal dev server, run by a real relay worker that delivers to
 * local HTTPS destinations (one answering 200, one refusing with 400). Properties: no 5xx, the
 * receiver keeps answering, every 4xx carries a `code`, and every event answered 2xx *ends*:
 * its run completes, fails with a reason, or is visibly parked (RelayDeliveryStatus failed or
 * partially_delivered) — never left pending, retrying, or looping on a failing workflow task.
 *
 * FUZZ_RUNS (default 500: the suite runs on shared machines) sets the number of requests; FUZZ_SEED replays a run.
 */
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import type { Server } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { Client, Connection, WorkflowFailedError } from '@temporalio/client';
import fc from 'fast-check';
import { createHttpClient, type HttpClient } from '../../src/http/client';
import { createLogger } from '../../src/telemetry/logger';
import { createMetrics } from '../../src/telemetry/metrics';
import { createReceiverApp } from '../../src/receiver/app';
import { webengageSecret } from '../../src/receiver/auth';
import { listenReceiver } from '../../src/receiver/listen';
import { createAuthThrottle, DEFAULT_AUTH_THROTTLE } from '../../src/http/inbound/throttle';
import { createTemporalStarter } from '../../src/receiver/starter';
import { createTokenService } from '../../src/receiver/tokens';
import { CAPILLARY_EVENTS } from '../../src/sources/capillary';
import type { DevServer } from '../../src/temporal/dev-server';
import { DeliveryStatus } from '../../workflows/search-attributes';
import { pgStoreFor } from '../helpers/config-store';
import { startHttpsSink, type HttpsSink } from '../helpers/https-sink';
import { startRelayWorker, startTestTemporal, testDataConverter, type RelayWorker } from '../helpers/temporal';

const RUNS = Number(process.env.FUZZ_RUNS ?? 500);
/** Printed with the results, so any run can be replayed with FUZZ_SEED. */
const SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : Math.floor(Math.random() * 2 ** 31);
const LIMIT = 32 * 1024;

const SOURCES = [
  { id: 'server', kind: 'server', auth: { key: 'k-server' } },
  { id: 'capillary', kind: 'capillary', auth: { type: 'basic', username: 'cap', password: 'k-cap' } },
  {
    id: 'kognitiv',
    kind: 'kognitiv',
    auth: { type: 'oauth', clientId: 'kog', clientSecret: 'k-kog' },
    mapping: { id: '$.id', name: '$.type', memberId: '$.member.id', time: '$.at' },
  },
  { id: 'segment', kind: 'segment', auth: { type: 'signature', secret: 'k-segment' } },
  { id: 'clevertap', kind: 'clevertap', auth: { key: 'k-clevertap' } },
  { id: 'webengage', kind: 'webengage', auth: { type: 'webengage', licenseCode: '~lic', secretKey: 'k-we' } },
  { id: 'moengage', kind: 'moengage', auth: { key: 'k-moengage' } },
  { id: 'amplitude', kind: 'amplitude', auth: { key: 'k-amplitude' } },
] as const;
type SourceId = (typeof SOURCES)[number]['id'];

/**
 * Where accepted events go: `crm` answers 200 (delivered), `refuser` answers 400 (the run parks).
 * Placeholders in the path, query and a header render the fuzzed names and ids. A short retry window, so
 * a delivery that kept retrying would end (parked) within the test's wait, not after a day.
 */
const NAMES = ['pointsIssued', 'Purchase', 'RewardIssued', 'purchaseCompleted', 'cart_abandoned'];
function destinations(ok: string, refusing: string) {
  return [
    {
      name: 'crm',
      kind: 'webhook',
      events: [...new Set([...NAMES, ...CAPILLARY_EVENTS])],
      url: `${ok}/hook/{{ event.name }}?customer={{ event.customer.id }}`,
      headers: [{ key: 'X-Customer', value: '{{ event.customer.id | default: "" }}' }],
      retryWindowSeconds: 20,
    },
    { name: 'refuser', kind: 'webhook', events: ['cart_abandoned', 'RewardIssued'], url: `${refusing}/nope`, retryWindowSeconds: 20 },
  ];
}
/** A run still open after this long is stuck (the retry window above, with room for a slow machine). */
const END_WITHIN_MS = 120_000;

// ---- generators of plausible bodies, per kind -------------------------------------------------
const weird = fc.constantFrom('', ' ', '__proto__', 'constructor', 'prototype', '\u0000', '💥', '\ud800', 'x'.repeat(300), '1e400');
const text = fc.oneof({ weight: 6, arbitrary: fc.string({ minLength: 1, maxLength: 20 }) }, { weight: 1, arbitrary: weird });
const id = fc.oneof(
  { weight: 8, arbitrary: fc.uuid() },
  { weight: 1, arbitrary: text },
  { weight: 1, arbitrary: fc.constantFrom(2 ** 53 + 2, 1e21, -1, 1.5, 42) },
);
const past = fc.date({ min: new Date('2020-01-01T00:00:00Z'), max: new Date('2025-01-01T00:00:00Z'), noInvalidDate: true });
const future = fc.date({ min: new Date('2100-01-01T00:00:00Z'), max: new Date('2200-01-01T00:00:00Z'), noInvalidDate: true });
const iso = fc.oneof(
  { weight: 8, arbitrary: past.map((d) => d.toISOString()) },
  { weight: 1, arbitrary: future.map((d) => d.toISOString()) },
  { weight: 1, arbitrary: text },
);
const epochMs = fc.oneof(
  { weight: 8, arbitrary: past.map((d) => d.getTime()) },
  { weight: 1, arbitrary: fc.double() },
  { weight: 1, arbitrary: iso },
);
const epochS = fc.oneof(
  { weight: 8, arbitrary: past.map((d) => Math.floor(d.getTime() / 1000)) },
  { weight: 1, arbitrary: fc.double() },
  { weight: 1, arbitrary: text },
);
const props = fc.dictionary(fc.string({ maxLength: 12 }), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 5 });
const name = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('pointsIssued', 'Purchase', 'RewardIssued', 'cart_abandoned') },
  { weight: 1, arbitrary: text },
);
/** Sometimes drop a key, sometimes replace a value by anything. */
function sloppy<T extends Record<string, unknown>>(arb: fc.Arbitrary<T>): fc.Arbitrary<Record<string, unknown>> {
  return fc
    .tuple(
      arb,
      fc.nat(),
      fc.oneof(
        { weight: 8, arbitrary: fc.constant<'keep'>('keep') },
        { weight: 1, arbitrary: fc.constant<'drop'>('drop') },
        { weight: 1, arbitrary: fc.constant<'swap'>('swap') },
      ),
      fc.jsonValue({ maxDepth: 2 }),
    )
    .map(([obj, n, how, value]) => {
      const keys = Object.keys(obj);
      const key = keys[n % Math.max(keys.length, 1)];
      if (how === 'keep' || key === undefined) return obj;
      const copy: Record<string, unknown> = { ...obj };
      if (how === 'drop') delete copy[key];
      else copy[key] = value;
      return copy;
    });
}

const bodies: Record<SourceId, fc.Arbitrary<unknown>> = {
  server: sloppy(fc.record({ event_id: id, event_name: name, event_properties: props, timestamp: iso, user_id: text })),
  capillary: sloppy(
    fc.record({
      eventName: fc.oneof({ weight: 9, arbitrary: fc.constantFrom(...CAPILLARY_EVENTS) }, { weight: 1, arbitrary: text }),
      eventId: id,
      createdAt: epochMs,
      data: fc.record({
        customerIdentifiers: fc.record({
          customerId: fc.oneof(fc.nat(), fc.constant(2 ** 64), text),
          instore: fc.record({ mobile: text, email: text }),
        }),
        loyaltyProgramId: fc.oneof(fc.nat(), text),
        pointsExpired: fc.oneof(fc.nat(), text),
        totalPointsIssued: fc.nat(),
      }),
    }),
  ),
  kognitiv: sloppy(
    fc.record({ id, type: name, member: fc.record({ id: fc.oneof(text, fc.nat()) }), at: fc.oneof(iso, epochMs), reward: props }),
  ),
  segment: sloppy(
    fc.record({
      type: fc.constantFrom('track', 'identify', 'page'),
      messageId: id,
      userId: fc.oneof(text, fc.nat()),
      event: name,
      properties: props,
      traits: props,
      timestamp: iso,
    }),
  ),
  clevertap: sloppy(
    fc.record({
      target_id: fc.nat(),
      profiles: fc.array(
        sloppy(fc.record({ Identity: fc.oneof(text, fc.nat()), email: text, ts: epochS, key_values: props, profileData: props })),
        { maxLength: 4 },
      ),
    }),
  ),
  webengage: sloppy(
    fc.record({
      event_name: name,
      event_time: iso,
      license_code: fc.constantFrom('~lic', '~lic', '~other'),
      user_id: text,
      event_data: props,
    }),
  ),
  moengage: sloppy(
    fc.record({
      app_name: text,
      moe_request_id: fc.uuid(),
      events: fc.array(
        sloppy(fc.record({ event_name: name, event_uuid: id, event_time: epochS, uid: fc.oneof(text, fc.nat()), event_attributes: props })),
        { maxLength: 6 },
      ),
    }),
  ),
  amplitude: sloppy(
    fc.record({ event_type: name, user_id: text, insert_id: id, time: epochMs, event_properties: props, user_properties: props }),
  ),
};

// ---- mutations of the serialized body ---------------------------------------------------------
type Mutation = (bytes: Buffer) => Buffer;
const mutation: fc.Arbitrary<{ label: string; apply: Mutation }> = fc.oneof(
  { weight: 12, arbitrary: fc.constant({ label: 'none', apply: (b: Buffer) => b }) },
  { weight: 2, arbitrary: fc.nat().map((n) => ({ label: 'truncate', apply: (b: Buffer) => b.subarray(0, n % Math.max(b.length, 1)) })) },
  {
    weight: 1,
    arbitrary: fc.constantFrom('__proto__', '\\u005f_proto__', 'constructor').map((k) => ({
      label: 'pollute',
      apply: (b: Buffer) =>
        Buffer.from(
          b.toString().replace('{', k === 'constructor' ? '{"constructor":{"prototype":{"admin":true}},' : `{"${k}":{"admin":true},`),
        ),
    })),
  },
  {
    weight: 1,
    arbitrary: fc
      .integer({ min: 20, max: 20_000 })
      .map((n) => ({ label: 'nest', apply: (b: Buffer) => Buffer.from('['.repeat(n) + b.toString() + ']'.repeat(n)) })),
  },
  {
    weight: 1,
    arbitrary: fc.nat().map((n) => ({
      label: 'bad-utf8',
      apply: (b: Buffer) => Buffer.concat([b.subarray(0, n % (b.length + 1)), Buffer.from([0xff, 0xc3]), b.subarray(n % (b.length + 1))]),
    })),
  },
  {
    weight: 1,
    arbitrary: fc.constant({ label: 'oversize', apply: (b: Buffer) => Buffer.from(`[${b.toString()},"${'x'.repeat(LIMIT)}"]`) }),
  },
  {
    weight: 1,
    arbitrary: fc.integer({ min: 1000, max: 8000 }).map((n) => ({ label: 'huge-array', apply: () => Buffer.from(`[${'0,'.repeat(n)}0]`) })),
  },
  { weight: 2, arbitrary: fc.jsonValue().map((v) => ({ label: 'random-json', apply: () => Buffer.from(JSON.stringify(v) ?? 'null') })) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary' }).map((s) => ({ label: 'random-text', apply: () => Buffer.from(s) })) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 200 }).map((a) => ({ label: 'random-bytes', apply: () => Buffer.from(a) })) },
);
const credentials = fc.oneof(
  { weight: 10, arbitrary: fc.constant('right' as const) },
  { weight: 1, arbitrary: fc.constant('wrong' as const) },
  { weight: 1, arbitrary: fc.constant('none' as const) },
);
const contentType = fc.oneof(
  { weight: 12, arbitrary: fc.constant('application/json') },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      'application/json; charset=utf-8',
      'application/vnd.api+json',
      'text/plain',
      'application/x-www-form-urlencoded',
      '',
      'application/json; charset=latin1',
    ),
  },
);

describe('fuzz: generated requests at the receiver with a real Temporal', () => {
  let temporal: DevServer;
  let client: Client;
  let server: Server;
  let base: string;
  let bearer: string;
  let dropStore: (() => Promise<void>) | undefined;
  let ok: HttpsSink;
  let refusing: HttpsSink;
  let http: HttpClient;
  let worker: RelayWorker;

  before(async () => {
    temporal = await startTestTemporal();
    client = new Client({ connection: await Connection.connect({ address: temporal.address }), dataConverter: testDataConverter() });
    const tokens = createTokenService({ signingKey: 'fuzz-signing-key-of-at-least-32-characters' });
    ok = await startHttpsSink();
    refusing = await startHttpsSink({ respond: () => ({ status: 400, body: '{"error":"refused"}' }) });
    // The real configuration store (PostgreSQL), as the relay reads it per request.
    const configStore = await pgStoreFor({ sources: SOURCES, destinations: destinations(ok.url, refusing.url) });
    dropStore = configStore.drop;
    // Both sinks share the test certificate; they listen on loopback.
    http = createHttpClient({ extraCa: ok.ca, allowPrivateNetworks: ['127.0.0.0/8', '::1'] });
    worker = await startRelayWorker(temporal, { store: configStore.store, http }, 'fuzz');
    const kog = await configStore.store.getSource('kognitiv');
    assert.ok(kog?.auth.type === 'oauth');
    bearer = (await tokens.issue({ ...kog, auth: kog.auth })).access_token;
    const app = createReceiverApp({
      store: configStore.store,
      starter: createTemporalStarter({
        client,
        taskQueue: worker.taskQueue,
        startTimeoutMs: 10_000,
        logger: createLogger('silent'),
      }),
      logger: createLogger('silent'),
      metrics: createMetrics(),
      maxBodyBytes: LIMIT,
      tokens,
      // One in six requests carries wrong credentials, all from one address: a broken sender,
      // not a guesser. The limits are raised so the fuzz reaches the parsers (the throttle has its own tests).
      authThrottle: createAuthThrottle({ ...DEFAULT_AUTH_THROTTLE, perAddress: 1_000_000, perSource: 1_000_000 }),
    });
    server = await listenReceiver(app, 0, '127.0.0.1');
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });

  after(async () => {
    await new Promise<void>((resolve) => {
      server?.close(() => resolve());
      server?.closeAllConnections();
    });
    await worker?.stop();
    await http?.close();
    await ok?.close();
    await refusing?.close();
    await client?.connection.close();
    await temporal?.stop();
    await dropStore?.();
  });

  function authHeaders(
    source: SourceId,
    how: 'right' | 'wrong' | 'none',
    body: Buffer,
  ): { headers: Record<string, string>; query: string } {
    if (how === 'none') return { headers: {}, query: '' };
    const ok = how === 'right';
    switch (source) {
      case 'capillary':
        return { headers: { authorization: `Basic ${Buffer.from(`cap:${ok ? 'k-cap' : 'nope'}`).toString('base64')}` }, query: '' };
      case 'kognitiv':
        return { headers: { authorization: `Bearer ${ok ? bearer : `${bearer}x`}` }, query: '' };
      case 'segment':
        return {
          headers: {
            'x-signature': createHmac('sha1', ok ? 'k-segment' : 'nope')
              .update(body)
              .digest('hex'),
          },
          query: '',
        };
      case 'webengage':
        return { headers: {}, query: `?secret=${ok ? webengageSecret('~lic', 'k-we') : webengageSecret('~lic', 'nope')}` };
      default:
        return { headers: { 'x-api-key': ok ? `k-${source}` : 'nope' }, query: '' };
    }
  }

  /**
   * How a run stands: ended (completed; failed with a reason; parked, visibly), or still open
   * (with what it shows, for the failure message).
   */
  async function endOf(workflowId: string): Promise<{ ended: boolean; state: string }> {
    const handle = client.workflow.getHandle(workflowId);
    const d = await handle.describe();
    switch (d.status.name) {
      case 'COMPLETED':
        return { ended: true, state: 'completed' };
      case 'FAILED': {
        const reason = await handle.result().then(
          () => '',
          (e: unknown) => (e instanceof WorkflowFailedError ? (e.cause?.message ?? '') : String(e)),
        );
        return { ended: reason.trim() !== '', state: reason ? 'failed with a reason' : 'failed without a reason' };
      }
      case 'RUNNING': {
        const status = d.typedSearchAttributes.get(DeliveryStatus);
        const parked = status === 'failed' || status === 'partially_delivered';
        return { ended: parked, state: parked ? `parked (${status})` : `running (${status ?? 'no status'})` };
      }
      default:
        return { ended: false, state: d.status.name };
    }
  }

  test(`${RUNS} generated requests: no 5xx, a code on every 4xx, every accepted event ends`, async (t) => {
    const statuses = new Map<string, number>();
    const accepted = new Set<string>();
    const sent: { source: SourceId; bytes: Buffer }[] = [];
    let inputs = 0;
    const started = Date.now();

    const request = fc.record({
      source: fc.constantFrom(...SOURCES.map((s) => s.id)),
      mutation,
      credentials,
      contentType,
      resend: fc.oneof({ weight: 9, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.nat() }),
    });
    await fc.assert(
      fc.asyncProperty(
        request.chain((r) => bodies[r.source].map((body) => ({ ...r, body }))),
        async (r) => {
          inputs++;
          const previous = r.resend !== null && sent.length > 0 ? sent[r.resend % sent.length] : undefined;
          const source = previous?.source ?? r.source;
          const bytes = previous?.bytes ?? r.mutation.apply(Buffer.from(JSON.stringify(r.body)));
          const { headers, query } = authHeaders(source, r.credentials, bytes);
          const res = await fetch(`${base}/v1/sources/${source}/events${query}`, {
            method: 'POST',
            body: bytes,
            headers: { ...headers, ...(r.contentType ? { 'content-type': r.contentType } : {}) },
          });
          const text = await res.text();
          assert.ok(res.status < 500, `${res.status} for ${source} ${r.mutation.label}: ${text}`);
          const json = JSON.parse(text) as {
            code?: string;
            workflowId?: string;
            results?: { status: string; code?: string; workflowId?: string }[];
          };
          const label = res.status >= 400 ? `${res.status} ${json.code}` : String(res.status);
          assert.ok(res.status < 400 || typeof json.code === 'string', `${res.status} without a code: ${text}`);
          statuses.set(label, (statuses.get(label) ?? 0) + 1);
          if (res.status < 300) {
            if (json.workflowId) accepted.add(json.workflowId);
            for (const item of json.results ?? []) {
              const key = `  item ${item.status}${item.code ? ` ${item.code}` : ''}`;
              statuses.set(key, (statuses.get(key) ?? 0) + 1);
              if (item.workflowId) accepted.add(item.workflowId);
            }
            if (!previous) sent.push({ source, bytes });
          }
        },
      ),
      { numRuns: RUNS, seed: SEED, endOnFailure: true },
    );
    const fuzzMs = Date.now() - started;

    // The receiver is still up and answering.
    assert.equal((await fetch(`${base}/healthz`)).status, 200);

    // Every event answered as accepted or duplicate is a workflow in Temporal, and it ends.
    const ids = [...accepted];
    assert.ok(ids.length > 0, 'the generators produced no acceptable event: the fuzz test would prove nothing');
    const ends = new Map<string, number>();
    const open = new Map<string, string>(ids.map((wid) => [wid, 'not looked at']));
    const missing: string[] = [];
    const waitUntil = Date.now() + END_WITHIN_MS;
    while (open.size > 0 && Date.now() < waitUntil) {
      const round = [...open.keys()];
      for (let i = 0; i < round.length; i += 16) {
        await Promise.all(
          round.slice(i, i + 16).map(async (wid) => {
            const end = await endOf(wid).catch(() => undefined);
            if (!end) {
              missing.push(wid);
              open.delete(wid);
            } else if (end.ended) {
              const kind = end.state.replace(/ \(.*$/, '');
              ends.set(kind, (ends.get(kind) ?? 0) + 1);
              open.delete(wid);
            } else open.set(wid, end.state);
          }),
        );
      }
      if (open.size > 0) await new Promise((resolve) => setTimeout(resolve, 500));
    }
    assert.deepEqual(missing, [], `${missing.length} accepted events have no workflow`);
    const stuck = [...open.entries()].slice(0, 10).map(([wid, state]) => `${wid}: ${state}`);
    assert.equal(
      open.size,
      0,
      `${open.size} accepted events did not end (completed, failed with a reason, or parked):\n${stuck.join('\n')}`,
    );
    assert.ok(ok.requests.length > 0, 'no event reached the destination: the fuzz test would prove little');

    const table = [...statuses.entries()].sort((a, b) => a[0].localeCompare(b[0])).map(([k, v]) => `${k}: ${v}`);
    t.diagnostic(
      `fuzz: seed ${SEED}, ${inputs} inputs in ${(fuzzMs / 1000).toFixed(1)} s; ${ids.length} workflows ended in ${((Date.now() - started - fuzzMs) / 1000).toFixed(1)} s (${[
        ...ends.entries(),
      ]
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')}); ${ok.requests.length} deliveries, ${refusing.requests.length} refused`,
    );
    for (const line of table) t.diagnostic(`fuzz: ${line}`);
  });
});
