/**
 * The deliver activity in a mocked activity context (attempt, scheduled time), against a
 * scripted HttpClient and an in-memory ConfigStore: receipts, attempt numbering across the
 * local first attempt, failure classification, Retry-After and backoff, the retry window, the
 * paused check, the outbound guard and the OAuth refresh on 401. No servers.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Info } from '@temporalio/activity';
import type { ApplicationFailure } from '@temporalio/common';
import { createActivities } from '../../../activities';
import type { DeliverInput } from '../../../activities/types';
import type { Credential } from '../../../src/model/credential';
import { FailureType, type DeliveryFailureDetails } from '../../../src/model/failure-types';
import { ConcurrencyWaitAborted } from '../../../src/http/limiter';
import { BlockedAddressError } from '../../../src/http/outbound-guard';
import {
  activityEnv,
  failureOf,
  fakeHttp,
  loyaltyEvent,
  memoryLogger,
  MemoryStore,
  webhookDestination,
  type Scripted,
} from '../../helpers/activity-fakes';

const USER_AGENT = 'loyalty-relay/test';
const BACKOFF = { initialMs: 1000, maxMs: 60_000 };

/** Activities over a store holding `crm-hook` (with its secret header resolved) and an HTTP client answering `script`. */
function setup(script: Scripted[], options: { random?: number; routes?: Record<string, Scripted[]>; store?: MemoryStore } = {}) {
  const store = options.store ?? new MemoryStore(webhookDestination());
  if (!options.store) store.secrets.set('crm-hook', { 'header:X-Api-Key': 'k-123' });
  const { http, requests } = fakeHttp(script, options.routes);
  const random = options.random ?? 0.5;
  const activities = createActivities({ store, http, backoff: BACKOFF, random: () => random, userAgent: USER_AGENT });
  return { store, requests, activities };
}

function deliverInput(overrides: Partial<DeliverInput> = {}): DeliverInput {
  return {
    destination: 'crm-hook',
    destinationVersion: 'v1',
    request: {
      method: 'POST',
      url: 'https://hooks.example.com/loyalty',
      headers: { 'content-type': 'application/json', 'x-event': 'pointsIssued' },
      body: '{"points":250}',
    },
    idempotencyKey: 'msg_0123456789abcdef0123456789abcdef',
    timeoutSeconds: 7,
    retryWindowSeconds: 3600,
    ...overrides,
  };
}

type Activities = ReturnType<typeof setup>['activities'];

function deliver(activities: Activities, input: DeliverInput, info: Partial<Info> = {}) {
  return activityEnv(info).run(() => activities.deliver(input));
}

/** The ApplicationFailure `p` rejects with, and its delivery details. */
async function deliveryFailureOf(p: Promise<unknown>): Promise<{ failure: ApplicationFailure; details: DeliveryFailureDetails }> {
  const failure = await failureOf(p);
  assert.equal(failure.details?.length, 1, 'one details entry');
  return { failure, details: failure.details?.[0] as DeliveryFailureDetails };
}

describe('deliver: a 2xx answer', () => {
  it('returns the receipt and sends the request with webhook-id, user-agent and the secret header', async () => {
    const { activities, requests, store } = setup([{ status: 202 }]);
    // The workflow's attempt timeout for timeoutSeconds 7: 2 × 7 + 25 s.
    const receipt = await deliver(activities, deliverInput(), { isLocal: true, startToCloseTimeoutMs: 39_000 });

    assert.equal(receipt.httpStatus, 202);
    assert.equal(receipt.attempt, 1);
    assert.equal(typeof receipt.durationMs, 'number');
    assert.ok(receipt.durationMs >= 0);
    assert.deepEqual(Object.keys(receipt).sort(), ['attempt', 'durationMs', 'httpStatus']);

    assert.equal(requests.length, 1);
    assert.deepEqual(requests[0], {
      method: 'POST',
      url: 'https://hooks.example.com/loyalty',
      headers: {
        'content-type': 'application/json',
        'x-event': 'pointsIssued',
        'user-agent': USER_AGENT,
        'webhook-id': 'msg_0123456789abcdef0123456789abcdef',
        'x-loyalty-relay-hops': '1',
        'x-api-key': 'k-123',
      },
      body: '{"points":250}',
      timeoutMs: 7000,
      pool: { key: 'crm-hook', maxConnections: 4, shared: true },
      // The wait for a connection slot gets what the attempt leaves after the request's own
      // timeout and a 5 s margin (39 − 7 − 5 = 27 s, less the milliseconds this attempt ran).
      slotWaitMs: requests[0]?.slotWaitMs,
      restricted: true,
    });
    const wait = requests[0]?.slotWaitMs ?? -1;
    assert.ok(wait > 20_000 && wait <= 27_000, `slot wait ${wait} ms`);
    assert.deepEqual(store.secretLookups, [['crm-hook', 'v1']]);
  });

  it('waits for no slot at all when the attempt has no time for the request after a wait', async () => {
    const { activities, requests } = setup([{ status: 200 }]);
    await deliver(activities, deliverInput(), { isLocal: true, startToCloseTimeoutMs: 12_000 });
    assert.equal(requests[0]?.slotWaitMs, 0);
  });

  it('a slot that does not come free in time: retryable, saying nothing was sent', async () => {
    const { activities } = setup([new ConcurrencyWaitAborted('crm-hook', 4)]);
    const { failure, details } = await deliveryFailureOf(deliver(activities, deliverInput(), { isLocal: true }));
    assert.equal(failure.type, FailureType.DestinationUnavailable);
    assert.equal(failure.nonRetryable, false);
    assert.match(failure.message, /^crm-hook: no connection slot .* not sent/);
    assert.equal(details.httpStatus, undefined);
  });

  it('sends the hop header: the event hop count + 1 (an event without one sends 1), not in the mapped request', async () => {
    const { activities, requests } = setup([{ status: 200 }, { status: 200 }]);
    const env = activityEnv({ isLocal: true });
    await env.run(() => activities.deliver(deliverInput({ hops: 2 })));
    await env.run(() => activities.deliver(deliverInput()));
    assert.equal(requests[0]?.headers['x-loyalty-relay-hops'], '3');
    assert.equal(requests[1]?.headers['x-loyalty-relay-hops'], '1');
    // mapEvent renders no hop header, even for an event that came with one: it is set at send time.
    const mapped = await env.run(() => activities.mapEvent({ destination: 'crm-hook', event: loyaltyEvent({ hops: 2 }), enrichment: {} }));
    assert.doesNotMatch(JSON.stringify(mapped), /x-loyalty-relay-hops/i);
  });

  it('adds the secret header at send time only: mapEvent output holds no secret, the sent request does', async () => {
    const { activities, requests, store } = setup([{ status: 200 }]);
    const env = activityEnv({ isLocal: true });
    const mapped = await env.run(() => activities.mapEvent({ destination: 'crm-hook', event: loyaltyEvent(), enrichment: {} }));
    assert.doesNotMatch(JSON.stringify(mapped), /k-123|x-api-key/i);
    const [only] = mapped.requests;
    assert.ok(only);

    // Without a version the current one is used, and its secrets are looked up by that version.
    const input = deliverInput({ request: only.request, idempotencyKey: only.idempotencyKey });
    delete input.destinationVersion;
    assert.doesNotMatch(JSON.stringify(input), /k-123/);
    await env.run(() => activities.deliver(input));
    assert.equal(requests[0]?.headers['x-api-key'], 'k-123');
    assert.equal(requests[0]?.headers['webhook-id'], only.idempotencyKey);
    assert.deepEqual(store.secretLookups, [['crm-hook', 'v1']]);
  });

  it('does not let the request override user-agent or webhook-id', async () => {
    const { activities, requests } = setup([{ status: 200 }]);
    const input = deliverInput();
    input.request = { ...input.request, headers: { ...input.request.headers, 'user-agent': 'evil', 'webhook-id': 'other' } };
    await deliver(activities, input);
    assert.equal(requests[0]?.headers['user-agent'], USER_AGENT);
    assert.equal(requests[0]?.headers['webhook-id'], input.idempotencyKey);
  });
});

describe('deliver: attempt numbering across the local first attempt', () => {
  it('counts attemptsBefore in the receipt: info.attempt 2 after one local attempt is attempt 3', async () => {
    const { activities } = setup([{ status: 200 }]);
    const receipt = await deliver(activities, deliverInput({ attemptsBefore: 1, checkPaused: true }), { attempt: 2 });
    assert.equal(receipt.attempt, 3);
  });

  it('counts attemptsBefore in failure details and computes the backoff from that attempt', async () => {
    // attempt 3: exp = 1000 × 2² = 4000; equal jitter with random 0.5 → 2000 + 1000.
    const { activities } = setup([{ status: 503 }], { random: 0.5 });
    const { failure, details } = await deliveryFailureOf(deliver(activities, deliverInput({ attemptsBefore: 1 }), { attempt: 2 }));
    assert.equal(failure.type, FailureType.DestinationUnavailable);
    assert.equal(failure.nonRetryable, false);
    assert.equal(failure.nextRetryDelay, 3000);
    assert.deepEqual(details, { attempt: 3, httpStatus: 503, retryInMs: 3000 });
  });

  const cases: [infoAttempt: number, attemptsBefore: number | undefined, random: number, delayMs: number][] = [
    [1, undefined, 0, 500], // attempt 1: exp 1000
    [1, undefined, 1, 1000],
    [1, 1, 0, 1000], // attempt 2: exp 2000
    [3, 1, 1, 8000], // attempt 4: exp 8000
    [12, 1, 0, 30_000], // attempt 13: capped at maxMs 60000
  ];
  for (const [infoAttempt, attemptsBefore, random, delayMs] of cases) {
    const attempt = infoAttempt + (attemptsBefore ?? 0);
    it(`info.attempt ${infoAttempt} + attemptsBefore ${attemptsBefore ?? '—'} → attempt ${attempt}, random ${random} → ${delayMs} ms`, async () => {
      const { activities } = setup([{ status: 500 }], { random });
      const input = deliverInput(attemptsBefore === undefined ? {} : { attemptsBefore });
      const { failure, details } = await deliveryFailureOf(deliver(activities, input, { attempt: infoAttempt }));
      assert.equal(failure.nextRetryDelay, delayMs);
      assert.deepEqual(details, { attempt, httpStatus: 500, retryInMs: delayMs });
    });
  }
});

describe('deliver: transient answers', () => {
  for (const status of [503, 429]) {
    it(`${status} with Retry-After: retryable, next delay = the header's`, async () => {
      const { activities } = setup([{ status, headers: { 'retry-after': '30' }, body: 'slow down' }], { random: 0 });
      const { failure, details } = await deliveryFailureOf(deliver(activities, deliverInput()));
      assert.equal(failure.type, FailureType.DestinationUnavailable);
      assert.equal(failure.nonRetryable, false);
      assert.equal(failure.nextRetryDelay, 30_000);
      assert.deepEqual(details, { attempt: 1, httpStatus: status, retryInMs: 30_000 });
      assert.equal(failure.message, `crm-hook answered ${status}`);
    });
  }

  it('429 with Retry-After given twice: the first value', async () => {
    const { activities } = setup([{ status: 429, headers: { 'retry-after': ['12', '99'] } }]);
    const { failure, details } = await deliveryFailureOf(deliver(activities, deliverInput()));
    assert.equal(failure.nextRetryDelay, 12_000);
    assert.equal(details.retryInMs, 12_000);
  });

  it('Retry-After 0: at least 100 ms', async () => {
    const { activities } = setup([{ status: 503, headers: { 'retry-after': '0' } }]);
    const { failure, details } = await deliveryFailureOf(deliver(activities, deliverInput()));
    assert.equal(failure.nextRetryDelay, 100);
    assert.equal(details.retryInMs, 100);
  });

  for (const header of [undefined, 'soon']) {
    it(`503 with Retry-After ${header === undefined ? 'absent' : JSON.stringify(header)}: backoff`, async () => {
      const { activities } = setup([{ status: 503, headers: header === undefined ? {} : { 'retry-after': header } }], { random: 1 });
      const { failure, details } = await deliveryFailureOf(deliver(activities, deliverInput({ attemptsBefore: 1 }), { attempt: 1 }));
      assert.equal(failure.nextRetryDelay, 2000); // attempt 2, random 1: the full 2000
      assert.deepEqual(details, { attempt: 2, httpStatus: 503, retryInMs: 2000 });
    });
  }

  for (const status of [408, 425, 500, 502]) {
    it(`${status}: retryable`, async () => {
      const { activities } = setup([{ status }]);
      const { failure, details } = await deliveryFailureOf(deliver(activities, deliverInput()));
      assert.equal(failure.type, FailureType.DestinationUnavailable);
      assert.equal(failure.nonRetryable, false);
      assert.equal(details.httpStatus, status);
    });
  }

  it('a connection error: retryable, without httpStatus', async () => {
    const { activities } = setup([new Error('connect ECONNREFUSED 203.0.113.7:443')], { random: 0 });
    const { failure, details } = await deliveryFailureOf(deliver(activities, deliverInput()));
    assert.equal(failure.type, FailureType.DestinationUnavailable);
    assert.equal(failure.nonRetryable, false);
    assert.equal(failure.message, 'crm-hook unreachable: connect ECONNREFUSED 203.0.113.7:443');
    assert.equal(failure.nextRetryDelay, 500);
    assert.deepEqual(details, { attempt: 1, retryInMs: 500 });
  });
});

describe('deliver: the retry window', () => {
  const HOUR = 3600;
  /** 30 s of the hour left: a 30 s Retry-After (or more) passes the window, 1 s of backoff does not. */
  const nearTheEnd = () => Date.now() - (HOUR - 30) * 1000;

  it('the next delay would pass the window: non-retryable RetryWindowExhausted', async () => {
    const { activities } = setup([{ status: 503, headers: { 'retry-after': '60' } }]);
    const input = deliverInput({ retryWindowSeconds: HOUR, attemptsBefore: 1, firstAttemptAtMs: nearTheEnd() });
    const { failure, details } = await deliveryFailureOf(deliver(activities, input, { attempt: 4 }));
    assert.equal(failure.type, FailureType.RetryWindowExhausted);
    assert.equal(failure.nonRetryable, true);
    assert.equal(failure.nextRetryDelay, undefined);
    assert.deepEqual(details, { attempt: 5, httpStatus: 503 });
    assert.equal(failure.message, 'crm-hook answered 503; retry window of 3600s exhausted after 5 attempts');
  });

  it('a delay that still fits: retryable', async () => {
    const { activities } = setup([{ status: 503, headers: { 'retry-after': '1' } }]);
    const input = deliverInput({ retryWindowSeconds: HOUR, firstAttemptAtMs: nearTheEnd() });
    const { failure } = await deliveryFailureOf(deliver(activities, input));
    assert.equal(failure.type, FailureType.DestinationUnavailable);
    assert.equal(failure.nextRetryDelay, 1000);
  });

  it('counts from firstAttemptAtMs, not from the activity scheduled time (window spent)', async () => {
    const { activities } = setup([{ status: 503, headers: { 'retry-after': '60' } }]);
    const input = deliverInput({ retryWindowSeconds: HOUR, attemptsBefore: 1, firstAttemptAtMs: nearTheEnd() });
    const { failure } = await deliveryFailureOf(deliver(activities, input, { scheduledTimestampMs: Date.now() }));
    assert.equal(failure.type, FailureType.RetryWindowExhausted);
  });

  it('counts from firstAttemptAtMs, not from the activity scheduled time (window fresh)', async () => {
    const { activities } = setup([{ status: 503, headers: { 'retry-after': '60' } }]);
    const input = deliverInput({ retryWindowSeconds: HOUR, attemptsBefore: 1, firstAttemptAtMs: Date.now() });
    const { failure } = await deliveryFailureOf(deliver(activities, input, { scheduledTimestampMs: nearTheEnd() }));
    assert.equal(failure.type, FailureType.DestinationUnavailable);
    assert.equal(failure.nextRetryDelay, 60_000);
  });

  it('without firstAttemptAtMs, counts from the scheduled time', async () => {
    const { activities } = setup([
      { status: 503, headers: { 'retry-after': '60' } },
      { status: 503, headers: { 'retry-after': '60' } },
    ]);
    const spent = await deliveryFailureOf(
      deliver(activities, deliverInput({ retryWindowSeconds: HOUR }), { scheduledTimestampMs: nearTheEnd() }),
    );
    assert.equal(spent.failure.type, FailureType.RetryWindowExhausted);
    const fresh = await deliveryFailureOf(
      deliver(activities, deliverInput({ retryWindowSeconds: HOUR }), { scheduledTimestampMs: Date.now() }),
    );
    assert.equal(fresh.failure.type, FailureType.DestinationUnavailable);
  });

  it('a connection error at the end of the window: exhausted, without httpStatus', async () => {
    const { activities } = setup([new Error('socket hang up')]);
    const input = deliverInput({ retryWindowSeconds: 10, firstAttemptAtMs: Date.now() - 20_000 });
    const { failure, details } = await deliveryFailureOf(deliver(activities, input));
    assert.equal(failure.type, FailureType.RetryWindowExhausted);
    assert.deepEqual(details, { attempt: 1 });
    assert.match(failure.message, /^crm-hook unreachable: socket hang up; retry window of 10s exhausted after 1 attempts$/);
  });

  it('a permanent answer stays DestinationRejected even when the window is spent', async () => {
    const { activities } = setup([{ status: 400 }]);
    const input = deliverInput({ retryWindowSeconds: 10, firstAttemptAtMs: Date.now() - 20_000 });
    const { failure } = await deliveryFailureOf(deliver(activities, input));
    assert.equal(failure.type, FailureType.DestinationRejected);
  });
});

describe('deliver: permanent answers', () => {
  it('400: non-retryable DestinationRejected with status and response snippet', async () => {
    const { activities } = setup([{ status: 400, body: '{"error":"customer_id missing"}' }]);
    const { failure, details } = await deliveryFailureOf(deliver(activities, deliverInput({ attemptsBefore: 1 }), { attempt: 2 }));
    assert.equal(failure.type, FailureType.DestinationRejected);
    assert.equal(failure.nonRetryable, true);
    assert.equal(failure.message, 'crm-hook answered 400');
    assert.deepEqual(details, { httpStatus: 400, attempt: 3, responseSnippet: '{"error":"customer_id missing"}' });
  });

  it('the response snippet is cut at 500 characters', async () => {
    const { activities } = setup([{ status: 422, body: `${'a'.repeat(500)}TAIL` }]);
    const { details } = await deliveryFailureOf(deliver(activities, deliverInput()));
    assert.equal(details.responseSnippet, 'a'.repeat(500));
  });

  it('410: non-retryable DestinationGone', async () => {
    const { activities } = setup([{ status: 410, body: 'gone' }]);
    const { failure, details } = await deliveryFailureOf(deliver(activities, deliverInput()));
    assert.equal(failure.type, FailureType.DestinationGone);
    assert.equal(failure.nonRetryable, true);
    assert.deepEqual(details, { httpStatus: 410, attempt: 1, responseSnippet: 'gone' });
  });

  for (const status of [301, 302, 307, 404]) {
    it(`${status}: DestinationRejected (redirects are not followed)`, async () => {
      const { activities, requests } = setup([{ status, headers: { location: 'https://elsewhere.example' } }]);
      const { failure, details } = await deliveryFailureOf(deliver(activities, deliverInput()));
      assert.equal(failure.type, FailureType.DestinationRejected);
      assert.equal(failure.nonRetryable, true);
      assert.equal(details.httpStatus, status);
      assert.equal(requests.length, 1);
    });
  }
});

describe('deliver: the outbound guard', () => {
  const blocked = () => new BlockedAddressError('hooks.example.com', '169.254.169.254');

  it('a BlockedAddressError: non-retryable DestinationAddressRefused', async () => {
    const { activities } = setup([blocked()]);
    const { failure, details } = await deliveryFailureOf(deliver(activities, deliverInput()));
    assert.equal(failure.type, FailureType.DestinationAddressRefused);
    assert.equal(failure.nonRetryable, true);
    assert.match(failure.message, /^crm-hook: hooks\.example\.com resolves to 169\.254\.169\.254/);
    assert.deepEqual(details, { attempt: 1 });
  });

  it('a BlockedAddressError wrapped as cause (as undici reports connect errors), two levels deep', async () => {
    const wrapped = new TypeError('fetch failed', { cause: new Error('connect failed', { cause: blocked() }) });
    const { activities } = setup([wrapped]);
    const { failure } = await deliveryFailureOf(deliver(activities, deliverInput({ attemptsBefore: 1 }), { attempt: 3 }));
    assert.equal(failure.type, FailureType.DestinationAddressRefused);
    assert.equal(failure.nonRetryable, true);
    assert.equal((failure.details?.[0] as DeliveryFailureDetails).attempt, 4);
  });
});

describe('deliver: paused destinations', () => {
  function pausedSetup(script: Scripted[] = [{ status: 200 }]) {
    const store = new MemoryStore(webhookDestination());
    store.secrets.set('crm-hook', { 'header:X-Api-Key': 'k-123' });
    store.paused.add('crm-hook');
    return setup(script, { store });
  }

  it('checkPaused and paused: non-retryable DestinationPaused, nothing sent, attempt = attempts made so far', async () => {
    const { activities, requests, store } = pausedSetup();
    const { failure, details } = await deliveryFailureOf(
      deliver(activities, deliverInput({ attemptsBefore: 1, checkPaused: true }), { attempt: 3 }),
    );
    assert.equal(failure.type, FailureType.DestinationPaused);
    assert.equal(failure.nonRetryable, true);
    assert.equal(failure.message, 'crm-hook is paused');
    assert.deepEqual(details, { attempt: 3 }); // one local + two regular attempts made; this one was not
    assert.equal(requests.length, 0);
    assert.deepEqual(store.secretLookups, [], 'secrets are not even read');
  });

  it('checkPaused on the first retry: attempts made so far = the local one', async () => {
    const { activities, requests } = pausedSetup();
    const { details } = await deliveryFailureOf(
      deliver(activities, deliverInput({ attemptsBefore: 1, checkPaused: true }), { attempt: 1 }),
    );
    assert.deepEqual(details, { attempt: 1 });
    assert.equal(requests.length, 0);
  });

  it('checkPaused absent (the first attempt): sends even though paused', async () => {
    const { activities, requests } = pausedSetup();
    const receipt = await deliver(activities, deliverInput(), { isLocal: true });
    assert.equal(receipt.httpStatus, 200);
    assert.equal(requests.length, 1);
  });

  it('checkPaused and active: sends', async () => {
    const { activities, requests } = setup([{ status: 204 }]);
    const receipt = await deliver(activities, deliverInput({ attemptsBefore: 1, checkPaused: true }), { attempt: 1 });
    assert.deepEqual([receipt.httpStatus, receipt.attempt], [204, 2]);
    assert.equal(requests.length, 1);
  });
});

describe('deliver: destination not found', () => {
  it('a deleted destination: non-retryable DestinationNotFound, nothing sent', async () => {
    const { activities, requests } = setup([]);
    const { failure, details } = await deliveryFailureOf(
      deliver(activities, deliverInput({ destination: 'nope', destinationVersion: undefined })),
    );
    assert.equal(failure.type, FailureType.DestinationNotFound);
    assert.equal(failure.nonRetryable, true);
    assert.equal(failure.message, 'destination "nope" is not configured');
    assert.deepEqual(details, { attempt: 1 });
    assert.equal(requests.length, 0);
  });

  it('a version the store does not have: DestinationNotFound naming the version', async () => {
    const { activities, requests } = setup([]);
    const { failure, details } = await deliveryFailureOf(
      deliver(activities, deliverInput({ destinationVersion: 'v0', attemptsBefore: 1, checkPaused: true }), { attempt: 2 }),
    );
    assert.equal(failure.type, FailureType.DestinationNotFound);
    assert.equal(failure.message, 'version v0 of destination "crm-hook" is not configured');
    assert.deepEqual(details, { attempt: 3 });
    assert.equal(requests.length, 0);
  });

  it('checkPaused on a deleted destination: DestinationNotFound (not paused)', async () => {
    const { activities } = setup([]);
    const { failure } = await deliveryFailureOf(deliver(activities, deliverInput({ destination: 'nope', checkPaused: true })));
    assert.equal(failure.type, FailureType.DestinationNotFound);
  });

  it('a kind without a connector: DestinationNotFound', async () => {
    const store = new MemoryStore(webhookDestination({}, { kind: 'carrier-pigeon' }));
    const { activities } = setup([], { store });
    const { failure } = await deliveryFailureOf(deliver(activities, deliverInput()));
    assert.equal(failure.type, FailureType.DestinationNotFound);
  });
});

describe('deliver: OAuth credentials', () => {
  const TOKEN_URL = 'https://auth.example.com/token';
  const oauth: Credential = {
    name: 'crm',
    type: 'oauth2',
    tokenUrl: TOKEN_URL,
    clientId: 'relay',
    clientSecret: 's3cret',
    clientAuth: 'body',
  };
  const token = (t: string): Scripted => ({ status: 200, body: JSON.stringify({ access_token: t, expires_in: 3600 }) });

  function oauthSetup(script: Scripted[], tokens: Scripted[], credential: Credential = oauth) {
    const store = new MemoryStore(webhookDestination({ auth: credential.name, headers: [] }));
    store.credentials.set(credential.name, credential);
    return setup(script, { store, routes: { [TOKEN_URL]: tokens } });
  }

  const destinationAuth = (requests: { url: string; headers: Record<string, string> }[]) =>
    requests.filter((r) => r.url !== TOKEN_URL).map((r) => r.headers.authorization);

  it('a token URL the outbound guard refuses: non-retryable DestinationAddressRefused, nothing sent to the destination', async () => {
    const { activities, requests } = oauthSetup([], [new BlockedAddressError('auth.example.com', '169.254.169.254')]);
    const { failure } = await deliveryFailureOf(deliver(activities, deliverInput()));
    assert.equal(failure.type, FailureType.DestinationAddressRefused);
    assert.equal(failure.nonRetryable, true);
    assert.match(failure.message, /auth\.example\.com resolves to 169\.254\.169\.254/);
    assert.deepEqual(
      requests.map((r) => r.url),
      [TOKEN_URL],
    );
  });

  it('401 with an OAuth token: one token refresh and one resend, same attempt', async () => {
    const { activities, requests } = oauthSetup([{ status: 401 }, { status: 200 }], [token('t1'), token('t2')]);
    const { logger, lines } = memoryLogger();
    const receipt = await activityEnv({ attempt: 2 }, logger).run(() => activities.deliver(deliverInput({ attemptsBefore: 1 })));
    assert.deepEqual(receipt.httpStatus, 200);
    assert.equal(receipt.attempt, 3);
    assert.deepEqual(
      requests.map((r) => r.url),
      [TOKEN_URL, 'https://hooks.example.com/loyalty', TOKEN_URL, 'https://hooks.example.com/loyalty'],
    );
    assert.deepEqual(destinationAuth(requests), ['Bearer t1', 'Bearer t2']);
    assert.ok(lines.some((l) => l.level === 'INFO' && /refreshing the OAuth token/.test(l.message)));
  });

  it('401 again after the refresh: DestinationRejected 401, no third send', async () => {
    const { activities, requests } = oauthSetup(
      [
        { status: 401, body: 'bad token' },
        { status: 401, body: 'bad token' },
      ],
      [token('t1'), token('t2')],
    );
    const { failure, details } = await deliveryFailureOf(deliver(activities, deliverInput()));
    assert.equal(failure.type, FailureType.DestinationRejected);
    assert.deepEqual(details, { httpStatus: 401, attempt: 1, responseSnippet: 'bad token' });
    assert.deepEqual(destinationAuth(requests), ['Bearer t1', 'Bearer t2']);
  });

  it('401 with a static bearer credential: rejected without a resend', async () => {
    const bearer: Credential = { name: 'static', type: 'bearer', token: 'tok' };
    const { activities, requests } = oauthSetup([{ status: 401 }], [], bearer);
    const { failure } = await deliveryFailureOf(deliver(activities, deliverInput()));
    assert.equal(failure.type, FailureType.DestinationRejected);
    assert.deepEqual(destinationAuth(requests), ['Bearer tok']);
  });

  it('the token endpoint refuses: non-retryable AuthenticationFailed, nothing sent to the destination', async () => {
    const { activities, requests } = oauthSetup([], [{ status: 400, body: '{"error":"invalid_client"}' }]);
    const { failure, details } = await deliveryFailureOf(deliver(activities, deliverInput()));
    assert.equal(failure.type, FailureType.AuthenticationFailed);
    assert.equal(failure.nonRetryable, true);
    assert.deepEqual(details, { attempt: 1 });
    assert.deepEqual(destinationAuth(requests), []);
  });

  it('the token endpoint is down: retryable DestinationUnavailable', async () => {
    const { activities, requests } = oauthSetup([], [{ status: 503 }], oauth);
    const { failure, details } = await deliveryFailureOf(deliver(activities, deliverInput()));
    assert.equal(failure.type, FailureType.DestinationUnavailable);
    assert.equal(failure.nonRetryable, false);
    assert.equal(details.httpStatus, undefined);
    assert.deepEqual(destinationAuth(requests), []);
  });
});
