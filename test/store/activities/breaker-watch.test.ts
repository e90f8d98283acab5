/**
 * The circuit breaker's counting, trip, probe claim and resume, and the alert outbox, on a
 * throwaway database of the machine's PostgreSQL (the end-to-end run with a dev server is
 * test/workflow/circuit-breaker.test.ts).
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import type { Pool } from 'pg';
import type { DeliverInput } from '../../../activities/types';
import { PgDeliveryWatch } from '../../../activities/breaker-watch';
import { FailureType } from '../../../src/model/failure-types';
import { alertBody, enqueueAlert, sendPendingAlerts } from '../../../src/alerts/outbox';
import { Breaker } from '../../../src/breaker/breaker';
import { setDestinationPaused } from '../../../src/config/pause';
import type { PgConfigStore } from '../../../src/config/pg-store';
import { signatureHeaders } from '../../../src/destinations/signing';
import { createHttpClient } from '../../../src/http/client';
import { startAlertSink, type AlertSink } from '../../helpers/alert-sink';
import { pgStoreFor } from '../../helpers/config-store';

const SECRET = `whsec_${Buffer.alloc(32, 3).toString('base64')}`;
let pool: Pool;
let store: PgConfigStore;
let drop: () => Promise<void>;
let sink: AlertSink;
let url: string;
// The alert sink listens on loopback: allowed explicitly, as the guard refuses it otherwise.
const http = createHttpClient({ allowPrivateNetworks: ['127.0.0.0/8'] });

before(async () => {
  ({ pool, store, drop } = await pgStoreFor({
    destinations: [{ name: 'crm', kind: 'webhook', events: ['pointsIssued'], url: 'https://crm.example.com/hook' }],
  }));
  sink = await startAlertSink();
  url = sink.url;
});
after(async () => {
  await http.close();
  await sink.close();
  await drop();
});
beforeEach(async () => {
  await setDestinationPaused(pool, 'crm', false);
  await pool.query('DELETE FROM alert_outbox');
  await pool.query('DELETE FROM destination_health');
  sink.alerts.length = 0;
  sink.answer = 204;
});

const alerts = async () =>
  (await pool.query<{ type: string; body: { data: Record<string, unknown> } }>('SELECT type, body FROM alert_outbox ORDER BY created_at'))
    .rows;
const fail = (b: Breaker, gone = false) =>
  b.failed({ destination: 'crm', settings: { failureWindowMinutes: 0, minFailedAttempts: 3 }, gone, problem: 'crm answered 503' });

describe('circuit breaker', () => {
  it('counts failed attempts across callers, trips at the threshold with one alert, and holds later attempts', async () => {
    const a = new Breaker(pool, 60);
    const b = new Breaker(pool, 60); // another worker process: the count is in the database
    assert.equal(await fail(a), 'retry');
    assert.equal(await fail(b), 'retry');
    assert.equal(await fail(a), 'hold', 'the third trips it');
    assert.equal(await fail(b), 'hold', 'later ones hold');
    assert.equal(await store.destinationState('crm'), 'paused', 'probe not due yet');
    const rows = await alerts();
    assert.deepEqual(
      rows.map((r) => r.type),
      ['destination.paused'],
    );
    assert.equal(rows[0]!.body.data.by, 'breaker');
  });

  it('a 2xx in between starts the count again', async () => {
    const a = new Breaker(pool, 60);
    await fail(a);
    await fail(a);
    await a.succeeded('crm');
    assert.equal(await fail(a), 'retry');
    assert.equal(await fail(a), 'retry');
  });

  it('410 Gone pauses at once; a disabled breaker never pauses', async () => {
    const a = new Breaker(pool, 60);
    assert.equal(await a.failed({ destination: 'crm', settings: { enabled: false }, gone: true, problem: 'gone' }), 'retry');
    assert.equal(await fail(a, true), 'hold');
    assert.equal(await store.destinationState('crm'), 'paused');
  });

  it('a due probe is claimed by exactly one caller; its failure re-pauses with a later probe; a 2xx resumes with an alert', async () => {
    const a = new Breaker(pool, 60);
    await a.trip('crm', 'test');
    await pool.query("UPDATE destinations SET probe_at = now() - interval '1 second' WHERE name = 'crm'");
    const states = await Promise.all([1, 2, 3, 4].map(() => store.destinationState('crm')));
    assert.deepEqual(states.sort(), ['active', 'paused', 'paused', 'paused']);
    assert.equal(await fail(a), 'hold', 'the probe failed');
    const { rows } = await pool.query<{ probes: number; later: boolean; claimed: Date | null }>(
      "SELECT probes, probe_at > now() + interval '100 seconds' AS later, probe_claimed_at AS claimed FROM destinations WHERE name = 'crm'",
    );
    assert.deepEqual(rows[0], { probes: 1, later: true, claimed: null });
    assert.equal(await store.destinationState('crm'), 'paused');
    assert.deepEqual(await a.succeeded('crm'), { resumed: true });
    assert.equal(await store.destinationState('crm'), 'active');
    const { rows: wake } = await pool.query<{ wake_pending: boolean }>("SELECT wake_pending FROM destinations WHERE name = 'crm'");
    assert.equal(wake[0]!.wake_pending, true, 'the worker job wakes the held runs');
    assert.deepEqual(
      (await alerts()).map((r) => r.type),
      ['destination.paused', 'destination.resumed'],
    );
  });

  it("an operator's resume clears the breaker's state and count, with one alert; pausing twice alerts once", async () => {
    const a = new Breaker(pool, 60);
    await fail(a);
    await fail(a);
    await fail(a);
    await setDestinationPaused(pool, 'crm', false);
    assert.equal(await fail(a), 'retry', 'count cleared');
    await setDestinationPaused(pool, 'crm', true, 'maintenance');
    await setDestinationPaused(pool, 'crm', true, 'again');
    const rows = await alerts();
    assert.deepEqual(
      rows.map((r) => `${r.type}:${String(r.body.data.by)}`),
      ['destination.paused:breaker', 'destination.resumed:operator', 'destination.paused:operator'],
    );
    assert.equal(rows[2]!.body.data.reason, 'maintenance');
  });
});

describe('deliver activity alerts (PgDeliveryWatch)', () => {
  const input = {
    destination: 'crm',
    request: { method: 'POST', url: 'https://crm.example.com/hook', headers: {}, body: '{}' },
    idempotencyKey: 'msg_1',
    timeoutSeconds: 10,
    retryWindowSeconds: 60,
  } as unknown as DeliverInput;
  const run = { workflowId: 'relay:capillary:e1', runId: 'r1', activityId: '4' };

  it('a permanent failure (the run parks) writes delivery.failed once per occurrence', async () => {
    const watch = new PgDeliveryWatch(new Breaker(pool, 60), () => undefined);
    const rejected = ApplicationFailure.create({
      type: FailureType.DestinationRejected,
      message: 'crm answered 400',
      nonRetryable: true,
      details: [{ httpStatus: 400, attempt: 1 }],
    });
    assert.equal(await watch.after(input, run, {}, rejected), rejected);
    assert.equal(await watch.after(input, run, {}, rejected), rejected, 'the same activity reported again');
    await watch.after(input, { ...run, activityId: '9' }, {}, rejected); // a redelivery that failed again: another occurrence
    const rows = await alerts();
    assert.deepEqual(
      rows.map((r) => r.type),
      ['delivery.failed', 'delivery.failed'],
    );
    assert.equal(rows[0]!.body.data.workflowId, 'relay:capillary:e1');
    assert.equal(rows[0]!.body.data.webhookId, 'msg_1');
    assert.equal(rows[0]!.body.data.httpStatus, 400);
  });

  it('a failure before the destination is resolved (deleted) is not counted, but its parked run is alerted', async () => {
    const watch = new PgDeliveryWatch(new Breaker(pool, 60), () => undefined);
    const missing = ApplicationFailure.create({ type: FailureType.DestinationNotFound, message: 'no crm', nonRetryable: true });
    assert.equal(await watch.after(input, run, undefined, missing), missing);
    assert.deepEqual(
      (await alerts()).map((r) => r.type),
      ['delivery.failed'],
    );
    const { rows } = await pool.query("SELECT 1 FROM destination_health WHERE name = 'crm' AND failures > 0");
    assert.equal(rows.length, 0);
  });

  it('a bulk redelivery that finished writes redelivery.completed once per operation', async () => {
    const watch = new PgDeliveryWatch(new Breaker(pool, 60), () => undefined);
    const c = { operationId: 'redelivery-1', destination: 'crm', processed: 3, done: 2, skipped: 1, failed: 0, failures: [] };
    await watch.redeliveryCompleted(c);
    await watch.redeliveryCompleted(c); // the last page's activity retried
    const rows = await alerts();
    assert.deepEqual(
      rows.map((r) => r.type),
      ['redelivery.completed'],
    );
    assert.equal(rows[0]!.body.data.operationId, 'redelivery-1');
    assert.equal(rows[0]!.body.data.done, 2);
  });

  it('an attempt past the SLA deadline writes delivery.sla_breached once per run and destination', async () => {
    const watch = new PgDeliveryWatch(new Breaker(pool, 60), () => undefined);
    const late = { ...input, acceptedAtMs: Date.now() - 120_000, slaSeconds: 60 };
    await watch.after(late, run, {}, undefined);
    await watch.after(late, { ...run, activityId: '5' }, {}, undefined);
    await watch.after({ ...late, acceptedAtMs: Date.now() }, { ...run, workflowId: 'relay:capillary:e2' }, {}, undefined);
    assert.deepEqual(
      (await alerts()).map((r) => r.type),
      ['delivery.sla_breached'],
    );
  });

  it('the failure that trips the breaker becomes a hold (DestinationPaused), not a failure', async () => {
    const watch = new PgDeliveryWatch(new Breaker(pool, 60), () => undefined);
    const gone = ApplicationFailure.create({
      type: FailureType.DestinationGone,
      message: 'crm answered 410 Gone',
      nonRetryable: true,
      details: [{ httpStatus: 410, attempt: 1 }],
    });
    const thrown = await watch.after(input, run, {}, gone);
    assert.ok(thrown instanceof ApplicationFailure);
    assert.equal(thrown.type, FailureType.DestinationPaused);
    assert.deepEqual(
      (await alerts()).map((r) => r.type),
      ['destination.paused'],
      'no delivery.failed: the delivery holds',
    );
  });
});

describe('alert outbox', () => {
  it('sends each alert once, signed, with its id as webhook-id; an id written twice is one alert', async () => {
    assert.equal(await enqueueAlert(pool, 'alert_a', alertBody('delivery.failed', { destination: 'crm', workflowId: 'relay:x:1' })), true);
    assert.equal(await enqueueAlert(pool, 'alert_a', alertBody('delivery.failed', { destination: 'crm', workflowId: 'relay:x:1' })), false);
    assert.deepEqual(await sendPendingAlerts(pool, { url, secret: SECRET }, { http }), { sent: 1, failed: 0 });
    assert.deepEqual(await sendPendingAlerts(pool, { url, secret: SECRET }, { http }), { sent: 0, failed: 0 });
    assert.equal(sink.alerts.length, 1);
    const r = sink.alerts[0]!;
    assert.equal(r.headers['webhook-id'], 'alert_a');
    const expected = signatureHeaders(SECRET, 'alert_a', Number(r.headers['webhook-timestamp']), r.body)['webhook-signature'];
    assert.equal(r.headers['webhook-signature'], expected);
    assert.equal((JSON.parse(r.body) as { type: string }).type, 'delivery.failed');
  });

  it('a refused alert stays pending with the error and a later try', async () => {
    sink.answer = 500;
    await enqueueAlert(pool, 'alert_b', alertBody('delivery.sla_breached', { destination: 'crm' }));
    assert.deepEqual(await sendPendingAlerts(pool, { url, secret: SECRET }, { http }), { sent: 0, failed: 1 });
    const { rows } = await pool.query<{ attempts: number; last_error: string; sent_at: Date | null; later: boolean }>(
      "SELECT attempts, last_error, sent_at, next_attempt_at > now() AS later FROM alert_outbox WHERE id = 'alert_b'",
    );
    assert.deepEqual(rows[0], { attempts: 1, last_error: 'alert webhook answered 500', sent_at: null, later: true });
    assert.deepEqual(await sendPendingAlerts(pool, { url, secret: SECRET }, { http }), { sent: 0, failed: 0 }, 'not due yet');
    sink.answer = 204;
    await pool.query("UPDATE alert_outbox SET next_attempt_at = now() WHERE id = 'alert_b'");
    assert.deepEqual(await sendPendingAlerts(pool, { url, secret: SECRET }, { http }), { sent: 1, failed: 0 });
  });

  it('without a webhook, pending alerts are dropped (not kept forever)', async () => {
    await enqueueAlert(pool, 'alert_c', alertBody('destination.paused', { destination: 'crm' }));
    await sendPendingAlerts(pool, undefined, { http });
    const { rows } = await pool.query<{ sent: boolean; last_error: string }>(
      "SELECT sent_at IS NOT NULL AS sent, last_error FROM alert_outbox WHERE id = 'alert_c'",
    );
    assert.deepEqual(rows[0], { sent: true, last_error: 'no alert webhook configured' });
    assert.equal(sink.alerts.length, 0);
  });
});

describe('circuit breaker and a deleted destination', () => {
  it('an attempt at a destination that no longer exists is not counted and retries (the delivery finds out itself)', async () => {
    const a = new Breaker(pool, 60);
    assert.equal(await a.failed({ destination: 'nope', settings: undefined, gone: true, problem: 'x' }), 'retry');
    assert.deepEqual(await a.succeeded('nope'), { resumed: false });
    const { rows } = await pool.query("SELECT 1 FROM destination_health WHERE name = 'nope'");
    assert.equal(rows.length, 0);
  });
});
