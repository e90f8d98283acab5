/** The bench's printed table and JSON file. */
import type { BareStartResult } from './phase-bare-start';
import type { FloorResult } from './phase-floor';
import type { RelayRunResult } from './phase-relay';
import { ratio } from './stats';

export interface BenchResults {
  command: string;
  startedAt: string;
  machine: { cores: number; memoryGiB: number; cpu: string; node: string; loadAverageAtStart: number[] };
  server: { mode: string; description: string; buildSeconds?: number; startSeconds?: number };
  options: Record<string, unknown>;
  bareStart?: BareStartResult;
  floor?: FloorResult;
  relay: RelayRunResult[];
  direct?: RelayRunResult;
  historyEventsPerRelayedEvent: Record<string, number>;
  peakRssMiB: Record<string, number | undefined>;
  /** Relay worker process start → 'worker running' (includes the workflow bundle, cached or built). */
  workerStartSeconds?: number;
  ratios: Record<string, number>;
}

export function computeRatios(r: BenchResults): Record<string, number> {
  const out: Record<string, number> = {};
  const one = r.relay.find((x) => x.destinations === 1) ?? r.relay[0];
  if (one && r.bareStart) out['ingest ÷ bare start (throughput)'] = ratio(one.acceptedPerSecond, r.bareStart.startsPerSecond);
  if (one && r.bareStart) out['ingest ÷ bare start (p50 latency)'] = ratio(one.ackLatencyMs.p50, r.bareStart.latencyMs.p50);
  for (const x of r.relay) {
    if (r.floor) out[`relay ${x.destinations} dest ÷ floor (throughput)`] = ratio(x.deliveredEventsPerSecond, r.floor.completionsPerSecond);
  }
  if (one && r.direct) {
    out['relay ÷ direct (throughput)'] = ratio(one.deliveredEventsPerSecond, r.direct.deliveredEventsPerSecond);
    out['relay ÷ direct (p50 latency)'] = ratio(one.endToEndLatencyMs.p50, r.direct.endToEndLatencyMs.p50);
  }
  return out;
}

/** A Markdown table: the first row is the header, columns padded to their widest cell. */
export function markdownTable(rows: string[][]): string {
  const widths = (rows[0] ?? []).map((_, i) => Math.max(...rows.map((row) => row[i]?.length ?? 0)));
  const line = (row: string[]) => `| ${row.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  return [line(rows[0] ?? []), `| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`, ...rows.slice(1).map(line)].join('\n');
}
const lat = (l: { p50: number; p95: number; p99: number }) => `${l.p50} / ${l.p95} / ${l.p99}`;

/** A Markdown table (it is pasted into the README as is). */
export function formatTable(r: BenchResults): string {
  const rows: [string, string, string, string][] = [['Measure', 'Count', 'Rate (/s)', 'Latency p50 / p95 / p99 (ms)']];
  if (r.bareStart)
    rows.push([
      '1. Bare start (client → no-op workflow)',
      String(r.bareStart.started),
      String(r.bareStart.startsPerSecond),
      lat(r.bareStart.latencyMs),
    ]);
  for (const x of r.relay) {
    rows.push([
      `2. Ingest, ${x.destinations} dest (POST → 202)`,
      `${x.acknowledged}/${x.sent}`,
      String(x.acceptedPerSecond),
      lat(x.ackLatencyMs),
    ]);
  }
  if (r.floor)
    rows.push([
      '3. Floor workflow (1 no-op activity, start → close)',
      `${r.floor.completed}/${r.floor.started}`,
      String(r.floor.completionsPerSecond),
      lat(r.floor.latencyMs),
    ]);
  for (const x of r.relay) {
    rows.push([
      `4. Relay end to end, ${x.destinations} dest (POST → sink)`,
      `${x.delivered}/${x.acknowledged} events, ${x.duplicates} dup`,
      String(x.deliveredEventsPerSecond),
      lat(x.endToEndLatencyMs),
    ]);
  }
  if (r.direct)
    rows.push([
      '5. Direct relay, no Temporal (POST → sink)',
      `${r.direct.delivered}/${r.direct.acknowledged}`,
      String(r.direct.deliveredEventsPerSecond),
      lat(r.direct.endToEndLatencyMs),
    ]);
  const out = [markdownTable(rows)];
  out.push('');
  out.push('| Ratio | Value |', '| ----- | ----- |', ...Object.entries(r.ratios).map(([k, v]) => `| ${k} | ${v} |`));
  out.push('');
  const rss = Object.entries(r.peakRssMiB)
    .map(([k, v]) => `${k} ${v ?? '?'} MiB`)
    .join(', ');
  const hist = Object.entries(r.historyEventsPerRelayedEvent)
    .map(([k, v]) => `${k}: ${v}`)
    .join(', ');
  out.push(`Peak RSS: ${rss}. History events per workflow: ${hist}. Relay worker start: ${r.workerStartSeconds ?? '?'} s.`);
  return out.join('\n');
}
