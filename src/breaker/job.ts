/**
 * The worker's operations job, every few seconds: wake the runs held for destinations a probe
 * resumed (the activity that saw the 2xx cannot signal), nudge one held run of each
 * destination whose probe is due (it asks the store, claims the probe and makes the attempt),
 * and send pending alerts. Every worker runs it; the database keeps them from doubling work
 * (claims and SKIP LOCKED).
 */
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { Pool } from 'pg';
import { sendPendingAlerts, type AlertWebhook } from '../alerts/outbox';
import type { HttpClient } from '../http/client';
import { destinationChangedSignal } from '../../workflows/messages';
import { heldRunsQuery, wakeHeldRuns } from '../temporal/held-runs';
import { PROBE_CLAIM_TIMEOUT_SECONDS } from './breaker';

export interface OperationsJobOptions {
  pool: Pool;
  client: Client;
  alertWebhook?: AlertWebhook;
  /** The worker's outbound client (its guard and allowlist): alerts are sent with it. */
  http: HttpClient;
  /** How often it runs (default 5 s). */
  intervalMs?: number;
  log: { warn(obj: object, msg: string): void };
}

/** Signal the oldest run holding deliveries for `destination`; whether there was one. */
export async function wakeOldestHeldRun(client: Client, destination: string): Promise<boolean> {
  let oldest: { workflowId: string; runId: string; startTime: number } | undefined;
  for await (const run of client.workflow.list({ query: heldRunsQuery(destination) })) {
    if (!oldest || run.startTime.getTime() < oldest.startTime) {
      oldest = { workflowId: run.workflowId, runId: run.runId, startTime: run.startTime.getTime() };
    }
  }
  if (!oldest) return false;
  try {
    await client.workflow.getHandle(oldest.workflowId, oldest.runId).signal(destinationChangedSignal, { destination });
    return true;
  } catch (e) {
    if (e instanceof WorkflowNotFoundError) return false;
    throw e;
  }
}

let lastPrune = 0;

/** One pass of the job. */
export async function runOperationsOnce(o: OperationsJobOptions): Promise<void> {
  const { rows: resumed } = await o.pool.query<{ name: string }>(
    'UPDATE destinations SET wake_pending = false WHERE wake_pending RETURNING name',
  );
  for (const { name } of resumed) {
    try {
      await wakeHeldRuns(o.client, name);
    } catch (err) {
      await o.pool.query('UPDATE destinations SET wake_pending = true WHERE name = $1 AND NOT paused', [name]);
      o.log.warn({ err, destination: name }, 'could not wake the runs held for a destination the probe resumed; will try again');
    }
  }
  const { rows: due } = await o.pool.query<{ name: string }>(
    `SELECT name FROM destinations
      WHERE paused AND paused_by = 'breaker' AND probe_at <= now()
        AND (probe_claimed_at IS NULL OR probe_claimed_at < now() - make_interval(secs => $1))`,
    [PROBE_CLAIM_TIMEOUT_SECONDS],
  );
  for (const { name } of due) {
    try {
      // No held run: the next new event's delivery holds, looks again after its grace, and probes.
      await wakeOldestHeldRun(o.client, name);
    } catch (err) {
      o.log.warn({ err, destination: name }, 'could not wake a held run to probe the destination');
    }
  }
  try {
    // Old sent alerts are deleted about once an hour (a scan of the table), not at every pass.
    const prune = Date.now() - lastPrune > 3_600_000;
    await sendPendingAlerts(o.pool, o.alertWebhook, { http: o.http, prune });
    if (prune) lastPrune = Date.now();
  } catch (err) {
    o.log.warn({ err }, 'could not send pending alerts');
  }
}

export function startOperationsJob(o: OperationsJobOptions): { stop(): Promise<void> } {
  let running: Promise<void> | undefined;
  const timer = setInterval(() => {
    if (running) return;
    running = runOperationsOnce(o)
      .catch((err: unknown) => o.log.warn({ err }, 'operations job failed; it runs again'))
      .finally(() => (running = undefined));
  }, o.intervalMs ?? 5000);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
