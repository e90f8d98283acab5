/**
 * The bulk redelivery's activity: list one page of parked runs (visibility, paged by the
 * server's token) and send each its `redeliver` Update, a few at a time. It heartbeats after
 * every run with what it has done, so a retry (a lost worker, Temporal briefly unreachable)
 * resumes where it stopped instead of counting the runs it already redelivered as skipped.
 */
import { Context } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import { isTemporalUnreachable, redeliverRun, type RedeliverOutcome } from '../src/temporal/redelivery';
import type { RedeliveryFailure } from '../workflows/types';

export interface RedeliverPageInput {
  query: string;
  pageSize: number;
  /** The visibility page token (base64) the previous page returned; absent for the first page. */
  nextPageToken?: string;
  /** Redeliver only this destination of each run; its failed ones when absent. */
  destination?: string;
  concurrency: number;
  /** The bulk operation's id: with the run's id, the Update id, so a resent Update is the same one. */
  operationId: string;
  /** The operation's counts before this page and its cap: the last page reports the operation's totals. */
  before?: { processed: number; done: number; skipped: number; failed: number };
  maxRuns?: number;
}

/** A bulk redelivery's totals, reported by its last page (the `redelivery.completed` alert). */
export interface RedeliveryCompleted {
  operationId: string;
  destination?: string;
  processed: number;
  done: number;
  skipped: number;
  failed: number;
  failures: RedeliveryFailure[];
}

export interface RedeliverPageResult {
  listed: number;
  done: number;
  skipped: number;
  failed: number;
  failures: RedeliveryFailure[];
  nextPageToken?: string;
}

/** What a heartbeat records: the page as listed, and which of its runs are handled. */
interface PageCheckpoint {
  workflowIds: string[];
  nextPageToken?: string;
  handled: boolean[];
  done: number;
  skipped: number;
  failed: number;
  failures: RedeliveryFailure[];
}

/**
 * `onCompleted`: called by the operation's last page (no further page, or the cap reached) with
 * its totals — from the activity that runs anyway, so the alert costs the operation no action.
 */
export function createRedeliveryActivities(client: Client, onCompleted?: (c: RedeliveryCompleted) => Promise<void>) {
  async function listPage(input: RedeliverPageInput): Promise<{ workflowIds: string[]; nextPageToken?: string }> {
    const response = await client.workflowService.listWorkflowExecutions({
      namespace: client.options.namespace,
      query: input.query,
      pageSize: input.pageSize,
      nextPageToken: input.nextPageToken ? Buffer.from(input.nextPageToken, 'base64') : Buffer.alloc(0),
    });
    const token = response.nextPageToken?.length ? Buffer.from(response.nextPageToken).toString('base64') : undefined;
    return {
      workflowIds: response.executions.map((e) => e.execution?.workflowId ?? '').filter((id) => id !== ''),
      ...(token ? { nextPageToken: token } : {}),
    };
  }

  return {
    async redeliverPage(input: RedeliverPageInput): Promise<RedeliverPageResult> {
      const ctx = Context.current();
      const resumed = ctx.info.heartbeatDetails as PageCheckpoint | undefined;
      const page: PageCheckpoint = resumed ?? {
        ...(await listPage(input)),
        handled: [],
        done: 0,
        skipped: 0,
        failed: 0,
        failures: [],
      };
      const destinations = input.destination ? [input.destination] : undefined;
      let next = 0;
      const worker = async () => {
        for (;;) {
          const i = next++;
          if (i >= page.workflowIds.length) return;
          if (page.handled[i]) continue;
          ctx.cancellationSignal.throwIfAborted();
          const workflowId = page.workflowIds[i] as string;
          let answer: RedeliverOutcome | { outcome: 'error'; message: string };
          try {
            answer = await redeliverRun(client, workflowId, destinations, `${input.operationId}/${workflowId}`);
          } catch (e) {
            // Temporal unreachable: the activity is retried and resumes from its heartbeat. Anything
            // else is this run's problem: counted, and the operation goes on.
            if (isTemporalUnreachable(e)) throw e;
            answer = { outcome: 'error', message: e instanceof Error ? e.message : String(e) };
          }
          if (answer.outcome === 'redelivering') page.done++;
          else if (
            answer.outcome === 'error' ||
            answer.outcome === 'not_an_event_run' ||
            (answer.outcome === 'refused' && answer.code === 'invalid_request')
          ) {
            page.failed++;
            page.failures.push({ workflowId, message: answer.message });
          } else page.skipped++;
          page.handled[i] = true;
          ctx.heartbeat(page);
        }
      };
      await Promise.all(Array.from({ length: Math.max(1, input.concurrency) }, worker));
      const before = input.before ?? { processed: 0, done: 0, skipped: 0, failed: 0 };
      const processed = before.processed + page.workflowIds.length;
      if (onCompleted && input.before && (!page.nextPageToken || (input.maxRuns !== undefined && processed >= input.maxRuns))) {
        await onCompleted({
          operationId: input.operationId,
          ...(input.destination ? { destination: input.destination } : {}),
          processed,
          done: before.done + page.done,
          skipped: before.skipped + page.skipped,
          failed: before.failed + page.failed,
          failures: page.failures.slice(0, 20),
        });
      }
      return {
        listed: page.workflowIds.length,
        done: page.done,
        skipped: page.skipped,
        failed: page.failed,
        failures: page.failures,
        ...(page.nextPageToken ? { nextPageToken: page.nextPageToken } : {}),
      };
    },
  };
}

export type RedeliveryActivities = ReturnType<typeof createRedeliveryActivities>;
