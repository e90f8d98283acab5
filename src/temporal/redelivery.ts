/**
 * Redelivering parked runs: one run through its `redeliver` Update (what the management API,
 * the CLI and the bulk workflow's activity all call), and the visibility query that finds the
 * parked runs a bulk redelivery covers. The Update's validator decides what may be sent
 * (workflows/steps/deliver-all.ts): a destination that got its 2xx, or is being redelivered, is
 * refused, so sending the same request twice never delivers twice.
 */
import { ApplicationFailure } from '@temporalio/common';
import {
  isGrpcServiceError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  WorkflowUpdateRPCTimeoutOrCancelledError,
  type Client,
} from '@temporalio/client';
import { redeliverUpdate, type RefusalCode } from '../../workflows/messages';
import { GENERIC_WORKFLOW, routes } from '../../workflows/routes';
import type { RedeliveryFilter } from '../../workflows/types';

export type RedeliverOutcome =
  | { outcome: 'redelivering'; workflowId: string; redelivering: string[] }
  /** The run's validator refused: nothing was sent. */
  | { outcome: 'refused'; workflowId: string; code: RefusalCode; message: string }
  /** The run has ended (delivered, abandoned, or its parking period is over): nothing to redeliver. */
  | { outcome: 'closed'; workflowId: string; status: string }
  /** No run with this workflow id. */
  | { outcome: 'not_found'; workflowId: string }
  /** A workflow that is not an event's run (no `redeliver` Update: e.g. a bulk redelivery). */
  | { outcome: 'not_an_event_run'; workflowId: string; message: string };

/** The workflow types that run an event (and answer `redeliver` once delivering). */
const EVENT_WORKFLOWS = new Set([GENERIC_WORKFLOW, ...routes.map((r) => r.workflow)]);

const REFUSAL_CODES: readonly RefusalCode[] = [
  'not_parked',
  'not_a_destination_of_run',
  'already_delivered',
  'not_failed',
  'invalid_request',
];

/** The code a refused Update carries (runs parked before codes existed carry none: judged by the message). */
function refusalCode(failure: ApplicationFailure): RefusalCode {
  const code = (failure.details?.[0] as { code?: unknown } | undefined)?.code;
  if (typeof code === 'string' && (REFUSAL_CODES as readonly string[]).includes(code)) return code as RefusalCode;
  if (/got a 2xx/.test(failure.message)) return 'already_delivered';
  if (/is not a destination of this run/.test(failure.message)) return 'not_a_destination_of_run';
  if (/did not fail/.test(failure.message)) return 'not_failed';
  return 'not_parked';
}

/**
 * Send `redeliver` to the run `workflowId` (its failed destinations, or `destinations`) and say
 * what happened. Errors reaching Temporal are thrown; every answer of the run is an outcome.
 * `updateId` makes a retried call the same Update (Temporal deduplicates it per run).
 */
export async function redeliverRun(
  client: Client,
  workflowId: string,
  destinations?: string[],
  updateId?: string,
): Promise<RedeliverOutcome> {
  const handle = client.workflow.getHandle(workflowId);
  try {
    const answer = await handle.executeUpdate(redeliverUpdate, {
      args: [destinations ? { destinations } : {}],
      ...(updateId ? { updateId } : {}),
    });
    return { outcome: 'redelivering', workflowId, redelivering: answer.redelivering };
  } catch (e) {
    if (e instanceof WorkflowUpdateFailedError && e.cause instanceof ApplicationFailure) {
      if (e.cause.type === 'UpdateRefused') return { outcome: 'refused', workflowId, code: refusalCode(e.cause), message: e.cause.message };
      // No handler yet (a run still planning or enriching: the handler comes with delivery), or
      // never (a workflow that is not an event's run).
      const { type } = await handle.describe();
      if (EVENT_WORKFLOWS.has(type)) {
        return {
          outcome: 'refused',
          workflowId,
          code: 'not_parked',
          message: 'this run is not parked (still planning or enriching): nothing failed to redeliver',
        };
      }
      return { outcome: 'not_an_event_run', workflowId, message: `a ${type} workflow` };
    }
    if (!(e instanceof WorkflowNotFoundError)) throw e;
  }
  // Not found: no such run, or one that has ended (Temporal answers the same for both).
  try {
    const { status } = await handle.describe();
    return { outcome: 'closed', workflowId, status: status.name };
  } catch (e) {
    if (e instanceof WorkflowNotFoundError) return { outcome: 'not_found', workflowId };
    throw e;
  }
}

/** gRPC status codes: CANCELLED 1, DEADLINE_EXCEEDED 4, RESOURCE_EXHAUSTED 8, UNAVAILABLE 14. */
const UNREACHABLE = new Set<number>([1, 4, 8, 14]);

/**
 * True when `err` means Temporal could not be reached or did not answer in time (the caller
 * retries later), rather than an answer about the run.
 */
export function isTemporalUnreachable(err: unknown, depth = 0): boolean {
  if (err === null || typeof err !== 'object' || depth > 4) return false;
  if (err instanceof WorkflowUpdateRPCTimeoutOrCancelledError) return true;
  if (isGrpcServiceError(err)) return UNREACHABLE.has(err.code);
  if (err instanceof Error && /Failed to connect|connection refused|transport error|deadline/i.test(err.message)) return true;
  return isTemporalUnreachable((err as { cause?: unknown }).cause, depth + 1);
}

const quote = (value: string) => JSON.stringify(value);

/**
 * The parked runs a bulk redelivery covers: open, `RelayDeliveryStatus` failed and/or
 * partially_delivered, accepted (started) in [since, until), and with a destination's failed
 * delivery when one is named.
 */
export function parkedRunsQuery(filter: RedeliveryFilter): string {
  const statuses = filter.status ? [filter.status] : ['failed', 'partially_delivered'];
  return [
    'ExecutionStatus = "Running"',
    `RelayDeliveryStatus IN (${statuses.map(quote).join(', ')})`,
    `StartTime >= ${quote(filter.since)}`,
    `StartTime < ${quote(filter.until)}`,
    ...(filter.destination ? [`RelayFailedDestinations = ${quote(filter.destination)}`] : []),
  ].join(' AND ');
}
