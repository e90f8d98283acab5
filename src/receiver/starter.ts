/**
 * Starts the workflow for an accepted event — `relayEvent`, or the one workflows/routes.ts
 * routes its event type to. The start is durable once Temporal answers; an already-started
 * workflow id is a duplicate, never a second delivery.
 */
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import { workflowIdFor, type CanonicalEvent } from '../model/canonical-event';
import { TemporalUnavailableError } from '../http/inbound/errors';
import type { Logger } from '../telemetry/logger';
import { workflowTypeFor } from '../../workflows/routes';
import type { RelayEventInput } from '../../workflows/types';
import { CustomerId, DeliveryStatus, EventName, EventSource, SlaBreached } from '../../workflows/search-attributes';

export interface StartResult {
  workflowId: string;
  duplicate: boolean;
}

export interface EventStarter {
  start(event: CanonicalEvent): Promise<StartResult>;
  /** True when Temporal answers within the deadline. */
  ready(): Promise<boolean>;
}

export interface TemporalStarterOptions {
  client: Client;
  taskQueue: string;
  startTimeoutMs: number;
  logger: Logger;
  /** Seconds a sender is told to wait when Temporal is unavailable. */
  retryAfterSeconds?: number;
  /**
   * Ask the server to hand the run's first workflow task straight back to a worker of this
   * process (Eager Workflow Start): the client must be on the worker's NativeConnection.
   */
  eager?: boolean;
}

/** The run's one-line summary in the Temporal UI: what happened, to whom, from where. */
export function runSummary(event: CanonicalEvent): string {
  const who = event.customer.id ? ` · customer ${event.customer.id}` : '';
  return `${event.name}${who} · from ${event.source}`;
}

export function createTemporalStarter(options: TemporalStarterOptions): EventStarter {
  const { client, taskQueue, startTimeoutMs, logger } = options;
  const retryAfter = options.retryAfterSeconds ?? 5;
  return {
    async start(event) {
      const workflowId = workflowIdFor(event.source, event.id);
      try {
        await client.connection.withDeadline(Date.now() + startTimeoutMs, () =>
          client.workflow.start<(input: RelayEventInput) => Promise<unknown>>(workflowTypeFor(event), {
            taskQueue,
            workflowId,
            args: [{ event }],
            workflowIdReusePolicy: 'REJECT_DUPLICATE',
            staticSummary: runSummary(event),
            staticDetails: `event id \`${event.id}\` (${event.sourceKind}), occurred ${event.occurredAt}, accepted ${event.receivedAt}`,
            ...(options.eager ? { requestEagerStart: true } : {}),
            typedSearchAttributes: [
              { key: EventName, value: event.name },
              { key: EventSource, value: event.source },
              ...(event.customer.id ? [{ key: CustomerId, value: event.customer.id }] : []),
              { key: DeliveryStatus, value: 'pending' },
              { key: SlaBreached, value: false },
            ],
          }),
        );
        return { workflowId, duplicate: false };
      } catch (err) {
        if (err instanceof WorkflowExecutionAlreadyStartedError) return { workflowId, duplicate: true };
        // Anything else means the start is not durable: the sender must retry, so nothing is lost.
        logger.error({ err, workflowId }, 'could not start workflow; answering 503');
        throw new TemporalUnavailableError(retryAfter);
      }
    },
    async ready() {
      try {
        await client.connection.withDeadline(Date.now() + 2000, () => client.workflowService.getSystemInfo({}));
        return true;
      } catch {
        return false;
      }
    },
  };
}
