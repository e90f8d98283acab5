/** The health figures' arithmetic: latency buckets and the quantile read from them. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LATENCY_BUCKETS_MS, latencyBucket, quantileMs } from '../../src/breaker/delivery-stats';

const counts = (byBucket: Record<number, number>) =>
  LATENCY_BUCKETS_MS.map((_, i) => byBucket[i] ?? 0).concat(byBucket[LATENCY_BUCKETS_MS.length] ?? 0);

describe('delivery stats', () => {
  it('puts a latency in the first bucket whose bound it does not pass, and beyond a day in the last', () => {
    assert.equal(latencyBucket(0), 0);
    assert.equal(latencyBucket(50), 0);
    assert.equal(latencyBucket(51), 1);
    assert.equal(latencyBucket(86_400_000), LATENCY_BUCKETS_MS.length - 1);
    assert.equal(latencyBucket(86_400_001), LATENCY_BUCKETS_MS.length);
  });

  it('reads the p95 as the bound of the bucket holding the 95th percentile delivery', () => {
    // 95 deliveries under 100 ms, 5 between 1 and 2.5 s: the 95th is still under 100 ms.
    assert.equal(quantileMs(counts({ 1: 95, 5: 5 }), 0.95), 100);
    // One more slow one: the 95th of 101 (rank 96) is slow.
    assert.equal(quantileMs(counts({ 1: 95, 5: 6 }), 0.95), 2500);
    assert.equal(quantileMs(counts({ [LATENCY_BUCKETS_MS.length]: 1 }), 0.95), Infinity);
    assert.equal(quantileMs(counts({}), 0.95), undefined);
  });
});
