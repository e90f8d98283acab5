/**
 * Alerts from a real worker process (`src/entry/worker-main.ts`) configured only by environment
 * (RELAY_ALERT_WEBHOOK_URL / _SECRET), on the PostgreSQL store and a dev server: an operator's
 * pause and a delivery that fails for good (the run parks) each reach a local alert sink once,
 * Standard Webhooks signed, with the ids an operator acts on.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { workflowIdFor } from '../../src/model/canonical-event';
import { setDestinationPaused } from '../../src/config/pause';
import { signatureHeaders } from '../../src/destinations/signing';
import type { relayEvent } from '../../workflows';
import { startAlertSink } from '../helpers/alert-sink';
import { pgStoreFor } from '../helpers/config-store';
import { startHttpsSink } from '../helpers/https-sink';
import { freePort } from '../helpers/ports';
import { spawnRelay } from '../helpers/process';
import { TEST_MASTER_KEY, uniqueTaskQueue } from '../helpers/temporal';
import { samplePointsIssued, useTestTemporal } from '../helpers/workflow-suite';

const t = useTestTemporal();
const SECRET = `whsec_${Buffer.alloc(32, 9).toString('base64')}`;

test('a worker sends operator and delivery alerts to RELAY_ALERT_WEBHOOK_URL, signed, once each', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'relay-alerts-'));
  const sink = await startHttpsSink({ respond: () => ({ status: 400, body: 'bad request' }) });
  writeFileSync(join(dir, 'ca.pem'), sink.ca);
  const alertSink = await startAlertSink();
  const { alerts } = alertSink;
  const store = await pgStoreFor(
    {
      destinations: [
        { name: 'refuses', kind: 'webhook', events: ['pointsIssued'], url: `${sink.url}/hook` },
        { name: 'other', kind: 'webhook', events: ['neverSent'], url: `${sink.url}/other` },
      ],
    },
    {},
    TEST_MASTER_KEY,
  );
  const port = await freePort();
  const taskQueue = uniqueTaskQueue('alerts');
  const worker = spawnRelay('src/entry/worker-main.ts', {
    TEMPORAL_ADDRESS: t.server.address,
    TEMPORAL_NAMESPACE: t.server.namespace,
    TEMPORAL_TASK_QUEUE: taskQueue,
    DATABASE_URL: store.url,
    RELAY_MASTER_KEY: TEST_MASTER_KEY.toString('base64'),
    RELAY_DATA_DIR: join(dir, 'data'),
    RELAY_EXTRA_CA_CERTS: join(dir, 'ca.pem'),
    RELAY_ALLOW_PRIVATE_NETWORKS: '127.0.0.0/8,::1',
    RELAY_WORKER_METRICS_PORT: String(port),
    RELAY_ALERT_WEBHOOK_URL: alertSink.url,
    RELAY_ALERT_WEBHOOK_SECRET: SECRET,
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
  });
  t.cleanup(async () => {
    await worker.stop();
    await sink.close();
    await alertSink.close();
    await store.drop();
    rmSync(dir, { recursive: true, force: true });
  });
  await worker.waitFor(`http://127.0.0.1:${port}/metrics`);

  // An operator's pause (what POST /pause does), and a delivery refused with 400: the run parks.
  await setDestinationPaused(store.pool, 'other', true, 'maintenance');
  const event = samplePointsIssued({ id: randomBytes(8).toString('hex') });
  const workflowId = workflowIdFor(event.source, event.id);
  await t.server.env.client.workflow.start<typeof relayEvent>('relayEvent', { taskQueue, workflowId, args: [{ event }] });

  for (let i = 0; i < 300 && alerts.length < 2; i++) await new Promise((r) => setTimeout(r, 100));
  const byType = Object.fromEntries(alerts.map((a) => [a.json.type, a]));
  assert.deepEqual(Object.keys(byType).sort(), ['delivery.failed', 'destination.paused'], worker.output());
  assert.deepEqual(byType['destination.paused']!.json.data, { destination: 'other', by: 'operator', reason: 'maintenance' });
  const failed = byType['delivery.failed']!.json.data;
  assert.equal(failed.destination, 'refuses');
  assert.equal(failed.workflowId, workflowId);
  assert.equal(failed.httpStatus, 400);
  assert.equal(failed.failureType, 'DestinationRejected');
  for (const a of alerts) {
    const id = String(a.headers['webhook-id']);
    assert.equal(
      a.headers['webhook-signature'],
      signatureHeaders(SECRET, id, Number(a.headers['webhook-timestamp']), a.body)['webhook-signature'],
    );
  }
  // Once each: every alert recorded as sent after one try (the job sends pending rows only).
  // (the sink may have answered before the job recorded the send: look until both are recorded)
  const outbox = () =>
    store.pool.query<{ type: string; attempts: number; sent: boolean }>(
      'SELECT type, attempts, sent_at IS NOT NULL AS sent FROM alert_outbox ORDER BY type',
    );
  let { rows } = await outbox();
  for (let i = 0; i < 100 && !rows.every((r) => r.sent); i++) {
    await new Promise((r) => setTimeout(r, 100));
    ({ rows } = await outbox());
  }
  assert.deepEqual(rows, [
    { type: 'delivery.failed', attempts: 1, sent: true },
    { type: 'destination.paused', attempts: 1, sent: true },
  ]);
  assert.equal(alerts.length, 2);
});
