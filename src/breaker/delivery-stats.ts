/**
 * Delivery figures shared by every worker process, for the console's health screen: settled
 * deliveries (delivered, failed), retried attempts, SLA breaches and the latency from
 * acceptance to 2xx, per destination and minute (table delivery_stats), plus each
 * destination's last failed attempt (destination_health). The deliver activity's watch notes
 * each attempt in memory; `flush()` adds the counts to the table, one UPSERT per destination
 * and minute, so a busy destination costs no statement per delivery. At most one flush
 * interval of counts is lost if a worker dies.
 */
import type { Pool } from 'pg';

/** Upper bounds (ms) of the latency buckets; one more bucket counts everything above the last. */
export const LATENCY_BUCKETS_MS = [
  50, 100, 250, 500, 1000, 2500, 5000, 10_000, 30_000, 60_000, 300_000, 900_000, 3_600_000, 14_400_000, 86_400_000,
];
/** How often a worker adds its counts to the table: the figures lag by at most this. */
export const STATS_FLUSH_MS = 5000;
/** Rows older than this are deleted (the health API reads at most a day). */
export const STATS_RETENTION_HOURS = 48;
/** The longest failure message kept. */
const MAX_FAILURE = 500;

export type StatsOutcome = 'delivered' | 'failed' | 'retried';

export interface AttemptNote {
  destination: string;
  outcome: StatsOutcome;
  /** Acceptance to 2xx, for a delivered one. */
  latencyMs?: number;
  /** The delivery settled (delivered or failed) after its SLA deadline. */
  slaBreached?: boolean;
  /** What went wrong (already scrubbed of secrets), for a failed or retried attempt. */
  failure?: string;
  at: Date;
}

interface Bucket {
  delivered: number;
  failed: number;
  retried: number;
  slaBreaches: number;
  latency: number[];
}

/** The latency bucket index of `ms`. */
export function latencyBucket(ms: number): number {
  const i = LATENCY_BUCKETS_MS.findIndex((bound) => ms <= bound);
  return i < 0 ? LATENCY_BUCKETS_MS.length : i;
}

/**
 * The `q` quantile (0..1) of bucketed counts, as the upper bound of the bucket it falls in
 * (ms); `Infinity` in the unbounded one; undefined with no counts.
 */
export function quantileMs(counts: readonly number[], q: number): number | undefined {
  const total = counts.reduce((a, b) => a + b, 0);
  if (total === 0) return undefined;
  const rank = Math.ceil(q * total);
  let seen = 0;
  for (let i = 0; i < counts.length; i++) {
    seen += counts[i] ?? 0;
    if (seen >= rank) return LATENCY_BUCKETS_MS[i] ?? Infinity;
  }
  return Infinity;
}

export class DeliveryStats {
  private buckets = new Map<string, Bucket>();
  private failures = new Map<string, { at: Date; message: string }>();
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;
  private lastPrune = 0;

  constructor(
    private readonly pool: Pool,
    private readonly warn: (message: string, meta: Record<string, unknown>) => void = () => undefined,
  ) {}

  note(n: AttemptNote): void {
    const minute = new Date(Math.floor(n.at.getTime() / 60_000) * 60_000).toISOString();
    const key = `${minute} ${n.destination}`;
    let b = this.buckets.get(key);
    if (!b) {
      b = { delivered: 0, failed: 0, retried: 0, slaBreaches: 0, latency: new Array<number>(LATENCY_BUCKETS_MS.length + 1).fill(0) };
      this.buckets.set(key, b);
    }
    b[n.outcome] += 1;
    if (n.slaBreached) b.slaBreaches += 1;
    if (n.outcome === 'delivered' && n.latencyMs !== undefined) b.latency[latencyBucket(n.latencyMs)]! += 1;
    if (n.failure !== undefined) {
      const last = this.failures.get(n.destination);
      if (!last || last.at <= n.at) this.failures.set(n.destination, { at: n.at, message: n.failure.slice(0, MAX_FAILURE) });
    }
  }

  /** Add what was noted since the last flush to the database. On failure the counts are kept for the next one. */
  async flush(): Promise<void> {
    if (this.flushing) return this.flushing;
    this.flushing = this.write().finally(() => (this.flushing = undefined));
    return this.flushing;
  }

  private async write(): Promise<void> {
    const buckets = this.buckets;
    const failures = this.failures;
    this.buckets = new Map();
    this.failures = new Map();
    try {
      for (const [key, b] of buckets) {
        const space = key.indexOf(' ');
        await this.pool.query(
          `INSERT INTO delivery_stats AS s (name, minute, delivered, failed, retried, sla_breaches, latency)
           VALUES ($1, $2, $3, $4, $5, $6, $7)
           ON CONFLICT (name, minute) DO UPDATE SET
             delivered = s.delivered + excluded.delivered, failed = s.failed + excluded.failed,
             retried = s.retried + excluded.retried, sla_breaches = s.sla_breaches + excluded.sla_breaches,
             latency = ARRAY(SELECT coalesce(a, 0) + coalesce(b, 0) FROM unnest(s.latency, excluded.latency) AS t(a, b))`,
          [key.slice(space + 1), key.slice(0, space), b.delivered, b.failed, b.retried, b.slaBreaches, b.latency],
        );
        buckets.delete(key);
      }
      for (const [name, f] of failures) {
        await this.pool.query(
          `INSERT INTO destination_health AS h (name, last_failure_at, last_failure)
           SELECT $1, $2, $3 WHERE EXISTS (SELECT 1 FROM destinations WHERE name = $1)
           ON CONFLICT (name) DO UPDATE SET last_failure_at = excluded.last_failure_at, last_failure = excluded.last_failure
            WHERE h.last_failure_at IS NULL OR h.last_failure_at <= excluded.last_failure_at`,
          [name, f.at, f.message],
        );
        failures.delete(name);
      }
      if (Date.now() - this.lastPrune > 3600_000) {
        await this.pool.query(`DELETE FROM delivery_stats WHERE minute < now() - make_interval(hours => $1)`, [STATS_RETENTION_HOURS]);
        this.lastPrune = Date.now();
      }
    } catch (e) {
      // Keep what was not written: merged back, it goes with the next flush.
      for (const [key, b] of buckets) this.buckets.set(key, merge(this.buckets.get(key), b));
      for (const [name, f] of failures) if (!this.failures.has(name)) this.failures.set(name, f);
      this.warn('delivery figures not written (database); kept for the next flush', { error: (e as Error).message });
    }
  }

  /** Flush every `intervalMs` until `stop()`. */
  start(intervalMs: number): void {
    this.timer = setInterval(() => void this.flush(), intervalMs);
    this.timer.unref();
  }

  /** Stop the timer and flush what is left. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.flush();
  }
}

function merge(a: Bucket | undefined, b: Bucket): Bucket {
  if (!a) return b;
  return {
    delivered: a.delivered + b.delivered,
    failed: a.failed + b.failed,
    retried: a.retried + b.retried,
    slaBreaches: a.slaBreaches + b.slaBreaches,
    latency: a.latency.map((v, i) => v + (b.latency[i] ?? 0)),
  };
}
