/** The bench's printed table and JSON file. */
import { STACK_DESCRIPTIONS, type StackMode } from './args';
import type { BareStartResult } from './phase-bare-start';
import type { FloorResult } from './phase-floor';
import { describeActions, type HistoryFigures } from './history';
import type { RelayRunResult } from './phase-relay';
import { ratio } from './stats';

export interface LatencyPhaseResult {
  events: number;
  /** Open-loop arrivals per second. */
  ratePerSecond: number;
  /** One per relay stack (1 destination). */
  relay: RelayRunResult[];
  direct?: RelayRunResult;
}

/** Per-event cost of one workflow configuration, from the histories of a few of its runs. */
export interface HistoryRow extends HistoryFigures {
  /** e.g. `floor`, `relay 1 dest`. */
  workflow: string;
  stack?: string;
  /** Runs of the latency phase (absent: the throughput phases). */
  phase?: 'latency';
}

export interface BenchResults {
  command: string;
  startedAt: string;
  machine: { cores: number; memoryGiB: number; cpu: string; node: string; loadAverageAtStart: number[] };
  server: { mode: string; description: string; buildSeconds?: number; startSeconds?: number };
  options: Record<string, unknown>;
  /** Relay stacks measured, in order (--stacks). */
  stacks?: string[];
  /** The first stack's bare start (and the only one in results written before bare starts were per stack). */
  bareStart?: BareStartResult;
  /** Phase 1 on each stack, right before its ingest phases. */
  bareStarts?: BareStartResult[];
  floor?: FloorResult;
  /** Throughput phase: one per stack and destination count. */
  relay: RelayRunResult[];
  direct?: RelayRunResult;
  /** Latency below capacity: a fixed open-loop rate for a fixed count. */
  latency?: LatencyPhaseResult;
  /** Billable actions, history events and bytes per event (floor, and each relay configuration). */
  history?: HistoryRow[];
  historyEventsPerRelayedEvent: Record<string, number>;
  peakRssMiB: Record<string, number | undefined>;
  /** Relay worker process start → 'worker running' (includes the workflow bundle, cached or built), first stack. */
  workerStartSeconds?: number;
  /** The same, per stack (one-process stacks: until the receiver listens too). */
  stackStartSeconds?: Record<string, number | undefined>;
  ratios: Record<string, number>;
}

const tag = (x: { stack?: string }) => (x.stack ? ` [${x.stack}]` : '');

/** The bare start an ingest phase is compared with: the one measured on its stack, else the run's only one. */
export function bareStartFor(r: BenchResults, stack: string | undefined): BareStartResult | undefined {
  return r.bareStarts?.find((b) => b.stack === stack) ?? r.bareStart;
}

/** The bare-start phases of a run, one per stack (or the one of older results). */
function bareStartsOf(r: BenchResults): BareStartResult[] {
  return r.bareStarts ?? (r.bareStart ? [r.bareStart] : []);
}

export function computeRatios(r: BenchResults): Record<string, number> {
  const out: Record<string, number> = {};
  const stacks = [...new Set([...r.relay.map((x) => x.stack), ...(r.bareStarts ?? []).map((b) => b.stack)])];
  for (const stack of stacks) {
    const runs = r.relay.filter((x) => x.stack === stack);
    const one = runs.find((x) => x.destinations === 1) ?? runs[0];
    const t = stack ? ` [${stack}]` : '';
    const bare = bareStartFor(r, stack);
    // The ingestion alternated with the bare start when there is one (./phase-bare-start.ts), else the 1-destination pass.
    const ingest = bare?.ingest ?? one;
    if (ingest && bare) out[`ingest ÷ bare start (throughput)${t}`] = ratio(ingest.acceptedPerSecond, bare.startsPerSecond);
    if (ingest && bare) out[`ingest ÷ bare start (p50 latency)${t}`] = ratio(ingest.ackLatencyMs.p50, bare.latencyMs.p50);
    for (const x of runs) {
      if (r.floor)
        out[`relay ${x.destinations} dest ÷ floor (throughput)${t}`] = ratio(x.deliveredEventsPerSecond, r.floor.completionsPerSecond);
    }
    if (one && r.direct) {
      out[`relay ÷ direct (throughput)${t}`] = ratio(one.deliveredEventsPerSecond, r.direct.deliveredEventsPerSecond);
      out[`relay ÷ direct (p50 latency)${t}`] = ratio(one.endToEndLatencyMs.p50, r.direct.endToEndLatencyMs.p50);
    }
  }
  const rate = r.latency?.ratePerSecond;
  const direct = r.latency?.direct;
  for (const x of r.latency?.relay ?? []) {
    if (direct) {
      out[`relay ÷ direct at ${rate}/s (p50 latency)${tag(x)}`] = ratio(x.endToEndLatencyMs.p50, direct.endToEndLatencyMs.p50);
      out[`relay ÷ direct at ${rate}/s (p99 latency)${tag(x)}`] = ratio(x.endToEndLatencyMs.p99, direct.endToEndLatencyMs.p99);
    }
  }
  // Stack against stack: what eager start (and one process) buys.
  for (const [a, b] of [
    ['eager', 'combined'],
    ['eager', 'separate'],
    ['combined', 'separate'],
  ] as const) {
    const ta = r.relay.find((x) => x.stack === a && x.destinations === 1);
    const tb = r.relay.find((x) => x.stack === b && x.destinations === 1);
    if (ta && tb) out[`${a} ÷ ${b} (1 dest throughput)`] = ratio(ta.deliveredEventsPerSecond, tb.deliveredEventsPerSecond);
    const la = r.latency?.relay.find((x) => x.stack === a);
    const lb = r.latency?.relay.find((x) => x.stack === b);
    if (la && lb) out[`${a} ÷ ${b} (p50 latency at ${rate}/s)`] = ratio(la.endToEndLatencyMs.p50, lb.endToEndLatencyMs.p50);
  }
  // --codec on,off: what payload encryption costs, per stack and destination count.
  const ON = ', codec on';
  for (const on of r.relay.filter((x) => x.stack?.endsWith(ON))) {
    const base = on.stack?.slice(0, -ON.length) ?? '';
    const off = r.relay.find((x) => x.stack === `${base}, codec off` && x.destinations === on.destinations);
    if (off)
      out[`codec on ÷ off (${on.destinations} dest throughput) [${base}]`] = ratio(
        on.deliveredEventsPerSecond,
        off.deliveredEventsPerSecond,
      );
  }
  for (const on of (r.history ?? []).filter((h) => h.stack?.endsWith(ON))) {
    const base = on.stack?.slice(0, -ON.length) ?? '';
    const off = r.history?.find((h) => h.stack === `${base}, codec off` && h.workflow === on.workflow);
    if (off) out[`codec on ÷ off (${on.workflow} history bytes) [${base}]`] = ratio(on.historyBytes, off.historyBytes);
  }
  const floor = r.history?.find((h) => h.workflow === 'floor');
  const seen = new Set<string>();
  for (const h of r.history ?? []) {
    if (!floor || h === floor || h.phase === 'latency' || seen.has(h.workflow)) continue;
    seen.add(h.workflow);
    out[`${h.workflow} ÷ floor (billable actions per event)`] = ratio(h.actions, floor.actions);
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
const times = (a: number, b: number | undefined, what: string) => (b ? `${ratio(a, b)}× ${what}` : '');

/** The per-event cost table: billable actions, history events and bytes per configuration. */
export function formatHistoryTable(rows: HistoryRow[]): string {
  const out: string[][] = [
    [
      'Per event',
      'Stack',
      'Runs read',
      'Billable actions',
      'Actions',
      'History events',
      'History bytes (protobuf / JSON)',
      'Started eagerly',
    ],
  ];
  for (const h of rows) {
    const max = h.identical ? '' : ' (max; runs differ)';
    out.push([
      h.workflow,
      h.stack ?? '',
      String(h.samples),
      `${h.actions}${max}`,
      describeActions(h.actionBreakdown),
      `${h.historyEvents}${max}`,
      `${h.historyBytes} / ${h.historyJsonBytes}`,
      `${h.eagerStarts}/${h.samples}`,
    ]);
  }
  return markdownTable(out);
}

/**
 * CPU milliseconds per event, by process, over the bare-start phase and each ingest window
 * (first POST → last 202): where the cores went while the two throughputs compared were measured.
 */
export function formatCpuTable(r: BenchResults): string | undefined {
  const rows: [string, string, Record<string, number>][] = [];
  for (const b of bareStartsOf(r)) {
    if (b.cpuMsPerEvent) rows.push(['1. Bare start', b.stack ?? '', b.cpuMsPerEvent]);
    if (b.ingest?.cpuMsPerEvent) rows.push(['1. Ingest, alternating', b.stack ?? '', b.ingest.cpuMsPerEvent]);
  }
  for (const x of r.relay)
    if (x.ingestCpuMsPerEvent) rows.push([`2. Ingest, ${x.destinations} dest`, x.stack ?? '', x.ingestCpuMsPerEvent]);
  if (rows.length === 0) return undefined;
  const names = [...new Set(rows.flatMap(([, , c]) => Object.keys(c)))].sort((a, b) => (a === 'machine' ? 1 : b === 'machine' ? -1 : 0));
  return markdownTable([
    ['CPU ms per event', 'Stack', ...names.map((n) => (n === 'machine' ? 'machine (all processes)' : n))],
    ...rows.map(([phase, stack, c]) => [phase, stack, ...names.map((n) => (c[n] === undefined ? '' : String(c[n])))]),
  ]);
}

/** Markdown tables (they are pasted into the README as they are). */
export function formatTable(r: BenchResults): string {
  const rows: string[][] = [['Measure', 'Stack', 'Count', 'Rate (/s)', 'Latency p50 / p95 / p99 (ms)', 'Ratio']];
  const floor = r.floor?.completionsPerSecond;
  for (const b of bareStartsOf(r)) {
    const rounds = b.rounds ? `, ${b.rounds} rounds` : '';
    rows.push([
      `1. Bare start (client → the same start, no receiver${rounds})`,
      b.stack ?? '',
      String(b.started),
      String(b.startsPerSecond),
      lat(b.latencyMs),
      '',
    ]);
    if (b.ingest)
      rows.push([
        `1. Ingest, alternating with it (POST → 202${rounds})`,
        b.stack ?? '',
        `${b.ingest.acknowledged}/${b.ingest.sent}`,
        String(b.ingest.acceptedPerSecond),
        lat(b.ingest.ackLatencyMs),
        times(b.ingest.acceptedPerSecond, b.startsPerSecond, 'bare start'),
      ]);
  }
  for (const x of r.relay) {
    const bare = bareStartFor(r, x.stack);
    rows.push([
      `2. Ingest, ${x.destinations} dest (POST → 202)`,
      x.stack ?? '',
      `${x.acknowledged}/${x.sent}`,
      String(x.acceptedPerSecond),
      lat(x.ackLatencyMs),
      // Against the bare start only when no ingestion was measured alongside it (older results).
      bare?.ingest ? '' : times(x.acceptedPerSecond, bare?.startsPerSecond, 'bare start'),
    ]);
  }
  if (r.floor)
    rows.push([
      '3. Floor workflow (1 no-op activity, start → close)',
      '',
      `${r.floor.completed}/${r.floor.started}`,
      String(r.floor.completionsPerSecond),
      lat(r.floor.latencyMs),
      '',
    ]);
  for (const x of r.relay) {
    rows.push([
      `4. Relay end to end, ${x.destinations} dest (POST → sink)`,
      x.stack ?? '',
      `${x.delivered}/${x.acknowledged} events, ${x.duplicates} dup`,
      String(x.deliveredEventsPerSecond),
      lat(x.endToEndLatencyMs),
      times(x.deliveredEventsPerSecond, floor, 'floor'),
    ]);
  }
  if (r.direct)
    rows.push([
      '5. Direct relay, no Temporal (POST → sink)',
      '',
      `${r.direct.delivered}/${r.direct.acknowledged}`,
      String(r.direct.deliveredEventsPerSecond),
      lat(r.direct.endToEndLatencyMs),
      '',
    ]);
  const l = r.latency;
  for (const x of l?.relay ?? []) {
    rows.push([
      `6. Latency at ${l?.ratePerSecond}/s, 1 dest (POST → sink)`,
      x.stack ?? '',
      `${x.delivered}/${x.acknowledged} events, ${x.duplicates} dup`,
      String(x.deliveredEventsPerSecond),
      lat(x.endToEndLatencyMs),
      l?.direct ? `p50 ${ratio(x.endToEndLatencyMs.p50, l.direct.endToEndLatencyMs.p50)}× direct` : '',
    ]);
  }
  if (l?.direct)
    rows.push([
      `6. Latency at ${l.ratePerSecond}/s, direct relay (POST → sink)`,
      '',
      `${l.direct.delivered}/${l.direct.acknowledged}`,
      String(l.direct.deliveredEventsPerSecond),
      lat(l.direct.endToEndLatencyMs),
      '',
    ]);
  const out = [markdownTable(rows)];
  if (r.history && r.history.length > 0) out.push('', formatHistoryTable(r.history));
  const cpu = formatCpuTable(r);
  if (cpu) out.push('', cpu);
  out.push('');
  out.push('| Ratio | Value |', '| ----- | ----- |', ...Object.entries(r.ratios).map(([k, v]) => `| ${k} | ${v} |`));
  out.push('');
  const rss = Object.entries(r.peakRssMiB)
    .map(([k, v]) => `${k} ${v ?? '?'} MiB`)
    .join(', ');
  const hist = Object.entries(r.historyEventsPerRelayedEvent)
    .map(([k, v]) => `${k}: ${v}`)
    .join(', ');
  const starts = Object.entries(r.stackStartSeconds ?? {})
    .map(([k, v]) => `${k} ${v ?? '?'} s`)
    .join(', ');
  out.push(`Peak RSS: ${rss}. History events per workflow: ${hist}. Relay worker start: ${starts || `${r.workerStartSeconds ?? '?'} s`}.`);
  if (r.stacks && r.stacks.length > 0) {
    out.push(`Stacks: ${r.stacks.map((k) => `${k} = ${STACK_DESCRIPTIONS[k.split(',')[0] as StackMode] ?? k}`).join('; ')}.`);
  }
  return out.join('\n');
}
