/**
 * bulkRedeliver: one tracked operation that redelivers every parked run a filter matches. Each
 * `redeliverPage` activity lists one page of matching runs (a visibility query, paged) and
 * sends each its `redeliver` Update with bounded concurrency; the workflow adds up the counts,
 * which the `progress` query (GET /v1/redeliveries/{id}) returns. Temporal's batch operations
 * were not used: they signal, cancel, terminate, reset or delete, but cannot send an Update, and
 * only an Update says per run whether it was redelivered or refused.
 *
 * Safe to repeat: the runs' own validators refuse a destination that got its 2xx or is being
 * redelivered; those count as skipped, never as sent.
 */
import { ActivityFailure, defineQuery, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { RedeliveryActivities } from '../activities/redelivery';
import type { RedeliveryFailure, RedeliveryFilter } from './types';

export interface BulkRedeliverInput {
  filter: RedeliveryFilter;
  /** The visibility query the filter gives (built by the API; kept in history for the record). */
  query: string;
  /** How many runs matched when the request was accepted: the first `total`. */
  matched: number;
  /** At most this many runs are redelivered (RELAY_REDELIVERY_MAX_RUNS when it was requested). */
  maxRuns: number;
  /** Runs listed and redelivered per activity (one progress step). */
  pageSize?: number;
  /** Updates in flight at once within a page. */
  concurrency?: number;
}

export interface RedeliveryProgress {
  id: string;
  state: 'running' | 'completed' | 'failed';
  filter: RedeliveryFilter;
  /** Runs to redeliver: the count when accepted, raised if the listing found more. */
  total: number;
  /** Runs listed and handled so far: done + skipped + failed. */
  processed: number;
  /** Runs whose redeliver Update was accepted: their failed deliveries are sent again. */
  done: number;
  /** Runs with nothing to send: redelivered already (or being), no longer parked, or ended. */
  skipped: number;
  /** Runs whose Update failed for another reason (see `failures`). */
  failed: number;
  /** The first few failures, for the operator to look at. */
  failures: RedeliveryFailure[];
  /** Why the operation stopped early, when it did. */
  error?: string;
  startedAt: string;
  finishedAt?: string;
}

export const progressQuery = defineQuery<RedeliveryProgress>('progress');

const MAX_FAILURES_KEPT = 20;

const { redeliverPage } = proxyActivities<RedeliveryActivities>({
  startToCloseTimeout: '10 minutes',
  // The activity heartbeats after every run: a lost worker is noticed quickly, and the retry
  // resumes from the last run the heartbeat recorded.
  heartbeatTimeout: '30 seconds',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 20 },
});

export async function bulkRedeliver(input: BulkRedeliverInput): Promise<RedeliveryProgress> {
  const pageSize = input.pageSize ?? 100;
  const progress: RedeliveryProgress = {
    id: workflowInfo().workflowId,
    state: 'running',
    filter: input.filter,
    total: Math.min(input.matched, input.maxRuns),
    processed: 0,
    done: 0,
    skipped: 0,
    failed: 0,
    failures: [],
    startedAt: new Date(workflowInfo().startTime.getTime()).toISOString(),
  };
  setHandler(progressQuery, () => progress);

  let nextPageToken: string | undefined;
  try {
    do {
      const remaining = input.maxRuns - progress.processed;
      if (remaining <= 0) break;
      const page = await redeliverPage({
        query: input.query,
        pageSize: Math.min(pageSize, remaining),
        ...(nextPageToken ? { nextPageToken } : {}),
        ...(input.filter.destination ? { destination: input.filter.destination } : {}),
        concurrency: input.concurrency ?? 8,
        operationId: progress.id,
        // For the last page's `redelivery.completed` alert (no command changes: only the input).
        before: { processed: progress.processed, done: progress.done, skipped: progress.skipped, failed: progress.failed },
        maxRuns: input.maxRuns,
      });
      progress.processed += page.listed;
      progress.done += page.done;
      progress.skipped += page.skipped;
      progress.failed += page.failed;
      progress.failures.push(...page.failures.slice(0, MAX_FAILURES_KEPT - progress.failures.length));
      progress.total = Math.max(progress.total, progress.processed);
      nextPageToken = page.nextPageToken;
    } while (nextPageToken);
    progress.state = 'completed';
    // Runs that left the filter between the count and the listing (redelivered by someone else, ended).
    progress.total = progress.processed;
  } catch (e) {
    progress.state = 'failed';
    // The activity's last error (e.g. Temporal's frontend unreachable for all its attempts).
    progress.error = e instanceof ActivityFailure && e.cause ? e.cause.message : e instanceof Error ? e.message : String(e);
  }
  progress.finishedAt = new Date().toISOString();
  return progress;
}
