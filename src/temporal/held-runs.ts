/**
 * Waking runs that hold deliveries for a destination: `resume` and delete signal every open
 * run whose `RelayHeldDestinations` names it; each run then looks at the destination itself
 * (resumed: deliver; deleted: park the delivery as failed). No run polls while it holds.
 */
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { Pool } from 'pg';
import { setDestinationPaused, type PauseState } from '../config/pause';
import { destinationChangedSignal } from '../../workflows/messages';

/** The visibility query that finds the runs holding deliveries for `destination`. */
export function heldRunsQuery(destination: string): string {
  return `RelayHeldDestinations = ${JSON.stringify(destination)} AND ExecutionStatus = "Running"`;
}

/**
 * Signal every run holding deliveries for `destination`, oldest first (a run starts when its
 * event is accepted, so held events go out in acceptance order as far as concurrency allows;
 * the visibility list comes newest first). The number signalled.
 */
export async function wakeHeldRuns(client: Client, destination: string): Promise<number> {
  const held: { workflowId: string; runId: string; startTime: number }[] = [];
  for await (const run of client.workflow.list({ query: heldRunsQuery(destination) })) {
    held.push({ workflowId: run.workflowId, runId: run.runId, startTime: run.startTime.getTime() });
  }
  held.sort((a, b) => a.startTime - b.startTime);
  let woken = 0;
  for (const run of held) {
    try {
      await client.workflow.getHandle(run.workflowId, run.runId).signal(destinationChangedSignal, { destination });
      woken++;
    } catch (e) {
      // A run that ended between the list and the signal has nothing to wake.
      if (!(e instanceof WorkflowNotFoundError)) throw e;
    }
  }
  return woken;
}

/** Resume `name` in the store, then wake the runs holding deliveries for it; undefined when there is no such destination. */
export async function resumeDestination(pool: Pool, client: Client, name: string): Promise<(PauseState & { woken: number }) | undefined> {
  const state = await setDestinationPaused(pool, name, false);
  if (!state) return undefined;
  return { ...state, woken: await wakeHeldRuns(client, name) };
}
