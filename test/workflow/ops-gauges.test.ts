/**
 * The worker's operations gauges on a real dev server and the real PostgreSQL store: runs hold
 * deliveries for a paused destination and park a delivery that failed, a refresh counts them
 * through Temporal visibility, and the worker's /metrics shows them with each destination's state.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Client } from '@temporalio/client';
import { workflowIdFor } from '../../src/model/canonical-event';
import { createHttpClient } from '../../src/http/client';
import { createDeliveryMetrics, serveMetrics } from '../../src/telemetry/metrics';
import { createOpsGauges, parkedRunsQuery } from '../../src/telemetry/metrics-ops';
import { heldRunsQuery } from '../../src/temporal/held-runs';
import type { relayEvent } from '../../workflows';
import { pgStoreFor } from '../helpers/config-store';
import { startHttpsSink } from '../helpers/https-sink';
import { startRelayWorker } from '../helpers/temporal';
import { samplePointsIssued, useTestTemporal } from '../helpers/workflow-suite';

const t = useTestTemporal();

function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

/** Wait until visibility finds `count` runs for `query` (it lags the runs a little). */
async function visible(client: Client, query: string, count: number): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if ((await client.workflow.count(query)).count >= count) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.fail(`never saw ${count} run(s) for ${query}`);
}

test('held and parked runs and destination state: refreshed from visibility and the store, served on /metrics', async () => {
  const ok = await startHttpsSink({ respond: () => ({ status: 200 }) });
  const bad = await startHttpsSink({ respond: () => ({ status: 400, body: 'no' }) });
  const { store, pool, drop } = await pgStoreFor({
    destinations: [
      { name: 'gauge-held', kind: 'webhook', events: ['pointsIssued'], url: `${ok.url}/a`, paused: true },
      // Parked for an hour: the run stays open, waiting for a redeliver or abandon.
      { name: 'gauge-parked', kind: 'webhook', events: ['pointsIssued'], url: `${bad.url}/b`, parkingPeriodSeconds: 3600 },
      { name: 'gauge-tripped', kind: 'webhook', events: ['tierUpgraded'], url: `${ok.url}/c` },
      { name: 'gauge-probing', kind: 'webhook', events: ['tierUpgraded'], url: `${ok.url}/d` },
      { name: 'gauge-off', kind: 'webhook', events: ['tierUpgraded'], url: `${ok.url}/e`, enabled: false },
    ],
  });
  // The circuit breaker's states, as the breaker writes them (src/breaker/breaker.ts).
  await pool.query(
    `UPDATE destinations SET paused = true, paused_at = now(), paused_by = 'breaker', probe_at = now() + interval '1 hour'
      WHERE name IN ('gauge-tripped', 'gauge-probing')`,
  );
  await pool.query(`UPDATE destinations SET probe_claimed_at = now() WHERE name = 'gauge-probing'`);
  const http = createHttpClient({ extraCa: ok.ca, allowPrivateNetworks: ['127.0.0.0/8', '::1'] });
  const metrics = createDeliveryMetrics();
  const server = await serveMetrics(metrics.registry, 0, '127.0.0.1');
  const worker = await startRelayWorker(t.server, { store, http, metrics }, 'gauges');
  const client = t.server.env.client;
  const gauges = createOpsGauges(metrics, { pool, client });
  const runs = [samplePointsIssued(), samplePointsIssued()].map((event) =>
    client.workflow.start<typeof relayEvent>('relayEvent', {
      taskQueue: worker.taskQueue,
      workflowId: workflowIdFor(event.source, event.id),
      args: [{ event }],
    }),
  );
  const handles = await Promise.all(runs);
  t.cleanup(async () => {
    await gauges.stop();
    await Promise.all(handles.map((h) => h.terminate('test over').catch(() => undefined)));
    await worker.stop();
    await new Promise((resolve) => server.close(resolve));
    await http.close();
    await Promise.all([ok.close(), bad.close()]);
    await drop();
  });

  const scrape = async () => (await fetch(`http://127.0.0.1:${server.port}/metrics`)).text();
  // Before any refresh the gauges have no series: nothing made up.
  assert.equal(sample(await scrape(), 'relay_held_runs{destination="gauge-held"}'), undefined);

  await visible(client, heldRunsQuery('gauge-held'), 2);
  await visible(client, parkedRunsQuery('gauge-parked'), 2);
  await gauges.refresh();
  const text = await scrape();
  assert.equal(sample(text, 'relay_held_runs{destination="gauge-held"}'), 2, text);
  assert.equal(sample(text, 'relay_parked_runs{destination="gauge-parked"}'), 2);
  assert.equal(sample(text, 'relay_held_runs{destination="gauge-parked"}'), 0);
  assert.equal(sample(text, 'relay_parked_runs{destination="gauge-held"}'), 0);
  const state = (d: string, s: string) => sample(text, `relay_destination_state{destination="${d}",state="${s}"}`);
  assert.equal(state('gauge-held', 'paused_operator'), 1);
  assert.equal(state('gauge-held', 'active'), 0);
  assert.equal(state('gauge-parked', 'active'), 1);
  assert.equal(state('gauge-tripped', 'paused_breaker'), 1);
  assert.equal(state('gauge-probing', 'probing'), 1);
  assert.equal(state('gauge-probing', 'paused_breaker'), 0);
  assert.equal(state('gauge-off', 'disabled'), 1);
  assert.equal(ok.requests.length, 0, 'nothing sent to the paused destination');

  // Abandoned runs and a resume leave the figures at the next refresh, not at the scrape.
  await Promise.all(handles.map((h) => h.terminate('abandoned by the test')));
  await pool.query(`UPDATE destinations SET paused = false, paused_by = NULL WHERE name = 'gauge-held'`);
  await visible(client, `WorkflowId = ${JSON.stringify(handles[0]!.workflowId)} AND ExecutionStatus = "Terminated"`, 1);
  await visible(client, `WorkflowId = ${JSON.stringify(handles[1]!.workflowId)} AND ExecutionStatus = "Terminated"`, 1);
  assert.equal(sample(await scrape(), 'relay_held_runs{destination="gauge-held"}'), 2, 'a scrape serves the last refresh');
  await gauges.refresh();
  const after = await scrape();
  assert.equal(sample(after, 'relay_held_runs{destination="gauge-held"}'), 0, after);
  assert.equal(sample(after, 'relay_parked_runs{destination="gauge-parked"}'), 0);
  assert.equal(sample(after, 'relay_destination_state{destination="gauge-held",state="active"}'), 1);

  // Past the label cap, destinations share `_other`, whose state gauge counts them.
  const capped = createDeliveryMetrics(undefined, { maxDestinations: 1 });
  await createOpsGauges(capped, { pool, client }).refresh();
  const cappedText = await capped.registry.metrics();
  assert.equal(sample(cappedText, 'relay_destination_state{destination="gauge-held",state="active"}'), 1, cappedText);
  assert.equal(sample(cappedText, 'relay_destination_state{destination="_other",state="paused_breaker"}'), 1);
  assert.equal(sample(cappedText, 'relay_destination_state{destination="_other",state="active"}'), 1);
  assert.equal(sample(cappedText, 'relay_destination_state{destination="_other",state="disabled"}'), 1);
  assert.equal(sample(cappedText, 'relay_destination_state{destination="_other",state="probing"}'), 1);
});
