/** How runs write durations and times for people (details, timer summaries). */

/** 1500 → "1.5s", 90000 → "1.5m". */
export function seconds(ms: number): string {
  return ms >= 90_000 ? `${Math.round(ms / 6000) / 10}m` : `${Math.round(ms / 100) / 10}s`;
}

/** "2026-12-07T15:35:51.929Z" → "2026-12-07 15:35 UTC". */
export function minute(iso: string): string {
  return `${iso.slice(0, 16).replace('T', ' ')} UTC`;
}
