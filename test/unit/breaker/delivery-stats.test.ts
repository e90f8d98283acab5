/** The health figures' arithmetic (latency buckets, the quantile read from them) and their flushing, on a stand-in pool. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Pool } from 'pg';
import { DeliveryStats, LATENCY_BUCKETS_MS, latencyBucket, quantileMs } from '../../../src/breaker/delivery-stats';

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

describe('delivery stats: flushing', () => {
  /** A pool whose first `failures` queries fail, recording the parameters of the others. */
  function flakyPool(failures: number) {
    const written: unknown[][] = [];
    let left = failures;
    const pool = {
      query: (_sql: string, params: unknown[]) => {
        if (left-- > 0) return Promise.reject(new Error('connection refused'));
        written.push(params);
        return Promise.resolve({ rows: [], rowCount: 1 });
      },
    };
    return { pool: pool as unknown as Pool, written };
  }

  it('adds one row per destination and minute, whatever the number of deliveries', async () => {
    const { pool, written } = flakyPool(0);
    const stats = new DeliveryStats(pool);
    const at = new Date('2026-11-30T20:00:30Z');
    for (let i = 0; i < 50; i++) stats.note({ destination: 'crm', outcome: 'delivered', latencyMs: 80, at });
    stats.note({ destination: 'crm', outcome: 'failed', failure: 'HTTP 400', slaBreached: true, at });
    await stats.flush();
    const rows = written.filter((p) => p[1] === '2026-11-30T20:00:00.000Z');
    assert.equal(rows.length, 1);
    assert.deepEqual(rows[0]?.slice(0, 6), ['crm', '2026-11-30T20:00:00.000Z', 50, 1, 0, 1]);
    assert.equal((rows[0]?.[6] as number[])[1], 50);
    // The last failure, once; nothing left for the next flush.
    assert.ok(written.some((p) => p[0] === 'crm' && p[2] === 'HTTP 400'));
    const before = written.length;
    await stats.flush();
    assert.equal(written.length, before);
  });

  it('keeps the counts of a flush the database refused, and writes them with the next', async () => {
    const { pool, written } = flakyPool(1);
    const warnings: string[] = [];
    const stats = new DeliveryStats(pool, (m) => warnings.push(m));
    const at = new Date('2026-11-30T20:00:30Z');
    stats.note({ destination: 'crm', outcome: 'delivered', latencyMs: 80, at });
    await stats.flush();
    assert.equal(written.length, 0);
    assert.equal(warnings.length, 1);
    stats.note({ destination: 'crm', outcome: 'delivered', latencyMs: 80, at });
    await stats.flush();
    assert.deepEqual(written[0]?.slice(0, 3), ['crm', '2026-11-30T20:00:00.000Z', 2]);
  });
});
