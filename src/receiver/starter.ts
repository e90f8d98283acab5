/**
 * Starts the relayEvent workflow for an accepted event. The start is durable once Temporal
 * answers; an already-started workflow id is a duplicate, never a second delivery.
 */
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import { workflowIdFor, type CanonicalEvent } from '../canonical-event';
import { TemporalUnavailableError } from '../errors';
import type { Logger } from '../logger';
import type { relayEvent } from '../../workflows/relay-event';
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
}

export function createTemporalStarter(options: TemporalStarterOptions): EventStarter {
  const { client, taskQueue, startTimeoutMs, logger } = options;
  const retryAfter = options.retryAfterSeconds ?? 5;
  return {
    async start(event) {
      const workflowId = workflowIdFor(event.source, event.id);
      try {
        await client.connection.withDeadline(Date.now() + startTimeoutMs, () =>
          client.workflow.start<typeof relayEvent>('relayEvent', {
            taskQueue,
            workflowId,
            args: [{ event }],
            workflowIdReusePolicy: 'REJECT_DUPLICATE',
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
