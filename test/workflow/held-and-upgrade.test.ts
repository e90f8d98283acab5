/**
 * Pause holds, resume delivers, delete parks — on the real PostgreSQL store, a real worker and a
 * real HTTPS sink; and the drain-first upgrade check against a namespace with an old open run.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { workflowIdFor } from '../../src/model/canonical-event';
import { setDestinationPaused } from '../../src/config/pause';
import { createHttpClient } from '../../src/http/client';
import { LegacyRunsError, refuseLegacyRuns } from '../../src/temporal/drain-check';
import { resumeDestination, wakeHeldRuns } from '../../src/temporal/held-runs';
import { DeliveryStatus, HeldDestinations } from '../../workflows/search-attributes';
import { pgStoreFor } from '../helpers/config-store';
import { startHttpsSink } from '../helpers/https-sink';
import { outcomeOfFailedRun, startRelayWorker } from '../helpers/temporal';
import { heldFor, samplePointsIssued, startSampleRun, useTestTemporal } from '../helpers/workflow-suite';

const t = useTestTemporal();

async function setup() {
  const sink = await startHttpsSink({ respond: () => ({ status: 200 }) });
  const { store, admin, pool, drop } = await pgStoreFor({
    destinations: [{ name: 'crm', kind: 'webhook', events: ['pointsIssued'], url: `${sink.url}/hook`, parkingPeriodSeconds: 1 }],
  });
  const http = createHttpClient({ extraCa: sink.ca, allowPrivateNetworks: ['127.0.0.0/8', '::1'] });
  const relay = await startRelayWorker(t.server, { store, http });
  t.cleanup(async () => {
    await relay.stop();
    await http.close();
    await sink.close();
    await drop();
  });
  const client = t.server.env.client;
  const start = () => startSampleRun(client, relay.taskQueue);
  return { sink, admin, pool, client, start };
}

describe('paused destinations hold; resume delivers; delete parks', () => {
  test('events for a paused destination wait without attempts, then go out on resume', async () => {
    const h = await setup();
    await setDestinationPaused(h.pool, 'crm', true, 'maintenance window');
    const runs = [await h.start(), await h.start()];
    await heldFor(h.client, 'crm', 2);
    assert.equal(h.sink.requests.length, 0, 'nothing sent while paused');
    const d = await runs[0]!.describe();
    assert.equal(d.typedSearchAttributes.get(DeliveryStatus), 'held');
    assert.deepEqual(d.typedSearchAttributes.get(HeldDestinations), ['crm']);

    const resumed = await resumeDestination(h.pool, h.client, 'crm');
    assert.equal(resumed?.paused, false);
    assert.equal(resumed?.woken, 2);
    for (const run of runs) assert.equal((await run.result()).status, 'delivered');
    assert.equal(h.sink.requests.length, 2);
    // The same webhook-id a delivery without the pause would have had: one per event.
    assert.equal(new Set(h.sink.requests.map((r) => r.headers['webhook-id'])).size, 2);
  });

  test('a paused destination deleted while runs hold: they park the delivery as failed, with the reason', async () => {
    const h = await setup();
    await setDestinationPaused(h.pool, 'crm', true);
    const run = await h.start();
    await heldFor(h.client, 'crm', 1);
    await h.admin.transaction((w) => w.deleteDestination('crm', { expected: '*' }));
    assert.equal(await wakeHeldRuns(h.client, 'crm'), 1);
    const outcome = await run.result().then(
      () => assert.fail('completed'),
      (e: unknown) => outcomeOfFailedRun(e),
    );
    assert.equal(outcome.status, 'failed');
    assert.equal(outcome.destinations[0]?.error?.type, 'DestinationNotFound');
    assert.match(outcome.destinations[0]?.error?.message ?? '', /deleted while a delivery to it was held/);
    assert.equal(h.sink.requests.length, 0);
  });
});

describe('upgrading to relayEvent v2 is drain first', () => {
  test('a worker refuses to start while a run of the earlier code is open; a v2 run does not count', async () => {
    const client = t.server.env.client;
    const queue = `no-worker-${Date.now()}`;
    // A v2 run, accepted but not yet planned (no worker polls this queue): no objection.
    const fresh = samplePointsIssued();
    await client.workflow.start('relayEvent', {
      taskQueue: queue,
      workflowId: workflowIdFor(fresh.source, fresh.id),
      args: [{ event: fresh }],
      typedSearchAttributes: [{ key: DeliveryStatus, value: 'pending' }],
    });
    await refuseLegacyRuns(client, t.server.namespace);
    // What the earlier code left in the visibility store after its first workflow task.
    const old = samplePointsIssued();
    const handle = await client.workflow.start('relayEvent', {
      taskQueue: queue,
      workflowId: workflowIdFor(old.source, old.id),
      args: [{ event: old }],
      typedSearchAttributes: [{ key: DeliveryStatus, value: 'delivering' }],
    });
    let refused: unknown;
    for (let i = 0; i < 100 && !refused; i++) {
      refused = await refuseLegacyRuns(client, t.server.namespace).then(
        () => undefined,
        (e: unknown) => e,
      );
      if (!refused) await new Promise((r) => setTimeout(r, 50));
    }
    assert.ok(refused instanceof LegacyRunsError, String(refused));
    assert.equal(refused.count, 1);
    assert.match(refused.message, /Drain first/);
    await handle.terminate('test over');
    await refuseLegacyRuns(client, t.server.namespace).catch(async () => {
      // Visibility catches up with the termination.
      await new Promise((r) => setTimeout(r, 1000));
      await refuseLegacyRuns(client, t.server.namespace);
    });
  });
});
