/**
 * The planning activities in a mocked activity context against an in-memory ConfigStore:
 * subscriptions, plans and state passed through, and mapEvent's requests with their
 * idempotency keys (stable per event × destination × request part) and render failures.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import { createActivities, idempotencyKeyFor } from '../../../activities';
import type { MapEventInput } from '../../../activities/types';
import type { DestinationConfig } from '../../../src/model/destination';
import type { MoengageSettings } from '../../../src/destinations/moengage';
import { FailureType } from '../../../src/model/failure-types';
import { activityEnv, failureOf, fakeHttp, loyaltyEvent, MemoryStore, webhookDestination } from '../../helpers/activity-fakes';

const moengage: DestinationConfig<MoengageSettings> = {
  name: 'moe',
  kind: 'moengage',
  version: 'm7',
  enabled: true,
  events: ['pointsIssued', 'customerUpdated'],
  slaSeconds: 120,
  maxConnections: 2,
  timeoutSeconds: 5,
  retryWindowSeconds: 600,
  parkingPeriodSeconds: 3600,
  enrichment: { pointsBalance: false },
  settings: { dataCenter: '03', workspaceId: 'WS123', dataApiKey: '${MOE_KEY}', allowInsecureHttp: false },
};

function setup(...destinations: DestinationConfig[]) {
  const store = new MemoryStore(...(destinations.length > 0 ? destinations : [webhookDestination()]));
  const { http, requests } = fakeHttp([]);
  return { store, requests, activities: createActivities({ store, http }) };
}

type Activities = ReturnType<typeof setup>['activities'];

function mapEvent(activities: Activities, input: Partial<MapEventInput> = {}) {
  return activityEnv({ isLocal: true }).run(() =>
    activities.mapEvent({ destination: 'crm-hook', event: loyaltyEvent(), enrichment: {}, ...input }),
  );
}

describe('resolveSubscriptions, planDestination, destinationState', () => {
  it('resolveSubscriptions: the enabled subscribers, paused ones flagged', async () => {
    const { store, activities } = setup(
      webhookDestination(),
      moengage,
      webhookDestination({}, { name: 'off', enabled: false }),
      webhookDestination({}, { name: 'other-source', sources: ['segment'] }),
    );
    store.paused.add('moe');
    const plans = await activityEnv({ isLocal: true }).run(() =>
      activities.resolveSubscriptions({ source: 'capillary-prod', name: 'pointsIssued' }),
    );
    assert.deepEqual(
      plans.map((p) => [p.name, p.version, p.paused]),
      [
        ['crm-hook', 'v1', false],
        ['moe', 'm7', true],
      ],
    );
    assert.deepEqual(plans[1], {
      name: 'moe',
      version: 'm7',
      kind: 'moengage',
      slaSeconds: 120,
      timeoutSeconds: 5,
      retryWindowSeconds: 600,
      parkingPeriodSeconds: 3600,
      enrichment: { pointsBalance: false },
      paused: true,
    });
  });

  it('planDestination: the current plan, null (not undefined) when deleted', async () => {
    const { activities } = setup(webhookDestination(), moengage);
    const env = activityEnv({ isLocal: true });
    const plan = await env.run(() => activities.planDestination('crm-hook'));
    assert.equal(plan?.version, 'v1');
    assert.equal(plan?.parkingPeriodSeconds, 7 * 24 * 3600, 'the default parking period');
    assert.equal(await env.run(() => activities.planDestination('gone')), null);
  });

  it('destinationState: what the store says', async () => {
    const { store, activities } = setup(webhookDestination(), moengage, webhookDestination({}, { name: 'off', enabled: false }));
    store.paused.add('moe');
    const env = activityEnv({ isLocal: true });
    const states = [];
    for (const name of ['crm-hook', 'moe', 'off', 'gone']) states.push(await env.run(() => activities.destinationState(name)));
    assert.deepEqual(states, ['active', 'paused', 'disabled', 'deleted']);
  });
});

describe('resolveSubscriptions: store errors classified', () => {
  function failingStore(code: string, message: string) {
    const { store, activities } = setup();
    store.resolveSubscriptions = () => Promise.reject(Object.assign(new Error(message), { code }));
    return activityEnv({ isLocal: true }).run(() => activities.resolveSubscriptions({ source: 'server', name: 'a\u0000b' }));
  }

  for (const [code, message] of [
    ['22021', 'invalid byte sequence for encoding "UTF8": 0x00'],
    ['22P02', 'invalid input syntax for type uuid: "x"'],
  ] as const) {
    it(`a data error (SQLSTATE ${code}) cannot succeed on retry: non-retryable PlanningFailed`, async () => {
      const failure = await failureOf(failingStore(code, message));
      assert.equal(failure.type, FailureType.PlanningFailed);
      assert.equal(failure.nonRetryable, true);
      assert.match(failure.message, new RegExp(code));
      assert.match(failure.message, /a\\u0000b/, 'the event name, escaped');
    });
  }

  for (const [code, message] of [
    ['08006', 'connection failure'],
    ['57P01', 'terminating connection due to administrator command'],
    ['55000', 'database "x" is not currently accepting connections'],
    ['ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:5432'],
  ] as const) {
    it(`a store that cannot be reached now (${code}) stays retryable`, async () => {
      const err = await failingStore(code, message).then(
        () => assert.fail('expected the activity to fail'),
        (e: unknown) => e,
      );
      assert.ok(!(err instanceof ApplicationFailure && err.nonRetryable), `${String(err)} should be retryable`);
    });
  }
});

describe('mapEvent', () => {
  it('renders the webhook request without secret headers, keyed per event × destination', async () => {
    const { activities, requests } = setup();
    const event = loyaltyEvent();
    const mapped = await mapEvent(activities, { event, enrichment: { pointsBalance: { totalPoints: 4500 } } });
    assert.equal(mapped.destinationVersion, 'v1');
    assert.equal(mapped.requests.length, 1);
    const [only] = mapped.requests;
    assert.deepEqual(only?.request, {
      method: 'POST',
      url: 'https://hooks.example.com/loyalty',
      headers: { 'content-type': 'application/json', 'x-event': 'pointsIssued' },
      body: JSON.stringify({ ...event, enrichment: { pointsBalance: { totalPoints: 4500 } } }),
    });
    assert.equal(only?.idempotencyKey, idempotencyKeyFor(event, 'crm-hook'));
    assert.match(only?.idempotencyKey ?? '', /^msg_[A-Za-z0-9_-]{32}$/);
    assert.equal(requests.length, 0, 'mapping sends nothing');
  });

  it('keys are stable for the same event and destination, whatever else changes', async () => {
    const { activities } = setup();
    const first = await mapEvent(activities);
    const again = await mapEvent(activities, {
      event: loyaltyEvent({ receivedAt: '2026-11-24T00:00:00.000Z', properties: { totalPointsIssued: 1 } }),
      enrichment: { pointsBalance: { totalPoints: 1 } },
    });
    assert.equal(again.requests[0]?.idempotencyKey, first.requests[0]?.idempotencyKey);
  });

  it('keys differ by event id, source and destination', async () => {
    const renamed = webhookDestination({}, { name: 'crm-hook-2' });
    const { activities } = setup(webhookDestination(), renamed);
    const keyOf = async (input: Partial<MapEventInput>) => (await mapEvent(activities, input)).requests[0]?.idempotencyKey;
    const keys = [
      await keyOf({}),
      await keyOf({ event: loyaltyEvent({ id: 'another-event' }) }),
      await keyOf({ event: loyaltyEvent({ source: 'capillary-uat' }) }),
      await keyOf({ destination: 'crm-hook-2' }),
    ];
    assert.equal(new Set(keys).size, 4, `keys: ${keys.join(', ')}`);
  });

  it('several requests (MoEngage user event): one key per part, in order, the primary one unsuffixed', async () => {
    const { activities } = setup(moengage);
    const event = loyaltyEvent({ type: 'user', name: 'customerUpdated', traits: { tier: 'Gold' } });
    const mapped = await mapEvent(activities, { destination: 'moe', event });
    assert.equal(mapped.destinationVersion, 'm7');
    assert.deepEqual(
      mapped.requests.map((r) => [r.request.part, r.request.url]),
      [
        ['customer', 'https://api-03.moengage.com/v1/customer/WS123'],
        [undefined, 'https://api-03.moengage.com/v1/event/WS123'],
      ],
    );
    const [customer, primary] = mapped.requests.map((r) => r.idempotencyKey);
    assert.equal(customer, idempotencyKeyFor(event, 'moe', 'customer'));
    assert.equal(primary, idempotencyKeyFor(event, 'moe'));
    assert.notEqual(customer, primary);
    assert.doesNotMatch(JSON.stringify(mapped), /MOE_KEY|authorization/i);
  });

  it('keeps only the enrichment the destination chose', async () => {
    const choosy = webhookDestination({}, { enrichment: { pointsBalance: false, store: true } });
    const { activities } = setup(choosy);
    const mapped = await mapEvent(activities, {
      enrichment: { pointsBalance: { totalPoints: 4500 }, store: { code: 'blr-01' }, till: { code: 't1' } },
    });
    const body = JSON.parse(mapped.requests[0]?.request.body ?? '{}') as { enrichment?: unknown };
    assert.deepEqual(body.enrichment, { store: { code: 'blr-01' } });
  });

  it('renders with the planned version, and the current one when the version is absent', async () => {
    const { activities } = setup();
    assert.equal((await mapEvent(activities, { version: 'v1' })).destinationVersion, 'v1');
    assert.equal((await mapEvent(activities, {})).destinationVersion, 'v1');
  });

  it('a missing placeholder: non-retryable TemplateRenderFailed naming it', async () => {
    const { activities } = setup(webhookDestination({ body: { tier: '{{ event.properties.tier }}' } }));
    const failure = await failureOf(mapEvent(activities));
    assert.equal(failure.type, FailureType.TemplateRenderFailed);
    assert.equal(failure.nonRetryable, true);
    assert.match(failure.message, /event\.properties\.tier/);
    assert.deepEqual(failure.details, [{ attempt: 1 }]);
  });

  it('an event a kind cannot map (MoEngage without a customer id): TemplateRenderFailed', async () => {
    const { activities } = setup(moengage);
    const failure = await failureOf(mapEvent(activities, { destination: 'moe', event: loyaltyEvent({ customer: { identifiers: {} } }) }));
    assert.equal(failure.type, FailureType.TemplateRenderFailed);
  });

  it('a customer id a URL cannot carry (a lone UTF-16 surrogate): non-retryable TemplateRenderFailed, not retried forever', async () => {
    const { activities } = setup(webhookDestination({ url: 'https://hooks.example.com/c/{{ event.customer.id }}' }));
    const failure = await failureOf(mapEvent(activities, { event: loyaltyEvent({ customer: { id: '\ud800', identifiers: {} } }) }));
    assert.equal(failure.type, FailureType.TemplateRenderFailed);
    assert.equal(failure.nonRetryable, true);
    assert.match(failure.message, /event\.customer\.id/);
  });

  it('a deleted destination or an unknown version: non-retryable DestinationNotFound', async () => {
    const { activities } = setup();
    const deleted = await failureOf(mapEvent(activities, { destination: 'nope' }));
    assert.equal(deleted.type, FailureType.DestinationNotFound);
    assert.equal(deleted.nonRetryable, true);
    assert.equal(deleted.message, 'destination "nope" is not configured');
    const oldVersion = await failureOf(mapEvent(activities, { version: 'v0' }));
    assert.equal(oldVersion.type, FailureType.DestinationNotFound);
    assert.equal(oldVersion.message, 'version v0 of destination "crm-hook" is not configured');
    assert.deepEqual(oldVersion.details, [{ attempt: 1 }]);
  });
});
