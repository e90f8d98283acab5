/**
 * Phase 1, the floor for ingestion, and the ingestion it is the floor of: the Temporal client
 * making the receiver's start directly (./bare-starter.ts — the relay's workflow with the same
 * input, codec and search attributes, run by the stack's worker as ingested events are), and
 * the same number of events posted to the receiver, in alternating rounds.
 *
 * Alternating (bare, ingest, ingest, bare, bare, ingest…, a round being a few hundred
 * milliseconds) is what makes the ratio hold on a shared machine: two phases of a few seconds
 * one after the other each see whatever else the machine was doing then, and the neighbours'
 * load changes on that scale; rounds this short see the same neighbours on both sides, and the
 * mirrored order cancels a drift (a backlog building in the worker, a neighbour ramping up).
 */
import type { CanonicalEvent } from '../../src/model/canonical-event';
import type { BareStarter } from './bare-starter';
import { CpuTotals, type CpuPerEvent, type ProcessPids } from './cpu';
import { runLoad, type LoadShape, type TaskTiming } from './load';
import type { SampleLog } from './samples';
import { summarize, type LatencySummary } from './stats';

export interface BareStartResult {
  /** The relay stack whose worker ran the runs (--stacks label). */
  stack?: string;
  started: number;
  failed: number;
  startsPerSecond: number;
  latencyMs: LatencySummary;
  /** CPU ms per start of each process over the phase (absent in results written before it was measured). */
  cpuMsPerEvent?: CpuPerEvent;
  /** Rounds per side (the phase alternates with ingestion; absent in older results). */
  rounds?: number;
  /** The ingestion rounds alternated with it: events posted to the receiver → 2xx. */
  ingest?: PairedIngestResult;
}

export interface PairedIngestResult {
  acknowledged: number;
  sent: number;
  acceptedPerSecond: number;
  ackLatencyMs: LatencySummary;
  cpuMsPerEvent?: CpuPerEvent;
}

/** Rounds per side: 300 events make rounds of 50, about half a second each here. */
export const PAIRED_ROUNDS = 6;

/** Rounds in mirrored order: bare, ingest, ingest, bare, bare, ingest, … (`rounds` of each). */
export function roundOrder(rounds: number): ('bare' | 'ingest')[] {
  return Array.from({ length: rounds * 2 }, (_, i) => (i % 4 === 0 || i % 4 === 3 ? 'bare' : 'ingest'));
}

/** Events per second over the rounds' own time (first start → last answer of each round, summed). */
function rateOverRounds(rounds: TaskTiming[][]): number {
  let ok = 0;
  let ms = 0;
  for (const timings of rounds) {
    const done = timings.filter((t) => t.ok);
    if (timings.length === 0) continue;
    ok += done.length;
    ms += Math.max(...timings.map((t) => t.endedAt)) - Math.min(...timings.map((t) => t.startedAt));
  }
  return Math.round((ok / Math.max(ms / 1000, 0.001)) * 10) / 10;
}

export async function runBareStart(
  starter: BareStarter,
  shape: LoadShape,
  runId: string,
  log: SampleLog,
  o: {
    /** Posts the i-th ingested event of the phase; true when acknowledged. */
    post: (index: number) => Promise<boolean>;
    /** The processes whose CPU time each side accounts. */
    cpu: ProcessPids;
    warmUp?: LoadShape;
    afterWarmUp?: () => Promise<void>;
    label?: string;
  },
): Promise<BareStartResult> {
  if (o.warmUp) {
    const warm = starter.prepare(`${runId}-bare-warm-up`, o.warmUp.events);
    await runLoad(o.warmUp, async (i) => {
      await starter.start(warm[i] as CanonicalEvent);
      return true;
    });
    await o.afterWarmUp?.();
  }
  const rounds = PAIRED_ROUNDS;
  /** The k-th round of a side: an equal share of the time, or of the events (the shares add up to exactly `events`). */
  const roundShape = (k: number): LoadShape =>
    shape.durationSeconds !== undefined
      ? { ...shape, durationSeconds: shape.durationSeconds / rounds }
      : { ...shape, events: Math.floor(((k + 1) * shape.events) / rounds) - Math.floor((k * shape.events) / rounds) };
  // A --duration phase starts as many as it can: room for 1,000 a second, far above what one machine does.
  const events = starter.prepare(
    `${runId}-bare`,
    shape.durationSeconds !== undefined ? Math.ceil(shape.durationSeconds * 1000) : shape.events,
  );
  const cpu = { bare: new CpuTotals(o.cpu), ingest: new CpuTotals(o.cpu) };
  const timings = { bare: [] as TaskTiming[][], ingest: [] as TaskTiming[][] };
  const next = { bare: 0, ingest: 0 };
  const done = { bare: 0, ingest: 0 };
  for (const side of roundOrder(rounds)) {
    const offset = next[side];
    const perRound = roundShape(done[side]++);
    if (perRound.durationSeconds === undefined && perRound.events === 0) continue;
    cpu[side].start();
    const round = await runLoad(perRound, async (i) => {
      if (side === 'ingest') return o.post(offset + i);
      const event = events[offset + i];
      if (!event) throw new Error(`bare start: no event ${offset + i} prepared`);
      await starter.start(event);
      return true;
    });
    cpu[side].stop();
    next[side] += round.length;
    timings[side].push(round);
  }
  const ok = timings.bare.flat().filter((t) => t.ok);
  for (const t of ok) log.add('bare start', t.endedAt, t.endedAt - t.startedAt);
  const acked = timings.ingest.flat().filter((t) => t.ok);
  for (const t of acked) log.add(`ingest, with bare start${o.label ? ` (${o.label})` : ''}`, t.endedAt, t.endedAt - t.startedAt);
  return {
    started: ok.length,
    failed: next.bare - ok.length,
    startsPerSecond: rateOverRounds(timings.bare),
    latencyMs: summarize(ok.map((t) => t.endedAt - t.startedAt)),
    cpuMsPerEvent: cpu.bare.perEvent(ok.length),
    rounds,
    ingest: {
      acknowledged: acked.length,
      sent: next.ingest,
      acceptedPerSecond: rateOverRounds(timings.ingest),
      ackLatencyMs: summarize(acked.map((t) => t.endedAt - t.startedAt)),
      cpuMsPerEvent: cpu.ingest.perEvent(acked.length),
    },
  };
}
