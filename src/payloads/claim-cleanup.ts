/**
 * Deleting claim-check payloads no history can still name: the worker runs this every
 * RELAY_CLAIM_CHECK_CLEANUP_MINUTES, and `npm run relay -- payloads cleanup` once.
 * A payload is kept for the namespace retention (how long Temporal keeps a closed run's history)
 * plus the longest time a run can stay open without reading it (see claimCheckKeepSeconds),
 * counted from its last reference.
 */
import type { WorkflowService } from '@temporalio/client';
import type pg from 'pg';
import { claimCheckKeepSeconds, type ClaimStore } from './claim-store';

/** The namespace's retention of closed runs, in seconds, as Temporal reports it. */
export async function namespaceRetentionSeconds(service: WorkflowService, namespace: string): Promise<number> {
  const described = await service.describeNamespace({ namespace });
  const ttl = described.config?.workflowExecutionRetentionTtl;
  const seconds = Number(ttl?.seconds ?? 0) + (ttl?.nanos ?? 0) / 1e9;
  if (!(seconds > 0)) throw new Error(`namespace ${namespace} reports no retention; set RELAY_CLAIM_CHECK_RETENTION_HOURS`);
  return seconds;
}

export interface CleanupReport {
  deleted: number;
  /** Payloads unreferenced for longer than this were deleted. */
  keepSeconds: number;
  namespaceRetentionSeconds: number;
}

export async function cleanupClaimPayloads(pool: pg.Pool, store: ClaimStore, retentionSeconds: number): Promise<CleanupReport> {
  const keepSeconds = await claimCheckKeepSeconds(pool, retentionSeconds);
  const deleted = await store.cleanup(keepSeconds);
  return { deleted, keepSeconds, namespaceRetentionSeconds: retentionSeconds };
}

export interface CleanupJobOptions {
  pool: pg.Pool;
  store: ClaimStore;
  intervalMs: number;
  /** The namespace retention in seconds (the environment's, else Temporal's answer). */
  retentionSeconds: () => Promise<number>;
  onReport: (report: CleanupReport) => void;
  onError: (err: unknown) => void;
}

/** Run the cleanup now and then every interval until stop(); a failed round is reported and the next one tries again. */
export function startClaimCleanupJob(options: CleanupJobOptions): { stop(): Promise<void> } {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let stopped = false;
  const round = async () => {
    try {
      options.onReport(await cleanupClaimPayloads(options.pool, options.store, await options.retentionSeconds()));
    } catch (err) {
      options.onError(err);
    }
  };
  const schedule = (delayMs: number) => {
    if (stopped) return;
    timer = setTimeout(() => {
      running = round().finally(() => {
        running = undefined;
        schedule(options.intervalMs);
      });
    }, delayMs);
    // The job never keeps the process alive on its own.
    timer.unref();
  };
  schedule(0);
  return {
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}
