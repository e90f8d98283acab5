/**
 * Phase 1, the floor for ingestion: the Temporal client making the receiver's start directly
 * (./bare-starter.ts) — the relay's workflow with the same input, codec and search attributes,
 * run by the relay's worker as ingested events are.
 */
import type { CanonicalEvent } from '../../src/canonical-event';
import type { BareStarter } from './bare-starter';
import { runLoad, type LoadShape } from './load';
import type { SampleLog } from './samples';
import { ratePerSecond, summarize, type LatencySummary } from './stats';
import { startCpuAccount, type CpuPerEvent, type ProcessPids } from './cpu';

export interface BareStartResult {
  /** The relay stack whose worker ran the runs (--stacks label). */
  stack?: string;
  started: number;
  failed: number;
  startsPerSecond: number;
  latencyMs: LatencySummary;
  /** CPU ms per start of each process over the phase (when `cpu` names them). */
  cpuMsPerEvent?: CpuPerEvent;
}

export async function runBareStart(
  starter: BareStarter,
  shape: LoadShape,
  runId: string,
  log: SampleLog,
  o: { warmUp?: LoadShape; afterWarmUp?: () => Promise<void>; cpu?: ProcessPids } = {},
): Promise<BareStartResult> {
  if (o.warmUp) {
    const warm = starter.prepare(`${runId}-bare-warm-up`, o.warmUp.events);
    await runLoad(o.warmUp, async (i) => {
      await starter.start(warm[i] as CanonicalEvent);
      return true;
    });
    await o.afterWarmUp?.();
  }
  // A --duration phase starts as many as it can: room for 1,000 a second, far above what one machine does.
  const events = starter.prepare(
    `${runId}-bare`,
    shape.durationSeconds !== undefined ? Math.ceil(shape.durationSeconds * 1000) : shape.events,
  );
  const account = o.cpu ? startCpuAccount(o.cpu) : undefined;
  const timings = await runLoad(shape, async (i) => {
    const event = events[i];
    if (!event) throw new Error(`bare start: no event ${i} prepared`);
    await starter.start(event);
    return true;
  });
  const ok = timings.filter((t) => t.ok);
  const cpuMsPerEvent = account?.(ok.length);
  for (const t of ok) log.add('bare start', t.endedAt, t.endedAt - t.startedAt);
  const first = timings[0]?.startedAt ?? 0;
  const last = Math.max(...ok.map((t) => t.endedAt));
  return {
    started: ok.length,
    failed: timings.length - ok.length,
    startsPerSecond: ratePerSecond(ok.length, first, last),
    latencyMs: summarize(ok.map((t) => t.endedAt - t.startedAt)),
    ...(cpuMsPerEvent ? { cpuMsPerEvent } : {}),
  };
}
