/** Retry delays: exponential backoff with jitter, and the `Retry-After` header. */

/**
 * Delay before the attempt after `attempt` (1-based): initial × 2^(attempt-1), capped, then
 * "equal jitter" — half fixed, half random — so retries of many events spread out.
 */
export function backoffDelayMs(attempt: number, policy: { initialMs: number; maxMs: number }, random: () => number): number {
  const exp = Math.min(policy.maxMs, policy.initialMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(exp / 2 + random() * (exp / 2));
}

/** `Retry-After` as delay-seconds or an HTTP date; undefined when absent or unparseable. */
export function parseRetryAfterMs(header: string | string[] | undefined, nowMs: number): number | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  // Every HTTP-date form starts with a day name; without this check Date.parse reads
  // junk such as "1.5" or "-1" as dates in 2001, i.e. "retry now".
  if (!/^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)/.test(trimmed)) return undefined;
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - nowMs);
}
