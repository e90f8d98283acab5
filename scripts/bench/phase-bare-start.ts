/** Phase 1, the floor for ingestion: the Temporal client starting a no-op workflow directly. */
import type { Client } from '@temporalio/client';
import { runLoad, type LoadShape } from './load';
import type { SampleLog } from './samples';
import { ratePerSecond, summarize, type LatencySummary } from './stats';
import { FLOOR_TASK_QUEUE } from './floor-worker';

export interface BareStartResult {
  started: number;
  failed: number;
  startsPerSecond: number;
  latencyMs: LatencySummary;
}

export async function runBareStart(client: Client, shape: LoadShape, runId: string, log: SampleLog): Promise<BareStartResult> {
  const timings = await runLoad(shape, async (i) => {
    await client.workflow.start('benchNoop', { taskQueue: FLOOR_TASK_QUEUE, workflowId: `bench-noop-${runId}-${i}` });
    return true;
  });
  const ok = timings.filter((t) => t.ok);
  for (const t of ok) log.add('bare start', t.endedAt, t.endedAt - t.startedAt);
  const first = timings[0]?.startedAt ?? 0;
  const last = Math.max(...ok.map((t) => t.endedAt));
  return {
    started: ok.length,
    failed: timings.length - ok.length,
    startsPerSecond: ratePerSecond(ok.length, first, last),
    latencyMs: summarize(ok.map((t) => t.endedAt - t.startedAt)),
  };
}
