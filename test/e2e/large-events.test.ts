/**
 * Large events end to end: the real `src/entry/main.ts` (embedded dev server, worker, receiver)
 * configured by a RELAY_CONFIG file, on a PostgreSQL store and on the embedded one, a 1 MB event
 * posted through the `server` source to six webhook destinations on a real local HTTPS sink.
 * Before the claim check such an event was accepted with 202, then every workflow task failed
 * with "GRPC Message too large" and was retried for ever (each retry sending the event again).
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test, type TestContext } from 'node:test';
import type { WorkflowHandle } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import type { relayEvent, RelayEventResult } from '../../workflows';
import { openDatabase } from '../../src/db/database';
import { createTestDatabase } from '../helpers/database';
import { startHttpsSink, type HttpsSink } from '../helpers/https-sink';
import { startMainProcess, type MainProcess } from '../helpers/process';

const THRESHOLD = 128 * 1024;
const DESTINATIONS = 6;
const KEY = 'large-events-backend-key';
const CODEC_TOKEN = 'large-events-codec-token-0123456789';

/** Every Payload message in a history (walked as the SDK decoded it from protobuf). */
function payloadsOf(value: unknown, out: temporal.api.common.v1.IPayload[] = []): temporal.api.common.v1.IPayload[] {
  if (value === null || typeof value !== 'object' || value instanceof Uint8Array) return out;
  const candidate = value as temporal.api.common.v1.IPayload;
  if ('metadata' in candidate && 'data' in candidate && (candidate.data === null || candidate.data instanceof Uint8Array)) {
    out.push(candidate);
    return out;
  }
  for (const v of Array.isArray(value) ? value : Object.values(value)) payloadsOf(v, out);
  return out;
}

/**
 * Rejects once the run's history shows a failed workflow task (the old symptom: "GRPC Message
 * too large", retried for ever), so the test fails with that message instead of waiting.
 */
async function failedWorkflowTask(handle: WorkflowHandle, watching: { stop: boolean }): Promise<never> {
  while (!watching.stop) {
    const history = await handle.fetchHistory();
    const failed = history.events?.find((e) => e.workflowTaskFailedEventAttributes);
    if (failed) throw new Error(`a workflow task failed: ${failed.workflowTaskFailedEventAttributes?.failure?.message}`);
    await new Promise((r) => setTimeout(r, 1000));
  }
  return new Promise<never>(() => undefined);
}

/** POST one payload to the relay's codec endpoint (what the Web UI and `temporal workflow show --codec-endpoint` call). */
function codecDecode(base: string, payload: temporal.api.common.v1.IPayload): Promise<Response> {
  const b64 = (bytes: Uint8Array | null | undefined) => Buffer.from(bytes ?? []).toString('base64');
  return fetch(`${base}/codec/decode`, {
    method: 'POST',
    headers: { authorization: `Bearer ${CODEC_TOKEN}`, 'content-type': 'application/json', 'x-namespace': 'default' },
    body: JSON.stringify({
      payloads: [
        { metadata: Object.fromEntries(Object.entries(payload.metadata ?? {}).map(([k, v]) => [k, b64(v)])), data: b64(payload.data) },
      ],
    }),
  });
}

/** `src/entry/main.ts` with six webhook destinations of `bigEvent` on `sink`, configured by a RELAY_CONFIG file in `dir`. */
async function startRelay(dir: string, sink: HttpsSink, env: Record<string, string>): Promise<MainProcess> {
  writeFileSync(join(dir, 'ca.pem'), sink.ca);
  const destinations = Array.from(
    { length: DESTINATIONS },
    (_, i) => `  - { name: hook-${i + 1}, kind: webhook, events: [bigEvent], url: "${sink.url}/hook-${i + 1}" }`,
  ).join('\n');
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
${destinations}
`,
  );
  return startMainProcess(dir, {
    RELAY_MAX_BODY_BYTES: String(2 * 1024 * 1024),
    RELAY_CLAIM_CHECK_THRESHOLD_BYTES: String(THRESHOLD),
    RELAY_CODEC_TOKEN: CODEC_TOKEN,
    ...env,
  });
}

/**
 * Post a 1 MB event, wait for its run, and check what every store must give: all six
 * destinations got the whole event, the run completed, and its raw history (read through a
 * client without the relay's codecs) holds no payload above the threshold — an encryption
 * codec wraps them: a little margin for its envelope.
 */
async function deliverBigEvent(t: TestContext, main: MainProcess, sink: HttpsSink) {
  const big = 'L'.repeat(1_000_000);
  const event = {
    event_id: randomUUID(),
    event_name: 'bigEvent',
    user_id: 'cust-large-1',
    timestamp: new Date().toISOString(),
    event_properties: { receipt: big },
  };
  const body = JSON.stringify(event);
  assert.ok(body.length > 1_000_000);
  const res = await fetch(`${main.base}/v1/sources/backend/events`, {
    method: 'POST',
    body,
    headers: { 'content-type': 'application/json', 'x-api-key': KEY },
  });
  assert.equal(res.status, 202, main.relay.output());
  const { workflowId } = (await res.json()) as { workflowId: string };

  const handle = main.client.workflow.getHandle<typeof relayEvent>(workflowId);
  const watching = { stop: false };
  const result: RelayEventResult = await Promise.race([handle.result(), failedWorkflowTask(handle, watching)]).finally(
    () => (watching.stop = true),
  );
  assert.equal(result.status, 'delivered');
  assert.equal(result.destinations.length, DESTINATIONS);
  assert.ok(result.destinations.every((d) => d.status === 'delivered'));

  const requests = await sink.waitFor(DESTINATIONS, 10_000);
  assert.deepEqual(requests.map((r) => r.url).sort(), Array.from({ length: DESTINATIONS }, (_, i) => `/hook-${i + 1}`).sort());
  for (const r of requests) {
    const delivered = r.json as { properties: { receipt: string }; customer: { id: string } };
    assert.equal(delivered.properties.receipt, big, `${r.url} got the whole event`);
    assert.equal(delivered.customer.id, 'cust-large-1');
  }

  const history = await handle.fetchHistory();
  const payloads = payloadsOf(history);
  assert.ok(payloads.length > 0);
  const largest = Math.max(...payloads.map((p) => temporal.api.common.v1.Payload.encode(p).finish().length));
  assert.ok(largest <= THRESHOLD + 1024, `largest payload in history: ${largest} bytes`);
  const serialized = Buffer.from(temporal.api.history.v1.History.encode(history).finish());
  assert.ok(serialized.length < 4 * THRESHOLD, `history is ${serialized.length} bytes`);
  assert.ok(!serialized.includes(Buffer.from(big.slice(0, 5000))));
  t.diagnostic(`history: ${history.events?.length} events, ${serialized.length} bytes; largest payload ${largest} bytes`);
  return { big, history, bodyBytes: requests[0]!.body.length };
}

/** One stored copy of the body the six destinations were sent; the event's own large value is the other row. */
function assertOneBodyRow(t: TestContext, sizes: number[], bodyBytes: number): void {
  t.diagnostic(`claim_payloads rows (bytes): ${sizes.join(', ')}`);
  assert.ok(sizes.length >= 1 && sizes.length <= 2, `claim_payloads rows: ${sizes.join(', ')}`);
  assert.equal(sizes.filter((n) => n >= bodyBytes && n < bodyBytes + 1024).length, 1, `rows: ${sizes.join(', ')}; body ${bodyBytes} bytes`);
}

describe('large events (claim check, npm start process, PostgreSQL store)', () => {
  let dir: string;
  let sink: HttpsSink;
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let main: MainProcess | undefined;
  /** The first test's run input (a sealed reference), for the cleanup test. */
  let runInput: temporal.api.common.v1.IPayload | undefined;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'relay-large-'));
    sink = await startHttpsSink();
    database = await createTestDatabase();
    main = await startRelay(dir, sink, {
      DATABASE_URL: database.url,
      // The worker's cleanup job every 3 s (default hourly), the retention asked from the dev server (24 h).
      RELAY_CLAIM_CHECK_CLEANUP_MINUTES: '0.05',
    });
  });

  after(async () => {
    await main?.close();
    await sink?.close();
    await database?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  test(
    'a 1 MB event to six destinations is delivered to all six; history holds no payload above the threshold; one stored body',
    { timeout: 180_000 },
    async (t) => {
      const { big, history, bodyBytes } = await deliverBigEvent(t, main!, sink);

      // The codec endpoint (what the Web UI and `temporal workflow show --codec-endpoint` call)
      // resolves the reference: the run's input decodes to the whole event.
      const input = history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
      assert.ok(input);
      runInput = input;
      const decodeRes = await codecDecode(main!.base, input);
      assert.equal(decodeRes.status, 200, await decodeRes.clone().text());
      const decoded = (await decodeRes.json()) as { payloads: { data: string }[] };
      const started = JSON.parse(Buffer.from(decoded.payloads[0]!.data, 'base64').toString('utf8')) as {
        event: { properties: { receipt: string } };
      };
      assert.equal(started.event.properties.receipt, big);

      const { rows } = await database.pool.query<{ size_bytes: number }>('SELECT size_bytes FROM claim_payloads ORDER BY size_bytes');
      assertOneBodyRow(
        t,
        rows.map((r) => r.size_bytes),
        bodyBytes,
      );
    },
  );

  test("the worker's cleanup job deletes stored payloads unreferenced past the retention plus the longest run, and only those", async () => {
    const count = async () => Number((await database.pool.query<{ n: string }>('SELECT count(*) AS n FROM claim_payloads')).rows[0]!.n);
    assert.ok((await count()) >= 1, 'the first test stored payloads');
    // The body's row last referenced within the keep period (24 h dev-server retention + 1 + 7 days default run), the
    // event's large value (the run input's) before it.
    await database.pool.query(`UPDATE claim_payloads SET last_referenced_at = now() - interval '10 days'`);
    await database.pool.query(
      `UPDATE claim_payloads SET last_referenced_at = now() - interval '8 days' WHERE id = (SELECT id FROM claim_payloads ORDER BY size_bytes DESC LIMIT 1)`,
    );
    const deadline = Date.now() + 60_000;
    while ((await count()) > 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 500));
    assert.equal(await count(), 1, main!.relay.output());

    // The run whose stored input is gone: the codec endpoint says so (422, naming the reference), never a 500.
    assert.ok(runInput);
    const gone = await codecDecode(main!.base, runInput);
    assert.equal(gone.status, 422);
    const answer = (await gone.json()) as { code: string; message: string };
    assert.equal(answer.code, 'undecodable_payload');
    assert.match(answer.message, /claim-check payload [A-Za-z0-9_-]{43} is not in the configuration database/);
  });
});

describe('large events on the embedded store (RELAY_CONFIG file, no DATABASE_URL)', () => {
  let dir: string;
  let sink: HttpsSink;
  let main: MainProcess | undefined;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'relay-large-embedded-'));
    sink = await startHttpsSink();
    main = await startRelay(dir, sink, {});
  });

  after(async () => {
    await main?.close();
    await sink?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('the claim check keeps large payloads in the embedded store in RELAY_DATA_DIR', { timeout: 180_000 }, async (t) => {
    const { bodyBytes } = await deliverBigEvent(t, main!, sink);
    // The embedded store has one user at a time: read it once the relay has stopped.
    await main!.close();
    main = undefined;
    const db = await openDatabase({ dataDir: join(dir, 'data'), log: () => undefined });
    try {
      const { rows } = await db.pool.query<{ size_bytes: number }>('SELECT size_bytes FROM claim_payloads ORDER BY size_bytes');
      assertOneBodyRow(
        t,
        rows.map((r) => r.size_bytes),
        bodyBytes,
      );
    } finally {
      await db.close();
    }
  });
});
