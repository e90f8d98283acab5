/**
 * Alerts are sent with the relay's outbound client under its guard: an alert URL on a private
 * address is refused at send time unless the allowlist names it (DNS may point an allowed-looking
 * name anywhere), and the alert stays pending with the reason.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { alertBody, enqueueAlert, sendPendingAlerts } from '../../../src/alerts/outbox';
import { createHttpClient } from '../../../src/http/client';
import { pgStoreFor } from '../../helpers/config-store';

const SECRET = `whsec_${Buffer.alloc(32, 4).toString('base64')}`;

test('the alert sender applies the outbound guard and its allowlist', async (t) => {
  const { pool, drop } = await pgStoreFor({});
  let received = 0;
  const server = createServer((req, res) => {
    received++;
    req.resume();
    req.on('end', () => res.writeHead(204).end());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const guarded = createHttpClient();
  const allowed = createHttpClient({ allowPrivateNetworks: ['127.0.0.0/8'] });
  t.after(async () => {
    await guarded.close();
    await allowed.close();
    await new Promise((r) => server.close(r));
    await drop();
  });
  const webhook = { url: `http://localhost:${(server.address() as AddressInfo).port}/alerts`, secret: SECRET };
  await enqueueAlert(pool, 'alert_guard', alertBody('destination.paused', { destination: 'crm' }));

  assert.deepEqual(await sendPendingAlerts(pool, webhook, { http: guarded, prune: false }), { sent: 0, failed: 1 });
  assert.equal(received, 0, 'nothing reached the loopback sink');
  const { rows } = await pool.query<{ last_error: string }>("SELECT last_error FROM alert_outbox WHERE id = 'alert_guard'");
  assert.match(rows[0]!.last_error, /alert webhook unreachable: .*(refused|private|loopback|not allowed)/i);

  await pool.query("UPDATE alert_outbox SET next_attempt_at = now() WHERE id = 'alert_guard'");
  assert.deepEqual(await sendPendingAlerts(pool, webhook, { http: allowed, prune: false }), { sent: 1, failed: 0 });
  assert.equal(received, 1);
});
