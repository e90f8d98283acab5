/**
 * The circuit breaker and alerts end to end, on the real PostgreSQL store, a real worker, a
 * real HTTPS destination and a real alert sink (plain HTTP) against the dev server: the
 * destination answers 503, trips the breaker (small thresholds), the deliveries hold, probes
 * fail, then the destination comes back: a probe gets a 2xx, the destination resumes, every
 * held event is delivered once, and the alert sink got `destination.paused` and
 * `destination.resumed`, each once and validly signed.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { workflowIdFor } from '../../src/model/canonical-event';
import { Breaker } from '../../src/breaker/breaker';
import { startOperationsJob } from '../../src/breaker/job';
import { PgDeliveryWatch } from '../../activities/breaker-watch';
import { signatureHeaders } from '../../src/destinations/signing';
import { createHttpClient } from '../../src/http/client';
import type { relayEvent } from '../../workflows';
import { startAlertSink } from '../helpers/alert-sink';
import { pgStoreFor } from '../helpers/config-store';
import { startHttpsSink } from '../helpers/https-sink';
import { startRelayWorker } from '../helpers/temporal';
import { samplePointsIssued, useTestTemporal } from '../helpers/workflow-suite';

const t = useTestTemporal();
const ALERT_SECRET = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;

async function until<T>(what: string, fn: () => Promise<T | undefined> | T | undefined, tries = 600): Promise<T> {
  for (let i = 0; i < tries; i++) {
    const v = await fn();
    if (v !== undefined && v !== false) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail(`never saw: ${what}`);
}

describe('circuit breaker and alerts', () => {
  test('down: auto-paused and alerted, held, probed; up: resumed, alerted, every held event delivered once', async () => {
    let up = false;
    const okIds: string[] = []; // webhook-id of each request answered 2xx
    const sink = await startHttpsSink({
      respond: (req) => {
        if (!up) return { status: 503 };
        okIds.push(req.headers['webhook-id'] ?? '');
        return { status: 200 };
      },
    });
    const alertSink = await startAlertSink();
    const doc = {
      destinations: [
        {
          name: 'crm',
          kind: 'webhook',
          events: ['pointsIssued'],
          url: `${sink.url}/hook`,
          slaSeconds: 3600, // no SLA alert in this test, however slow the machine
          circuitBreaker: { failureWindowMinutes: 0, minFailedAttempts: 3 },
        },
      ],
    };
    const { store, pool, drop } = await pgStoreFor(doc);
    const http = createHttpClient({ extraCa: sink.ca, allowPrivateNetworks: ['127.0.0.0/8', '::1'] });
    const breaker = new Breaker(pool, 1); // first probe 1 s after the trip, then 2 s, 4 s…
    const relay = await startRelayWorker(t.server, {
      store,
      http,
      backoff: { initialMs: 100, maxMs: 300 },
      watch: new PgDeliveryWatch(breaker, () => undefined),
    });
    const client = t.server.env.client;
    const job = startOperationsJob({
      pool,
      client,
      alertWebhook: { url: alertSink.url, secret: ALERT_SECRET },
      http,
      intervalMs: 200,
      log: { warn: () => undefined },
    });
    t.cleanup(async () => {
      await job.stop();
      await relay.stop();
      await http.close();
      await sink.close();
      await alertSink.close();
      await drop();
    });

    const events = [samplePointsIssued(), samplePointsIssued(), samplePointsIssued(), samplePointsIssued()];
    const runs = [];
    for (const event of events) {
      runs.push(
        await client.workflow.start<typeof relayEvent>('relayEvent', {
          taskQueue: relay.taskQueue,
          workflowId: workflowIdFor(event.source, event.id),
          args: [{ event }],
        }),
      );
    }

    // Down: the breaker pauses the destination and says so.
    const paused = await until('destination.paused alert', () => alertSink.alerts.find((a) => a.json.type === 'destination.paused'));
    assert.equal(paused.json.data.destination, 'crm');
    assert.equal(paused.json.data.by, 'breaker');
    assert.match(String(paused.json.data.reason), /circuit breaker: \d+ failed attempts without a 2xx/);
    const { rows: state } = await pool.query<{ paused: boolean; paused_by: string }>(
      "SELECT paused, paused_by FROM destinations WHERE name = 'crm'",
    );
    assert.deepEqual(state[0], { paused: true, paused_by: 'breaker' });

    // Probes go out one at a time, and fail while it is down.
    const beforeProbes = sink.requests.length;
    await until('a failed probe', async () => {
      const { rows } = await pool.query<{ probes: number }>("SELECT probes FROM destinations WHERE name = 'crm'");
      return rows[0]!.probes >= 1;
    });
    assert.ok(sink.requests.length > beforeProbes, 'a probe was sent');
    for (const run of runs) {
      const d = await run.describe();
      assert.equal(d.status.name, 'RUNNING', 'held, not failed');
    }

    // Up: a probe gets a 2xx, the destination resumes, the held runs deliver.
    up = true;
    for (const run of runs) await run.result();
    const resumed = await until('destination.resumed alert', () => alertSink.alerts.find((a) => a.json.type === 'destination.resumed'));
    assert.equal(resumed.json.data.destination, 'crm');
    assert.equal(resumed.json.data.by, 'breaker');
    const { rows: after } = await pool.query<{ paused: boolean; paused_by: string | null }>(
      "SELECT paused, paused_by FROM destinations WHERE name = 'crm'",
    );
    assert.deepEqual(after[0], { paused: false, paused_by: null });

    // Every held event delivered once: one 2xx per webhook-id, and each event's key seen.
    assert.equal(okIds.length, events.length, 'one 2xx per event');
    assert.equal(new Set(okIds).size, events.length);

    // Alerts: once per occurrence, validly signed (Standard Webhooks), ids distinct.
    const types = alertSink.alerts.map((a) => a.json.type).sort();
    assert.deepEqual(types, ['destination.paused', 'destination.resumed']);
    for (const a of alertSink.alerts) {
      const id = String(a.headers['webhook-id']);
      const ts = Number(a.headers['webhook-timestamp']);
      assert.equal(a.headers['webhook-signature'], signatureHeaders(ALERT_SECRET, id, ts, a.body)['webhook-signature']);
    }
    assert.equal(new Set(alertSink.alerts.map((a) => a.headers['webhook-id'])).size, alertSink.alerts.length);
  });
});
