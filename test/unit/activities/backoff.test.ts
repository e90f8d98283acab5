/** The retry backoff and the reading of `Retry-After`. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { backoffDelayMs, parseRetryAfterMs } from '../../../activities/backoff';

describe('backoffDelayMs', () => {
  const policy = { initialMs: 1000, maxMs: 60_000 };
  const top = () => 1;
  const bottom = () => 0;

  it('doubles with each attempt', () => {
    assert.deepEqual(
      [1, 2, 3, 4, 5].map((a) => backoffDelayMs(a, policy, top)),
      [1000, 2000, 4000, 8000, 16_000],
    );
  });

  it('is capped at maxMs, even for absurd attempt numbers', () => {
    assert.equal(backoffDelayMs(7, policy, top), 60_000);
    assert.equal(backoffDelayMs(50, policy, top), 60_000);
    assert.equal(backoffDelayMs(5000, policy, top), 60_000);
  });

  it('treats attempt 0 like attempt 1', () => {
    assert.equal(backoffDelayMs(0, policy, top), 1000);
  });

  it('keeps jitter within [exp/2, exp]', () => {
    assert.equal(backoffDelayMs(3, policy, bottom), 2000);
    assert.equal(
      backoffDelayMs(3, policy, () => 0.5),
      3000,
    );
    for (let attempt = 1; attempt <= 10; attempt++) {
      const exp = Math.min(policy.maxMs, policy.initialMs * 2 ** (attempt - 1));
      for (let i = 0; i < 50; i++) {
        const d = backoffDelayMs(attempt, policy, Math.random);
        assert.ok(d >= exp / 2 && d <= exp, `attempt ${attempt}: ${d} outside [${exp / 2}, ${exp}]`);
      }
    }
  });
});

describe('parseRetryAfterMs', () => {
  const now = Date.parse('2024-06-10T06:13:20.000Z');

  it('reads delay-seconds', () => {
    assert.equal(parseRetryAfterMs('120', now), 120_000);
    assert.equal(parseRetryAfterMs(' 3 ', now), 3000);
    assert.equal(parseRetryAfterMs('0', now), 0);
    assert.equal(parseRetryAfterMs(['7', '9'], now), 7000);
  });

  it('reads an HTTP-date relative to now, never negative', () => {
    assert.equal(parseRetryAfterMs('Mon, 10 Jun 2024 06:13:50 GMT', now), 30_000);
    assert.equal(parseRetryAfterMs('Monday, 10-Jun-24 06:14:20 GMT', now), 60_000);
    assert.equal(parseRetryAfterMs('Mon, 10 Jun 2024 06:00:00 GMT', now), 0);
  });

  for (const junk of ['soon', '', '5 minutes', '1.5', '-1', '0.5', '1e3']) {
    it(`ignores ${JSON.stringify(junk)}`, () => {
      assert.equal(parseRetryAfterMs(junk, now), undefined);
    });
  }

  it('is undefined when absent', () => {
    assert.equal(parseRetryAfterMs(undefined, now), undefined);
    assert.equal(parseRetryAfterMs([], now), undefined);
  });
});
