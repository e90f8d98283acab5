/** The circuit breaker's decision and probe backoff (pure functions). */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { alertIdFor, alertRetryDelaySeconds } from '../../../src/alerts/outbox';
import { probeDelaySeconds, shouldTrip } from '../../../src/breaker/breaker';

const now = new Date('2026-11-30T12:00:00Z');
const minutesAgo = (m: number) => new Date(now.getTime() - m * 60_000);

describe('shouldTrip', () => {
  test('defaults: 30 minutes without a 2xx and at least 20 failed attempts', () => {
    assert.equal(shouldTrip({ failures: 20, failingSince: minutesAgo(30) }, undefined, now), true);
    assert.equal(shouldTrip({ failures: 19, failingSince: minutesAgo(120) }, undefined, now), false, 'too few attempts');
    assert.equal(shouldTrip({ failures: 500, failingSince: minutesAgo(29) }, undefined, now), false, 'not failing long enough');
  });
  test('per destination settings, and disabled', () => {
    const s = { failureWindowMinutes: 0, minFailedAttempts: 3 };
    assert.equal(shouldTrip({ failures: 3, failingSince: now }, s, now), true);
    assert.equal(shouldTrip({ failures: 2, failingSince: now }, s, now), false);
    assert.equal(shouldTrip({ failures: 1000, failingSince: minutesAgo(1000) }, { enabled: false }, now), false);
    assert.equal(shouldTrip({ failures: 20, failingSince: minutesAgo(5) }, { failureWindowMinutes: 5 }, now), true, 'other fields default');
  });
});

describe('probe and alert backoff', () => {
  test('probes: the base doubling, at most an hour (or the base when it is longer)', () => {
    assert.deepEqual(
      [0, 1, 2, 3].map((n) => probeDelaySeconds(n, 60)),
      [60, 120, 240, 480],
    );
    assert.equal(probeDelaySeconds(10, 60), 3600);
    assert.equal(probeDelaySeconds(50, 60), 3600);
    assert.equal(probeDelaySeconds(3, 7200), 7200);
  });
  test('alert retries: 5 s doubling, at most 10 minutes', () => {
    assert.deepEqual([1, 2, 3].map(alertRetryDelaySeconds), [5, 10, 20]);
    assert.equal(alertRetryDelaySeconds(30), 600);
  });
  test('an occurrence reported twice has one id; another occurrence another', () => {
    assert.equal(alertIdFor('delivery.failed', 'wf', 'run', '4'), alertIdFor('delivery.failed', 'wf', 'run', '4'));
    assert.notEqual(alertIdFor('delivery.failed', 'wf', 'run', '4'), alertIdFor('delivery.failed', 'wf', 'run', '5'));
    assert.match(alertIdFor('x'), /^alert_[0-9a-f]{32}$/);
  });
});
