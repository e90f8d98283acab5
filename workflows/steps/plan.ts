/** Step "plan": who subscribes to this event. A local activity in the run's first workflow task. */
import { ApplicationFailure, isCancellation, log, proxyLocalActivities, upsertSearchAttributes } from '@temporalio/workflow';
import { describeFailure } from './failures';
import type { RelayActivities } from '../../activities';
import type { CanonicalEvent } from '../../src/model/canonical-event';
import type { DestinationPlan } from '../../src/model/destination';
import { PERMANENT_DELIVERY_FAILURES } from '../../src/model/failure-types';
import type { RelayEventResult } from '../types';
import { DeliveryStatus } from '../search-attributes';

/** Options of the planning local activities (they read configuration and render templates). */
export const planningOptions = {
  startToCloseTimeout: '30s',
  retry: { initialInterval: '1s', maximumInterval: '1m', nonRetryableErrorTypes: PERMANENT_DELIVERY_FAILURES },
} as const;

const { resolveSubscriptions } = proxyLocalActivities<RelayActivities>({ ...planningOptions, summary: 'plan: who subscribes' });

/**
 * Retried while the store cannot answer; a planning failure retrying cannot fix (PlanningFailed)
 * ends the run as Failed, status `failed`, its message naming the problem.
 */
export async function planSubscriptions(event: CanonicalEvent): Promise<DestinationPlan[]> {
  try {
    return await resolveSubscriptions({ source: event.source, name: event.name });
  } catch (err) {
    if (isCancellation(err)) throw err;
    const f = describeFailure(err);
    upsertSearchAttributes([{ key: DeliveryStatus, value: 'failed' }]);
    throw ApplicationFailure.create({ type: f.type, message: `planning failed: ${f.message}`, nonRetryable: true, cause: err as Error });
  }
}

/** The end of a run nobody subscribes to: one search-attribute upsert, a completed run. */
export function noSubscribers(event: CanonicalEvent): RelayEventResult {
  log.info('no destination subscribes to this event', { event: event.name, source: event.source });
  upsertSearchAttributes([{ key: DeliveryStatus, value: 'no_subscribers' }]);
  return { eventId: event.id, status: 'no_subscribers', destinations: [] };
}
