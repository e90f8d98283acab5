/**
 * Where the delivery metrics are served, with real processes: `src/entry/worker-main.ts` run alone
 * serves its own /metrics on RELAY_WORKER_METRICS_PORT (a real dev server, the PostgreSQL
 * store, a local HTTPS sink); `npm start`'s one process serves ingest and delivery metrics on
 * one /metrics, the receiver's.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { workflowIdFor } from '../../src/model/canonical-event';
import type { relayEvent } from '../../workflows';
import { pgStoreFor } from '../helpers/config-store';
import { startHttpsSink } from '../helpers/https-sink';
import { freePort } from '../helpers/ports';
import { spawnRelay, startMainProcess, workerEnv } from '../helpers/process';
import { TEST_MASTER_KEY, uniqueTaskQueue } from '../helpers/temporal';
import { samplePointsIssued, useTestTemporal } from '../helpers/workflow-suite';

const t = useTestTemporal();

test('a worker run alone serves its delivery metrics on RELAY_WORKER_METRICS_PORT', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'relay-worker-metrics-'));
  const sink = await startHttpsSink();
  writeFileSync(join(dir, 'ca.pem'), sink.ca);
  // The test client's key: the worker reads the run's sealed input and the client its sealed result.
  const masterKey = TEST_MASTER_KEY;
  const store = await pgStoreFor(
    { destinations: [{ name: 'metrics-sink', kind: 'webhook', events: ['pointsIssued'], url: `${sink.url}/hook` }] },
    {},
    masterKey,
  );
  const port = await freePort();
  const taskQueue = uniqueTaskQueue('worker-metrics');
  const worker = spawnRelay(
    'src/entry/worker-main.ts',
    workerEnv(
      { server: t.server, taskQueue, databaseUrl: store.url, masterKey, dir },
      { RELAY_WORKER_METRICS_PORT: String(port), HOST: '127.0.0.1' },
    ),
  );
  t.cleanup(async () => {
    await worker.stop();
    await sink.close();
    await store.drop();
    rmSync(dir, { recursive: true, force: true });
  });
  const metricsUrl = `http://127.0.0.1:${port}/metrics`;
  await worker.waitFor(metricsUrl);

  const event = samplePointsIssued({ id: randomBytes(8).toString('hex') });
  const result = await t.server.env.client.workflow.execute<typeof relayEvent>('relayEvent', {
    taskQueue,
    workflowId: workflowIdFor(event.source, event.id),
    args: [{ event }],
  });
  assert.equal(result.status, 'delivered', JSON.stringify(result));

  const text = await (await fetch(metricsUrl)).text();
  assert.match(text, /^relay_deliveries_total\{destination="metrics-sink",outcome="delivered"\} 1$/m, worker.output());
  assert.match(text, /^relay_delivery_attempts_total\{destination="metrics-sink",outcome="delivered"\} 1$/m);
  assert.match(text, /^relay_delivery_latency_seconds_count\{destination="metrics-sink"\} 1$/m);
  // The operations gauges, refreshed at start-up by the worker's timer (RELAY_GAUGE_REFRESH_SECONDS).
  let gauges = text;
  for (let i = 0; i < 50 && !/^relay_destination_state\{/m.test(gauges); i++) {
    await new Promise((r) => setTimeout(r, 100));
    gauges = await (await fetch(metricsUrl)).text();
  }
  assert.match(gauges, /^relay_destination_state\{destination="metrics-sink",state="active"\} 1$/m, worker.output());
  assert.match(gauges, /^relay_held_runs\{destination="metrics-sink"\} 0$/m);
  // The receiver's metrics are not the worker's: they live in the receiver process.
  assert.doesNotMatch(text, /relay_events_accepted_total/);
});

test("npm start: one /metrics, the receiver's, counts the event's ingest and its delivery", async () => {
  const dir = mkdtempSync(join(tmpdir(), 'relay-main-metrics-'));
  const sink = await startHttpsSink();
  writeFileSync(join(dir, 'ca.pem'), sink.ca);
  writeFileSync(
    join(dir, 'relay.yaml'),
    `
sources: [{ id: backend, kind: server, auth: { key: backend-key } }]
outbound: { allowPrivateNetworks: [127.0.0.1/32, "::1"] }
destinations: [{ name: main-sink, kind: webhook, events: [purchaseCompleted], url: "${sink.url}/hook" }]
`,
  );
  // Set, but npm start has one endpoint: nothing listens there.
  const workerPort = await freePort();
  const main = await startMainProcess(dir, { RELAY_WORKER_METRICS_PORT: String(workerPort) });
  t.cleanup(async () => {
    await main.close();
    await sink.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const body = {
    event_id: randomBytes(8).toString('hex'),
    event_name: 'purchaseCompleted',
    event_properties: { amount: 1 },
    timestamp: new Date().toISOString(),
    user_id: 'c-1',
  };
  const res = await fetch(`${main.base}/v1/sources/backend/events`, {
    method: 'POST',
    body: JSON.stringify(body),
    headers: { 'content-type': 'application/json', 'x-api-key': 'backend-key' },
  });
  assert.equal(res.status, 202, await res.text());
  await sink.waitFor(1, 30_000);

  // The 2xx reaches the sink before the activity records it, and the gauges' first refresh runs
  // beside the worker's start: poll the endpoint briefly.
  let text = '';
  const ready = (s: string) => /relay_deliveries_total\{destination="main-sink"/.test(s) && /^relay_destination_state\{/m.test(s);
  for (let i = 0; i < 50 && !ready(text); i++) {
    if (i > 0) await new Promise((r) => setTimeout(r, 100));
    text = await (await fetch(`${main.base}/metrics`)).text();
  }
  assert.match(text, /^relay_events_accepted_total\{source="backend",outcome="started"\} 1$/m);
  assert.match(text, /^relay_deliveries_total\{destination="main-sink",outcome="delivered"\} 1$/m, main.relay.output());
  assert.match(text, /^relay_destination_state\{destination="main-sink",state="active"\} 1$/m, 'the gauges are in the one registry');
  await assert.rejects(fetch(`http://127.0.0.1:${workerPort}/metrics`));
});
