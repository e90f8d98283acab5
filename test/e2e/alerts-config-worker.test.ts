/**
 * Alerts configured in RELAY_CONFIG's `alerts` block: a real worker process (`src/entry/worker-main.ts`)
 * given the file with its alert secret but without the receiver's secrets starts, and an
 * operator's pause reaches a local alert sink, Standard Webhooks signed with the file's secret
 * and carrying the file's extra header.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { setDestinationPaused } from '../../src/config/pause';
import { signatureHeaders } from '../../src/destinations/signing';
import { startAlertSink } from '../helpers/alert-sink';
import { pgStoreFor } from '../helpers/config-store';
import { freePort } from '../helpers/ports';
import { spawnRelay } from '../helpers/process';
import { TEST_MASTER_KEY, uniqueTaskQueue } from '../helpers/temporal';
import { useTestTemporal } from '../helpers/workflow-suite';

const t = useTestTemporal();
const SECRET = `whsec_${Buffer.alloc(32, 11).toString('base64')}`;
const RECEIVER_ONLY = 'RELAY_TEST_RECEIVER_SECRET_NOBODY_SETS';

test('a worker sends alerts to the alerts block of RELAY_CONFIG, signed with its secret, without the receiver secrets', async () => {
  assert.equal(process.env[RECEIVER_ONLY], undefined);
  const dir = mkdtempSync(join(tmpdir(), 'relay-alerts-config-'));
  const alertSink = await startAlertSink();
  const { alerts } = alertSink;
  writeFileSync(
    join(dir, 'relay.yaml'),
    `
sources:
  - id: capillary
    kind: capillary
    auth: { key: '\${${RECEIVER_ONLY}}' }
outbound:
  allowPrivateNetworks: [127.0.0.0/8]
alerts:
  url: ${alertSink.url}
  allowInsecureHttp: true
  secret: \${ALERT_SECRET}
  headers:
    X-Alert-Token: \${ALERT_TOKEN}
`,
  );
  const store = await pgStoreFor(
    { destinations: [{ name: 'crm', kind: 'webhook', events: ['pointsIssued'], url: 'https://crm.example.com/hook' }] },
    {},
    TEST_MASTER_KEY,
  );
  const port = await freePort();
  const worker = spawnRelay('src/entry/worker-main.ts', {
    TEMPORAL_ADDRESS: t.server.address,
    TEMPORAL_NAMESPACE: t.server.namespace,
    TEMPORAL_TASK_QUEUE: uniqueTaskQueue('alerts-config'),
    DATABASE_URL: store.url,
    RELAY_MASTER_KEY: TEST_MASTER_KEY.toString('base64'),
    RELAY_DATA_DIR: join(dir, 'data'),
    RELAY_CONFIG: join(dir, 'relay.yaml'),
    RELAY_WORKER_METRICS_PORT: String(port),
    ALERT_SECRET: SECRET,
    ALERT_TOKEN: 'sink-token-1',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
  });
  t.cleanup(async () => {
    await worker.stop();
    await alertSink.close();
    await store.drop();
    rmSync(dir, { recursive: true, force: true });
  });
  await worker.waitFor(`http://127.0.0.1:${port}/metrics`);

  await setDestinationPaused(store.pool, 'crm', true, 'maintenance');
  for (let i = 0; i < 300 && alerts.length < 1; i++) await new Promise((r) => setTimeout(r, 100));
  assert.equal(alerts.length, 1, worker.output());
  const alert = alerts[0]!;
  const json = JSON.parse(alert.body) as { type: string; data: Record<string, unknown> };
  assert.equal(json.type, 'destination.paused');
  assert.deepEqual(json.data, { destination: 'crm', by: 'operator', reason: 'maintenance' });
  assert.equal(alert.headers['x-alert-token'], 'sink-token-1');
  const id = String(alert.headers['webhook-id']);
  assert.equal(
    alert.headers['webhook-signature'],
    signatureHeaders(SECRET, id, Number(alert.headers['webhook-timestamp']), alert.body)['webhook-signature'],
  );
});
