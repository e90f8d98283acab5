/**
 * Phase 3, the floor for end to end: workflows with one no-op activity, started at the same
 * concurrency; completions are read from visibility (close time − start time, server clock).
 */
import type { Client } from '@temporalio/client';
import { pickSamples } from './history';
import { runLoad, type LoadShape } from './load';
import type { SampleLog } from './samples';
import { ratePerSecond, summarize, type LatencySummary } from './stats';
import { FLOOR_TASK_QUEUE } from './floor-worker';

export interface FloorResult {
  started: number;
  completed: number;
  completionsPerSecond: number;
  latencyMs: LatencySummary;
  historyEvents?: number;
  /** Workflow ids of finished runs spread over the phase, to read their histories. */
  sampleWorkflowIds?: string[];
}

export async function runFloor(
  client: Client,
  shape: LoadShape,
  runId: string,
  log: SampleLog,
  timeoutMs: number,
  samples = 1,
): Promise<FloorResult> {
  const prefix = `bench-floor-${runId}-`;
  const timings = await runLoad(shape, async (i) => {
    await client.workflow.start('benchFloor', { taskQueue: FLOOR_TASK_QUEUE, workflowId: `${prefix}${i}` });
    return true;
  });
  const started = timings.filter((t) => t.ok).length;
  const query = `WorkflowType = 'benchFloor' AND ExecutionStatus = 'Completed'`;
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if ((await client.workflow.count(query)).count >= started) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  const latencies: number[] = [];
  const closed = new Set<string>();
  let lastClose = 0;
  for await (const wf of client.workflow.list({ query })) {
    if (!wf.workflowId.startsWith(prefix) || !wf.closeTime) continue;
    const latency = wf.closeTime.getTime() - wf.startTime.getTime();
    latencies.push(latency);
    closed.add(wf.workflowId);
    lastClose = Math.max(lastClose, wf.closeTime.getTime());
    log.add('floor e2e', wf.closeTime.getTime(), latency);
  }
  const first = timings[0]?.startedAt ?? 0;
  const finished = timings.map((t) => `${prefix}${t.index}`).filter((id) => closed.has(id));
  const sampleWorkflowIds = pickSamples(finished, samples);
  let historyEvents: number | undefined;
  if (sampleWorkflowIds[0]) historyEvents = (await client.workflow.getHandle(sampleWorkflowIds[0]).fetchHistory()).events?.length;
  return {
    started,
    completed: latencies.length,
    completionsPerSecond: ratePerSecond(latencies.length, first, lastClose),
    latencyMs: summarize(latencies),
    ...(historyEvents !== undefined ? { historyEvents } : {}),
    ...(sampleWorkflowIds.length > 0 ? { sampleWorkflowIds } : {}),
  };
}
