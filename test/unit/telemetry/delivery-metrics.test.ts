/**
 * The deliver activity's metrics (src/telemetry/metrics.ts, createDeliveryMetrics) in a mocked activity
 * context against a scripted HttpClient: attempts and deliveries by outcome, latency from
 * acceptance, SLA breaches, the connection-slot wait, and the bounded destination label.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Counter, Histogram } from 'prom-client';
import { createActivities } from '../../../activities';
import type { DeliverInput } from '../../../activities/types';
import type { HttpClient } from '../../../src/http/client';
import { createDeliveryMetrics, OTHER_DESTINATIONS, UNKNOWN_DESTINATION, type DeliveryMetrics } from '../../../src/telemetry/metrics';
import { activityEnv, fakeHttp, MemoryStore, webhookDestination, type Scripted } from '../../helpers/activity-fakes';

function setup(script: Scripted[], options: { http?: HttpClient; store?: MemoryStore } = {}) {
  const store = options.store ?? new MemoryStore(webhookDestination());
  const http = options.http ?? fakeHttp(script).http;
  const metrics = createDeliveryMetrics();
  const activities = createActivities({ store, http, metrics, backoff: { initialMs: 1000, maxMs: 60_000 }, random: () => 0.5 });
  return { store, metrics, deliver: (input: DeliverInput, info = {}) => activityEnv(info).run(() => activities.deliver(input)) };
}

function input(overrides: Partial<DeliverInput> = {}): DeliverInput {
  return {
    destination: 'crm-hook',
    request: { method: 'POST', url: 'https://hooks.example.com/loyalty', headers: {}, body: '{}' },
    idempotencyKey: 'msg_0123456789abcdef0123456789abcdef',
    timeoutSeconds: 7,
    retryWindowSeconds: 3600,
    acceptedAtMs: Date.now() - 2000,
    slaSeconds: 60,
    lastRequest: true,
    ...overrides,
  };
}

/** A counter's value for these labels (0 when the series does not exist). */
async function count(c: Counter<'destination' | 'outcome'>, labels: Partial<Record<'destination' | 'outcome', string>>): Promise<number> {
  const { values } = await c.get();
  const want = Object.entries(labels) as ['destination' | 'outcome', string][];
  return values.find((v) => want.every(([k, val]) => v.labels[k] === val))?.value ?? 0;
}

/** A histogram's observation count and sum for these labels. */
async function observed(h: Histogram<string>, labels: Record<string, string>): Promise<{ count: number; sum: number }> {
  const { name, values } = await h.get();
  const match = (metricName: string) =>
    values.find((v) => v.metricName === metricName && Object.entries(labels).every(([k, val]) => v.labels[k] === val))?.value ?? 0;
  return { count: match(`${name}_count`), sum: match(`${name}_sum`) };
}

async function totals(m: DeliveryMetrics) {
  const sum = async (c: Counter<'destination' | 'outcome'>) => (await c.get()).values.reduce((a, v) => a + v.value, 0);
  return { attempts: await sum(m.attempts), deliveries: await sum(m.deliveries), breaches: await sum(m.slaBreaches) };
}

describe('delivery metrics: outcomes', () => {
  it('a 2xx: one attempt and one delivery, delivered; latency from acceptance; the attempt timed; no breach inside the SLA', async () => {
    const { metrics, deliver } = setup([{ status: 202 }]);
    await deliver(input({ acceptedAtMs: Date.now() - 2000 }), { isLocal: true });
    const labels = { destination: 'crm-hook', outcome: 'delivered' };
    assert.equal(await count(metrics.attempts, labels), 1);
    assert.equal(await count(metrics.deliveries, labels), 1);
    const latency = await observed(metrics.latencySeconds, { destination: 'crm-hook' });
    assert.equal(latency.count, 1);
    assert.ok(latency.sum >= 2 && latency.sum < 60, `latency ${latency.sum}s counts from acceptance`);
    assert.equal((await observed(metrics.attemptSeconds, labels)).count, 1);
    assert.deepEqual(await totals(metrics), { attempts: 1, deliveries: 1, breaches: 0 });
  });

  it('a 2xx after the SLA: a breach, outcome delivered', async () => {
    const { metrics, deliver } = setup([{ status: 200 }]);
    await deliver(input({ acceptedAtMs: Date.now() - 120_000, slaSeconds: 60 }));
    assert.equal(await count(metrics.slaBreaches, { destination: 'crm-hook', outcome: 'delivered' }), 1);
  });

  it('a 2xx to a request that is not the last: an attempt, not yet a delivery, no latency', async () => {
    const { metrics, deliver } = setup([{ status: 200 }]);
    await deliver(input({ lastRequest: false, acceptedAtMs: Date.now() - 120_000 }));
    assert.deepEqual(await totals(metrics), { attempts: 1, deliveries: 0, breaches: 0 });
    assert.equal((await observed(metrics.latencySeconds, { destination: 'crm-hook' })).count, 0);
  });

  it('a 503: an attempt retried, no delivery settled', async () => {
    const { metrics, deliver } = setup([{ status: 503 }]);
    await assert.rejects(deliver(input()));
    assert.equal(await count(metrics.attempts, { destination: 'crm-hook', outcome: 'retried' }), 1);
    assert.deepEqual(await totals(metrics), { attempts: 1, deliveries: 0, breaches: 0 });
  });

  it('a connection error is retried too', async () => {
    const { metrics, deliver } = setup([new Error('ECONNREFUSED')]);
    await assert.rejects(deliver(input()));
    assert.equal(await count(metrics.attempts, { destination: 'crm-hook', outcome: 'retried' }), 1);
  });

  it('a 400: failed_permanent, settled; after the SLA, a breach with that outcome', async () => {
    const { metrics, deliver } = setup([{ status: 400 }]);
    await assert.rejects(deliver(input({ acceptedAtMs: Date.now() - 120_000 })));
    const labels = { destination: 'crm-hook', outcome: 'failed_permanent' };
    assert.equal(await count(metrics.attempts, labels), 1);
    assert.equal(await count(metrics.deliveries, labels), 1);
    assert.equal(await count(metrics.slaBreaches, labels), 1);
    assert.equal((await observed(metrics.latencySeconds, { destination: 'crm-hook' })).count, 0, 'no latency without a 2xx');
  });

  it('a 503 with no room left in the retry window: failed_retry_window, settled', async () => {
    const { metrics, deliver } = setup([{ status: 503 }]);
    const hourAgo = Date.now() - 3600_000 + 100;
    await assert.rejects(deliver(input({ firstAttemptAtMs: hourAgo, attemptsBefore: 1 }), { attempt: 5 }));
    const labels = { destination: 'crm-hook', outcome: 'failed_retry_window' };
    assert.equal(await count(metrics.attempts, labels), 1);
    assert.equal(await count(metrics.deliveries, labels), 1);
  });

  it('a paused destination: refused before sending, not an attempt', async () => {
    const store = new MemoryStore(webhookDestination());
    store.paused.add('crm-hook');
    const { metrics, deliver } = setup([], { store });
    await assert.rejects(deliver(input({ checkPaused: true })));
    assert.deepEqual(await totals(metrics), { attempts: 0, deliveries: 0, breaches: 0 });
  });

  it('a destination the store does not know: labelled _unknown (never the name the input carries)', async () => {
    const { metrics, deliver } = setup([]);
    await assert.rejects(deliver(input({ destination: 'no-such-destination' })));
    assert.equal(await count(metrics.deliveries, { destination: UNKNOWN_DESTINATION, outcome: 'failed_permanent' }), 1);
    assert.doesNotMatch(await metrics.registry.metrics(), /no-such-destination/);
  });

  it('input from a run started before the metrics fields: counted, without latency or breach', async () => {
    const { metrics, deliver } = setup([{ status: 200 }]);
    const old = input();
    delete old.acceptedAtMs;
    delete old.slaSeconds;
    delete old.lastRequest;
    await deliver(old);
    assert.deepEqual(await totals(metrics), { attempts: 1, deliveries: 1, breaches: 0 });
    assert.equal((await observed(metrics.latencySeconds, { destination: 'crm-hook' })).count, 0);
  });
});

describe('delivery metrics: connection slot wait and labels', () => {
  it("observes the wait the HTTP client reports for the destination's pool", async () => {
    const http: HttpClient = {
      send(req) {
        assert.equal(req.pool?.key, 'crm-hook');
        req.onSlotWait?.(250);
        return Promise.resolve({ status: 200, headers: {}, body: '', truncated: false });
      },
      close: () => Promise.resolve(),
    };
    const { metrics, deliver } = setup([], { http });
    await deliver(input());
    const wait = await observed(metrics.slotWaitSeconds, { destination: 'crm-hook' });
    assert.deepEqual(wait, { count: 1, sum: 0.25 });
  });

  it('caps the destination label set: names past the cap share _other', () => {
    const m = createDeliveryMetrics(undefined, { maxDestinations: 2 });
    assert.equal(m.destinationLabel('a'), 'a');
    assert.equal(m.destinationLabel('b'), 'b');
    assert.equal(m.destinationLabel('c'), OTHER_DESTINATIONS);
    assert.equal(m.destinationLabel('a'), 'a', 'a name seen before keeps its series');
  });
});
