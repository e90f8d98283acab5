/** Percentiles, rates and per-second buckets over the harness's raw samples. */

export interface LatencySummary {
  count: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

/** Nearest-rank percentile of an ascending array. */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] as number;
}

export function summarize(values: number[]): LatencySummary {
  const sorted = [...values].sort((a, b) => a - b);
  const round = (v: number) => Math.round(v * 10) / 10;
  return {
    count: sorted.length,
    p50: round(percentile(sorted, 50)),
    p95: round(percentile(sorted, 95)),
    p99: round(percentile(sorted, 99)),
    max: round(sorted.at(-1) ?? NaN),
  };
}

/** Events per second between the first start and the last completion. */
export function ratePerSecond(count: number, firstMs: number, lastMs: number): number {
  const seconds = Math.max(0.001, (lastMs - firstMs) / 1000);
  return Math.round((count / seconds) * 10) / 10;
}

export function ratio(a: number, b: number): number {
  return b > 0 ? Math.round((a / b) * 100) / 100 : NaN;
}

export interface Bucket {
  /** Seconds since the run started. */
  t: number;
  count: number;
  p50?: number;
  p95?: number;
}

/** One bucket per second: how many samples completed in it, and their latency percentiles. */
export function perSecond(samples: { at: number; latencyMs: number }[], origin: number): Bucket[] {
  const buckets = new Map<number, number[]>();
  for (const s of samples) {
    const t = Math.floor((s.at - origin) / 1000);
    let list = buckets.get(t);
    if (!list) buckets.set(t, (list = []));
    list.push(s.latencyMs);
  }
  return [...buckets.entries()]
    .sort(([a], [b]) => a - b)
    .map(([t, list]) => {
      const sorted = list.sort((a, b) => a - b);
      return { t, count: sorted.length, p50: percentile(sorted, 50), p95: percentile(sorted, 95) };
    });
}
