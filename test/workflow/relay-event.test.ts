/**
 * relayEvent on a real Temporal dev server, delivering over real HTTPS to a local sink.
 * Durations are seconds, not skipped time: the time-skipping server is a download.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { workflowIdFor, type CanonicalEvent } from '../../src/model/canonical-event';
import { createHttpClient, type HttpClient } from '../../src/http/client';
import { createLoyaltyApi } from '../../src/enrichment/loyalty-api';
import { createLogger } from '../../src/telemetry/logger';
import { createTemporalStarter } from '../../src/receiver/starter';
import type { relayEvent, RelayEventOutcome, RelayEventResult } from '../../workflows';
import { SlaBreached, DeliveryStatus } from '../../workflows/search-attributes';
import { startHttpsSink, type HttpsSink, type SinkResponse } from '../helpers/https-sink';
import { startLoyaltyApi } from '../helpers/loyalty-api';
import type { ConfigAdmin } from '../../src/config/admin';
import { pgStoreFor } from '../helpers/config-store';
import { startRelayWorker } from '../helpers/temporal';
import { samplePointsIssued, useTestTemporal } from '../helpers/workflow-suite';

const t = useTestTemporal();
const pointsIssued = samplePointsIssued;

interface Harness {
  sink: HttpsSink;
  http: HttpClient;
  /** Writes to the store the worker reads (the management API's path). */
  admin: ConfigAdmin;
  taskQueue: string;
  run(event: CanonicalEvent): Promise<RelayEventResult | RelayEventOutcome>;
}

/** A sink answering as scripted, a destination pointing at it, and a worker on a fresh task queue. */
async function harness(respond: (index: number) => SinkResponse, destination: Record<string, unknown> = {}): Promise<Harness> {
  const sink = await startHttpsSink({ respond: (_req, i) => respond(i) });
  const loyalty = await startLoyaltyApi({ '919999000001': { totalPoints: 4500 } });
  const { store, admin, drop } = await pgStoreFor(
    {
      sources: [{ id: 'capillary', kind: 'capillary', auth: { key: 'k' } }],
      destinations: [
        {
          name: 'sink',
          kind: 'webhook',
          events: ['pointsIssued'],
          url: `${sink.url}/hooks/{{ event.name }}`,
          body: { customer: '{{ event.customer.id }}', balance: '{{ enrichment.pointsBalance.totalPoints | default: null }}' },
          enrichment: { pointsBalance: true },
          // A failed delivery parks the run; a short parking period ends it (as Failed) within the test.
          parkingPeriodSeconds: 1,
          ...destination,
        },
      ],
    },
    {},
  );
  const http = createHttpClient({ extraCa: sink.ca, allowPrivateNetworks: ['127.0.0.0/8', '::1'] });
  const relay = await startRelayWorker(t.server, {
    store,
    http,
    loyaltyApi: createLoyaltyApi(http, { baseUrl: loyalty.url }),
    backoff: { initialMs: 100, maxMs: 400 },
  });
  t.cleanup(async () => {
    await relay.stop();
    await http.close();
    await sink.close();
    await loyalty.close();
    await drop();
  });
  return { sink, http, admin, taskQueue: relay.taskQueue, run: relay.run };
}

describe('relayEvent', () => {
  test('delivers the templated, enriched request once on 200', async () => {
    const h = await harness(() => ({ status: 200 }));
    const event = pointsIssued();
    const result = await h.run(event);
    assert.equal(result.status, 'delivered');
    assert.equal(result.destinations.length, 1);
    assert.equal(result.destinations[0]?.attempts, 1);
    assert.equal(h.sink.requests.length, 1);
    const req = h.sink.requests[0]!;
    assert.equal(req.method, 'POST');
    assert.equal(req.url, '/hooks/pointsIssued');
    assert.deepEqual(req.json, { customer: '412345678', balance: 4500 });
    assert.match(req.headers['webhook-id'] ?? '', /^msg_[\w-]{32}$/);
  });

  test('retries a 503 with backoff, then succeeds, keeping the idempotency key', async () => {
    const h = await harness((i) => (i < 2 ? { status: 503 } : { status: 200 }));
    const result = await h.run(pointsIssued());
    assert.equal(result.status, 'delivered');
    assert.equal(result.destinations[0]?.attempts, 3);
    assert.equal(h.sink.requests.length, 3);
    const keys = new Set(h.sink.requests.map((r) => r.headers['webhook-id']));
    assert.equal(keys.size, 1, 'every attempt carries the same webhook-id');
  });

  test('a run in flight keeps the destination version it planned with, but its retry sends the current secret; the next event uses the new version', async () => {
    let update: Promise<unknown> | undefined;
    let h: Harness | undefined = undefined;
    h = await harness(
      (i) => {
        if (i === 0) {
          // While the first attempt is answered 503, an operator changes the secret header.
          const admin = h!.admin;
          update = admin.transaction(async (w) => {
            const d = (await w.getDestination('sink'))!;
            return w.replaceDestination(
              'sink',
              { ...d, headers: [{ key: 'X-Token', value: 'token-v2-bbbbbbbb', secret: true }] },
              { expected: d.version },
            );
          });
          return { status: 503, headers: { 'retry-after': '3' } };
        }
        return { status: 200 };
      },
      { headers: [{ key: 'X-Token', value: 'token-v1-aaaaaaaa', secret: true }] },
    );
    const first = await h.run(pointsIssued());
    await update;
    assert.equal(first.status, 'delivered');
    assert.equal(first.destinations[0]?.destinationVersion, '1');
    // The rotated secret reaches the retry (settings pinned, secret values current: activities/secrets.ts).
    assert.deepEqual(
      h.sink.requests.map((r) => r.headers['x-token']),
      ['token-v1-aaaaaaaa', 'token-v2-bbbbbbbb'],
    );
    const next = await h.run(pointsIssued());
    assert.equal(next.destinations[0]?.destinationVersion, '2');
    assert.equal(h.sink.requests.at(-1)?.headers['x-token'], 'token-v2-bbbbbbbb');
  });

  test('does not retry a permanent 400', async () => {
    const h = await harness(() => ({ status: 400, body: '{"error":"bad field"}' }));
    const result = await h.run(pointsIssued());
    assert.equal(result.status, 'failed');
    const d = result.destinations[0]!;
    assert.equal(d.status, 'failed');
    assert.equal(d.httpStatus, 400);
    assert.equal(d.attempts, 1);
    assert.equal(d.error?.type, 'DestinationRejected');
    assert.equal(h.sink.requests.length, 1);
  });

  test('honours Retry-After instead of its own shorter backoff', async () => {
    // Backoff alone would retry after 50–100 ms; Retry-After asks for 2 s.
    const h = await harness((i) => (i === 0 ? { status: 429, headers: { 'retry-after': '2' } } : { status: 200 }));
    const result = await h.run(pointsIssued());
    assert.equal(result.status, 'delivered');
    const [first, second] = h.sink.requests;
    assert.ok(first && second);
    const gap = second.receivedAt - first.receivedAt;
    assert.ok(gap >= 1900, `second attempt came ${gap} ms after the first; Retry-After asked for 2000 ms`);
  });

  test('marks an SLA breach while delivery goes on, and delivers', async () => {
    const h = await harness((i) => (i === 0 ? { status: 503, headers: { 'retry-after': '3' } } : { status: 200 }), { slaSeconds: 1 });
    const event = pointsIssued();
    const handle = await t.server.env.client.workflow.start<typeof relayEvent>('relayEvent', {
      taskQueue: h.taskQueue,
      workflowId: workflowIdFor(event.source, event.id),
      args: [{ event }],
    });
    const result: RelayEventResult = await handle.result();
    assert.equal(result.status, 'delivered');
    assert.equal(result.destinations[0]?.slaBreached, true);
    assert.equal(h.sink.requests.length, 2);
    // The mark came while delivery was still going on: in history, the SLA timer fired and the
    // search attribute was set before the deliver activity completed (ordering, not wall-clock).
    const events = (await handle.fetchHistory()).events ?? [];
    const index = (pred: (e: (typeof events)[number]) => boolean) => events.findIndex(pred);
    const timerFired = index((e) => e.timerFiredEventAttributes != null);
    const marked = index((e) => e.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields?.RelaySlaBreached != null);
    const deliverScheduled = events.find((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'deliver')?.eventId;
    const delivered = index((e) => String(e.activityTaskCompletedEventAttributes?.scheduledEventId ?? '') === String(deliverScheduled));
    assert.ok(timerFired > 0 && marked > timerFired, `timer fired at ${timerFired}, marked at ${marked}`);
    assert.ok(delivered > marked, `deliver completed at ${delivered}, before the SLA mark at ${marked}`);
    const done = await handle.describe();
    assert.equal(done.typedSearchAttributes.get(DeliveryStatus), 'delivered');
    assert.equal(done.typedSearchAttributes.get(SlaBreached), true);
  });

  test('gives up when the retry window is exhausted', async () => {
    const h = await harness(() => ({ status: 503 }), { retryWindowSeconds: 2 });
    const result = await h.run(pointsIssued());
    const d = result.destinations[0]!;
    assert.equal(d.status, 'failed');
    assert.equal(d.error?.type, 'RetryWindowExhausted');
    assert.ok(d.attempts >= 2, `expected several attempts, got ${d.attempts}`);
    assert.equal(h.sink.requests.length, d.attempts);
  });

  test('a template placeholder with no value fails permanently, naming it, without sending', async () => {
    const h = await harness(() => ({ status: 200 }), { body: { points: '{{ event.properties.notThere }}' } });
    const result = await h.run(pointsIssued());
    const d = result.destinations[0]!;
    assert.equal(d.status, 'failed');
    assert.equal(d.error?.type, 'TemplateRenderFailed');
    assert.match(d.error?.message ?? '', /event\.properties\.notThere/);
    assert.equal(h.sink.requests.length, 0);
  });

  test('an event nobody subscribes to completes as no_subscribers', async () => {
    const h = await harness(() => ({ status: 200 }));
    const result = await h.run(pointsIssued({ name: 'tierUpgraded' }));
    assert.equal(result.status, 'no_subscribers');
    assert.equal(h.sink.requests.length, 0);
  });

  test('a duplicate start is reported as a duplicate and delivered once', async () => {
    const h = await harness(() => ({ status: 200 }));
    const starter = createTemporalStarter({
      client: t.server.env.client,
      taskQueue: h.taskQueue,
      startTimeoutMs: 5000,
      logger: createLogger('silent'),
    });
    const event = pointsIssued();
    const first = await starter.start(event);
    const second = await starter.start(event);
    assert.equal(first.duplicate, false);
    assert.equal(second.duplicate, true);
    assert.equal(second.workflowId, first.workflowId);
    await t.server.env.client.workflow.getHandle(first.workflowId).result();
    // A resend after completion is still a duplicate (REJECT_DUPLICATE), not a second delivery.
    const third = await starter.start(event);
    assert.equal(third.duplicate, true);
    assert.equal(h.sink.requests.length, 1);
  });
});
