/**
 * The fast workflow tier: relayEvent's steps on a real dev server with stubbed activities (no
 * HTTP, no database) — the healthy path's cost, retries, parking, redelivery, abandon, holds.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { WorkflowFailedError, WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import type { DeliverInput, MapEventInput, RelayActivities } from '../../activities';
import { workflowIdFor, type CanonicalEvent } from '../../src/model/canonical-event';
import type { DestinationPlan, DestinationState } from '../../src/model/destination';
import { FailureType } from '../../src/model/failure-types';
import { countBillableActions } from '../../src/temporal/billable-actions';
import type { relayEvent, RelayEventOutcome } from '../../workflows';
import { abandonUpdate, destinationChangedSignal, redeliverUpdate } from '../../workflows/messages';
import { DeliveryStatus, FailedDestinations, HeldDestinations, SlaBreached } from '../../workflows/search-attributes';
import { startStubWorker } from '../helpers/temporal';
import { samplePointsIssued, useTestTemporal } from '../helpers/workflow-suite';

const t = useTestTemporal();

function planFor(name: string, over: Partial<DestinationPlan> = {}): DestinationPlan {
  return {
    name,
    version: '1',
    kind: 'webhook',
    slaSeconds: 60,
    timeoutSeconds: 5,
    retryWindowSeconds: 60,
    parkingPeriodSeconds: 60,
    enrichment: { pointsBalance: false },
    paused: false,
    ...over,
  };
}

type Outcome = 'ok' | number | 'paused';

interface Stubs {
  /** Every deliver call: destination, local or not, attempt. */
  calls: { destination: string; local: boolean; attempt: number; key: string }[];
  mapped: MapEventInput[];
  states: Map<string, DestinationState>;
  activities: Partial<RelayActivities>;
}

/**
 * Activities answering as scripted: `script[dest]` is consumed one outcome per deliver call
 * (the last one repeats). 503 is retryable (retry in 50 ms), other numbers permanent.
 */
function stubs(plans: DestinationPlan[], script: Record<string, Outcome[]>): Stubs {
  const calls: Stubs['calls'] = [];
  const mapped: MapEventInput[] = [];
  const states = new Map<string, DestinationState>();
  const activities: Partial<RelayActivities> = {
    resolveSubscriptions: () => Promise.resolve(plans),
    planDestination: (name) => Promise.resolve(plans.find((p) => p.name === name) ?? null),
    destinationState: (name) => Promise.resolve(states.get(name) ?? 'active'),
    mapEvent: (input) => {
      mapped.push(input);
      return Promise.resolve({
        requests: [
          {
            request: { method: 'POST', url: `https://${input.destination}.example/hook`, headers: {}, body: '{}' },
            idempotencyKey: `msg_${input.destination}`,
          },
        ],
        destinationVersion: input.version ?? '1',
      });
    },
    deliver: (input: DeliverInput) => {
      const info = Context.current().info;
      const attempt = info.attempt + (input.attemptsBefore ?? 0);
      calls.push({ destination: input.destination, local: info.isLocal, attempt, key: input.idempotencyKey });
      const queue = script[input.destination] ?? ['ok'];
      const outcome = (queue.length > 1 ? queue.shift() : queue[0]) ?? 'ok';
      if (outcome === 'ok') return Promise.resolve({ httpStatus: 200, attempt, durationMs: 1 });
      if (outcome === 'paused') {
        throw ApplicationFailure.create({
          type: FailureType.DestinationPaused,
          message: 'paused',
          nonRetryable: true,
          details: [{ attempt }],
        });
      }
      if (outcome === 503) {
        throw ApplicationFailure.create({
          type: FailureType.DestinationUnavailable,
          message: `${input.destination} answered 503`,
          details: [{ attempt, httpStatus: 503, retryInMs: 50 }],
          nextRetryDelay: 50,
        });
      }
      throw ApplicationFailure.create({
        type: FailureType.DestinationRejected,
        message: `${input.destination} answered ${outcome}`,
        details: [{ attempt, httpStatus: outcome }],
        nonRetryable: true,
      });
    },
  };
  return { calls, mapped, states, activities };
}

async function start(s: Stubs, event: CanonicalEvent = samplePointsIssued()): Promise<WorkflowHandle<typeof relayEvent>> {
  const worker = await startStubWorker(t.server, s.activities);
  t.cleanup(() => worker.stop());
  return t.server.env.client.workflow.start<typeof relayEvent>('relayEvent', {
    taskQueue: worker.taskQueue,
    workflowId: workflowIdFor(event.source, event.id),
    args: [{ event }],
    typedSearchAttributes: [
      { key: DeliveryStatus, value: 'pending' },
      { key: SlaBreached, value: false },
    ],
  });
}

async function history(handle: WorkflowHandle) {
  return (await handle.fetchHistory()).events ?? [];
}

/** Wait (bounded) until the run's search attribute has a value. */
async function until(handle: WorkflowHandle, what: string, check: (d: Awaited<ReturnType<WorkflowHandle['describe']>>) => boolean) {
  for (let i = 0; i < 200; i++) {
    if (check(await handle.describe())) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.fail(`run never became ${what}`);
}

const parked = (handle: WorkflowHandle) =>
  until(handle, 'parked', (d) => (d.typedSearchAttributes.get(FailedDestinations) ?? []).length > 0);

async function outcomeOf(handle: WorkflowHandle): Promise<{ type?: string; outcome: RelayEventOutcome }> {
  const err = await handle.result().then(
    () => assert.fail('the run completed; it should have failed'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof WorkflowFailedError);
  const cause = err.cause as ApplicationFailure;
  return { type: cause.type ?? undefined, outcome: cause.details?.[0] as RelayEventOutcome };
}

describe('relayEvent steps (stubbed activities)', () => {
  test('a healthy event is one workflow task: ≤ 3 billable actions, ≤ 12 history events, SLA timer never started', async () => {
    const s = stubs([planFor('crm')], {});
    const handle = await start(s);
    const result = await handle.result();
    assert.equal(result.status, 'delivered');
    assert.equal(result.destinations[0]?.attempts, 1);
    assert.equal(s.calls.length, 1);
    assert.equal(s.calls[0]?.local, true, 'the first attempt is a local activity');
    const events = await history(handle);
    const actions = countBillableActions(events);
    assert.ok(events.length <= 12, `${events.length} history events`);
    assert.equal(actions.timers, 0);
    assert.equal(actions.upserts, 1, 'one merged search-attribute upsert');
    assert.equal(actions.markerTasks, 1, 'every local activity in the first workflow task');
    assert.ok(actions.total <= 3, `${actions.total} billable actions`);
    const d = await handle.describe();
    assert.equal(d.typedSearchAttributes.get(DeliveryStatus), 'delivered');
  });

  test('three healthy destinations still cost at most 4 actions', async () => {
    const s = stubs([planFor('a'), planFor('b'), planFor('c')], {});
    const handle = await start(s);
    assert.equal((await handle.result()).status, 'delivered');
    const actions = countBillableActions(await history(handle));
    assert.ok(actions.total <= 4, `${actions.total} billable actions`);
  });

  test('a failed first attempt continues as a regular activity: attempts counted on, same key, SLA marked while retrying', async () => {
    const s = stubs([planFor('crm', { slaSeconds: 1 })], { crm: [503, 503, 503, 'ok'] });
    // The SLA is 1 s; each retry waits 50 ms: the stub sleeps so the third attempt comes after it.
    const slow = s.activities.deliver!;
    s.activities.deliver = async (input) => {
      if (!Context.current().info.isLocal && Context.current().info.attempt === 2) await new Promise((r) => setTimeout(r, 1200));
      return slow(input);
    };
    const handle = await start(s);
    const result = await handle.result();
    assert.equal(result.status, 'delivered');
    assert.equal(result.destinations[0]?.attempts, 4);
    assert.equal(result.destinations[0]?.slaBreached, true);
    assert.deepEqual(
      s.calls.map((c) => [c.local, c.attempt]),
      [
        [true, 1],
        [false, 2],
        [false, 3],
        [false, 4],
      ],
    );
    assert.equal(new Set(s.calls.map((c) => c.key)).size, 1);
    const d = await handle.describe();
    assert.equal(d.typedSearchAttributes.get(SlaBreached), true);
    assert.equal(d.typedSearchAttributes.get(DeliveryStatus), 'delivered');
  });

  test('a permanent failure parks the run; redeliver sends only the failed destination, once, with the same key', async () => {
    const s = stubs([planFor('crm'), planFor('glu')], { crm: [400, 'ok'] });
    const handle = await start(s);
    await parked(handle);
    const d = await handle.describe();
    assert.equal(d.status.name, 'RUNNING');
    assert.equal(d.typedSearchAttributes.get(DeliveryStatus), 'partially_delivered');
    assert.deepEqual(d.typedSearchAttributes.get(FailedDestinations), ['crm']);

    // Rejections: nothing sent.
    await assert.rejects(handle.executeUpdate(redeliverUpdate, { args: [{ destinations: ['glu'] }] }), WorkflowUpdateFailedError);
    await assert.rejects(handle.executeUpdate(redeliverUpdate, { args: [{ destinations: ['nope'] }] }), WorkflowUpdateFailedError);
    assert.equal(s.calls.length, 2);

    const answer = await handle.executeUpdate(redeliverUpdate, { args: [{}] });
    assert.deepEqual(answer, { redelivering: ['crm'] });
    const result = await handle.result();
    assert.equal(result.status, 'delivered');
    assert.deepEqual(
      s.calls.map((c) => c.destination),
      ['crm', 'glu', 'crm'],
      'glu got its 2xx: never sent again',
    );
    assert.equal(s.calls[2]?.key, s.calls[0]?.key, 'the redelivery keeps the webhook-id');
    assert.equal(result.destinations.find((r) => r.destination === 'crm')?.redeliveries, 1);
    assert.equal(s.mapped.at(-1)?.version, '1', 'a redelivery renders with the destination as it is now');
    const after = await handle.describe();
    assert.equal(after.typedSearchAttributes.get(DeliveryStatus), 'delivered');
    assert.equal(after.typedSearchAttributes.get(FailedDestinations), undefined);
    // Once completed, a redeliver is refused by the server: the run is not open.
    await assert.rejects(handle.executeUpdate(redeliverUpdate, { args: [{}] }));
  });

  test('redeliver and abandon are refused while the run is still retrying (not parked): nothing sent', async () => {
    const s = stubs([planFor('crm', { retryWindowSeconds: 600 })], { crm: [503] });
    // Each retry waits 50 ms: slow the retries down so the run stays in "retrying".
    const deliver = s.activities.deliver!;
    s.activities.deliver = async (input) => {
      if (!Context.current().info.isLocal) await new Promise((r) => setTimeout(r, 300));
      return deliver(input);
    };
    const handle = await start(s);
    await until(handle, 'retrying', (d) => d.typedSearchAttributes.get(DeliveryStatus) === 'retrying');
    const sent = s.calls.length;
    const refusedBecauseNotParked = (e: unknown) =>
      e instanceof WorkflowUpdateFailedError && /not parked \(retrying\)/.test(e.cause?.message ?? '');
    await assert.rejects(handle.executeUpdate(redeliverUpdate, { args: [{}] }), refusedBecauseNotParked);
    await assert.rejects(handle.executeUpdate(abandonUpdate, { args: [{}] }), refusedBecauseNotParked);
    assert.ok(s.calls.length - sent <= 1, 'the update sent nothing (at most the retry in flight)');
    await handle.terminate('test over');
  });

  test('a failed destination can be redelivered while another is still retrying; a malformed list is refused', async () => {
    const s = stubs([planFor('crm'), planFor('glu', { retryWindowSeconds: 600 })], { crm: [400, 'ok'], glu: [503] });
    const deliver = s.activities.deliver!;
    s.activities.deliver = async (input) => {
      if (!Context.current().info.isLocal) await new Promise((r) => setTimeout(r, 300));
      return deliver(input);
    };
    const handle = await start(s);
    await until(handle, 'retrying with crm failed', (d) => (d.typedSearchAttributes.get(FailedDestinations) ?? []).includes('crm'));
    await assert.rejects(
      handle.executeUpdate(redeliverUpdate, { args: [{ destinations: 'crm' as unknown as string[] }] }),
      (e: unknown) => e instanceof WorkflowUpdateFailedError && /must be a list/.test(e.cause?.message ?? ''),
    );
    assert.deepEqual(await handle.executeUpdate(redeliverUpdate, { args: [{ destinations: ['crm'] }] }), { redelivering: ['crm'] });
    for (let i = 0; i < 200 && s.calls.filter((c) => c.destination === 'crm').length < 2; i++) await new Promise((r) => setTimeout(r, 50));
    assert.equal(s.calls.filter((c) => c.destination === 'crm').length, 2);
    await until(handle, 'crm no longer failed', (d) => !(d.typedSearchAttributes.get(FailedDestinations) ?? []).includes('crm'));
    await handle.terminate('test over');
  });

  test('a parked run nobody redelivers ends as Failed after the parking period, with every result', async () => {
    const s = stubs([planFor('crm', { parkingPeriodSeconds: 1 })], { crm: [400] });
    const handle = await start(s);
    const { type, outcome } = await outcomeOf(handle);
    assert.equal(type, FailureType.DeliveryFailed);
    assert.equal(outcome.status, 'failed');
    assert.equal(outcome.destinations[0]?.error?.type, FailureType.DestinationRejected);
    assert.equal(outcome.destinations[0]?.httpStatus, 400);
    const d = await handle.describe();
    assert.equal(d.status.name, 'FAILED');
    assert.equal(d.typedSearchAttributes.get(DeliveryStatus), 'failed');
  });

  test('abandon ends a parked run as Failed (DeliveryAbandoned) without sending; not before it is parked', async () => {
    const s = stubs([planFor('crm')], { crm: [503, 503, 400] });
    const handle = await start(s);
    await parked(handle);
    await handle.executeUpdate(abandonUpdate, { args: [{ reason: 'customer deleted' }] });
    const { type, outcome } = await outcomeOf(handle);
    assert.equal(type, FailureType.DeliveryAbandoned);
    assert.equal(outcome.reason, 'customer deleted');
    assert.equal(s.calls.length, 3);
    assert.equal((await handle.describe()).typedSearchAttributes.get(DeliveryStatus), 'abandoned');
  });

  test('a paused destination holds without attempts and delivers when a signal says it resumed', async () => {
    const s = stubs([planFor('crm', { paused: true }), planFor('glu')], {});
    s.states.set('crm', 'paused');
    const handle = await start(s);
    await until(handle, 'held', (d) => (d.typedSearchAttributes.get(HeldDestinations) ?? []).includes('crm'));
    assert.deepEqual(
      s.calls.map((c) => c.destination),
      ['glu'],
    );
    const d = await handle.describe();
    assert.equal(d.typedSearchAttributes.get(DeliveryStatus), 'held');
    // A wake while still paused changes nothing: the run looks (a marker after the signal) and holds on.
    await handle.signal(destinationChangedSignal, { destination: 'crm' });
    for (let i = 0; i < 200; i++) {
      const events = await history(handle);
      const signalled = events.findIndex((e) => e.workflowExecutionSignaledEventAttributes);
      if (signalled >= 0 && events.slice(signalled).some((e) => e.markerRecordedEventAttributes)) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.equal((await handle.describe()).typedSearchAttributes.get(DeliveryStatus), 'held');
    s.states.set('crm', 'active');
    await handle.signal(destinationChangedSignal, { destination: 'crm' });
    const result = await handle.result();
    assert.equal(result.status, 'delivered');
    assert.deepEqual(
      s.calls.map((c) => c.destination),
      ['glu', 'crm'],
    );
    const events = await history(handle);
    const actions = countBillableActions(events);
    assert.equal(actions.activityAttempts, 0, 'no regular activity while holding');
    assert.equal((await handle.describe()).typedSearchAttributes.get(HeldDestinations), undefined);
  });

  test('a destination paused during retries holds; deleted while held, the delivery parks as failed with the reason', async () => {
    const s = stubs([planFor('crm')], { crm: [503, 'paused'] });
    const handle = await start(s);
    await until(handle, 'held', (d) => d.typedSearchAttributes.get(DeliveryStatus) === 'held');
    s.states.set('crm', 'deleted');
    await handle.signal(destinationChangedSignal, { destination: 'crm' });
    await parked(handle);
    await handle.executeUpdate(abandonUpdate, { args: [{}] });
    const { outcome } = await outcomeOf(handle);
    assert.equal(outcome.destinations[0]?.error?.type, FailureType.DestinationNotFound);
    assert.match(outcome.destinations[0]?.error?.message ?? '', /deleted while a delivery to it was held/);
  });

  // Issue 16: a store error that retrying cannot fix (PostgreSQL 22021, a NUL in the event name) was retried forever.
  test('a plan step that cannot succeed (PlanningFailed, non-retryable) ends the run Failed, naming the problem', async () => {
    const s = stubs([planFor('crm')], {});
    let planCalls = 0;
    s.activities.resolveSubscriptions = () => {
      planCalls++;
      throw ApplicationFailure.nonRetryable(
        'the configuration store refused the lookup: invalid byte sequence (SQLSTATE 22021)',
        FailureType.PlanningFailed,
      );
    };
    const handle = await start(s);
    const err = await handle.result().then(
      () => assert.fail('the run completed; it should have failed'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof WorkflowFailedError, String(err));
    const failures: string[] = [];
    for (let c: unknown = err.cause; c instanceof Error; c = (c as { cause?: unknown }).cause) failures.push(c.message);
    assert.ok(
      failures.some((m) => /SQLSTATE 22021/.test(m)),
      failures.join(' <- '),
    );
    assert.ok(err.cause instanceof ApplicationFailure && err.cause.type === 'PlanningFailed', String(err.cause));
    assert.match(err.cause.message, /^planning failed: .*SQLSTATE 22021/);
    const d = await handle.describe();
    assert.equal(d.status.name, 'FAILED');
    assert.equal(d.typedSearchAttributes.get(DeliveryStatus), 'failed');
    assert.equal(planCalls, 1, 'not retried');
    assert.equal(s.calls.length, 0, 'nothing delivered');
  });
});
