/**
 * The worker's delivery metrics end to end: relayEvent on a real dev server delivers to real
 * local HTTPS servers, and the worker's own /metrics (served as `npm run start:worker` serves
 * it) counts each delivery for its destination — a first-attempt 2xx, a 503 retried then
 * delivered, and a 400 that fails.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { createHttpClient } from '../../src/http/client';
import { createDeliveryMetrics, serveMetrics } from '../../src/telemetry/metrics';
import { startHttpsSink } from '../helpers/https-sink';
import { pgStoreFor } from '../helpers/config-store';
import { startRelayWorker } from '../helpers/temporal';
import { samplePointsIssued, useTestTemporal } from '../helpers/workflow-suite';

const t = useTestTemporal();

/** The value of one sample line of the exposition text (undefined when the series is absent). */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

test("the worker's /metrics counts deliveries, attempts, latency and slot waits per destination", async () => {
  const ok = await startHttpsSink();
  // The first request gets a 503 (retried after the backoff), the next a 200.
  const flaky = await startHttpsSink({ respond: (_req, i) => (i === 0 ? { status: 503 } : { status: 200 }) });
  const bad = await startHttpsSink({ respond: () => ({ status: 400, body: 'no' }) });
  const { store, drop } = await pgStoreFor({
    destinations: [
      { name: 'metrics-ok', kind: 'webhook', events: ['pointsIssued'], url: `${ok.url}/a` },
      { name: 'metrics-flaky', kind: 'webhook', events: ['pointsIssued'], url: `${flaky.url}/b` },
      { name: 'metrics-bad', kind: 'webhook', events: ['pointsIssued'], url: `${bad.url}/c`, parkingPeriodSeconds: 1 },
    ],
  });
  const http = createHttpClient({ extraCa: ok.ca, allowPrivateNetworks: ['127.0.0.0/8', '::1'] });
  const metrics = createDeliveryMetrics();
  const server = await serveMetrics(metrics.registry, 0, '127.0.0.1');
  const worker = await startRelayWorker(t.server, { store, http, metrics, backoff: { initialMs: 100, maxMs: 200 } }, 'metrics');
  t.cleanup(async () => {
    await worker.stop();
    await new Promise((resolve) => server.close(resolve));
    await http.close();
    await Promise.all([ok.close(), flaky.close(), bad.close()]);
    await drop();
  });

  const outcome = await worker.run(samplePointsIssued({ id: randomBytes(8).toString('hex') }));
  assert.equal(outcome.status, 'partially_delivered', JSON.stringify(outcome));

  const res = await fetch(`http://127.0.0.1:${server.port}/metrics`);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /^text\/plain/);
  const text = await res.text();
  const deliveries = (d: string, o: string) => sample(text, `relay_deliveries_total{destination="${d}",outcome="${o}"}`);
  const attempts = (d: string, o: string) => sample(text, `relay_delivery_attempts_total{destination="${d}",outcome="${o}"}`);

  assert.equal(deliveries('metrics-ok', 'delivered'), 1, text);
  assert.equal(attempts('metrics-ok', 'delivered'), 1);
  assert.equal(deliveries('metrics-flaky', 'delivered'), 1);
  assert.equal(attempts('metrics-flaky', 'retried'), 1, 'the local first attempt got the 503');
  assert.equal(attempts('metrics-flaky', 'delivered'), 1, 'the retry (a regular activity) got the 200');
  assert.equal(deliveries('metrics-bad', 'failed_permanent'), 1);
  assert.equal(deliveries('metrics-bad', 'delivered'), undefined);
  for (const d of ['metrics-ok', 'metrics-flaky']) {
    assert.equal(sample(text, `relay_delivery_latency_seconds_count{destination="${d}"}`), 1, d);
  }
  // Every request sent went through the destination's connection pool: one slot wait each.
  assert.equal(sample(text, `relay_delivery_connection_wait_seconds_count{destination="metrics-flaky"}`), 2);
  assert.equal(sample(text, 'relay_delivery_sla_breaches_total{destination="metrics-ok",outcome="delivered"}'), undefined);
  // Process metrics come with the registry.
  assert.ok(sample(text, 'process_cpu_user_seconds_total') !== undefined);

  const notFound = await fetch(`http://127.0.0.1:${server.port}/other`);
  assert.equal(notFound.status, 404);
});
