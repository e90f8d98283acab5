/**
 * What operators (and the relay's own tools) can send to a running event workflow. Safe to
 * import from client code: definitions only.
 */
import { defineSignal, defineUpdate } from '@temporalio/workflow';

export interface RedeliverRequest {
  /** Failed destinations of this run to deliver again; all failed ones when absent. */
  destinations?: string[];
}

/**
 * Why a `redeliver` or `abandon` Update was refused (ApplicationFailure type `UpdateRefused`,
 * details `[{ code }]`): not_parked — no delivery of the run failed (still delivering, held, or
 * all delivered); not_a_destination_of_run; already_delivered — it got its 2xx and is never sent
 * the event again; not_failed — it is delivering, retrying or held (e.g. being redelivered);
 * invalid_request — a malformed request.
 */
export type RefusalCode = 'not_parked' | 'not_a_destination_of_run' | 'already_delivered' | 'not_failed' | 'invalid_request';

export interface RedeliverAnswer {
  redelivering: string[];
}

/**
 * Deliver a parked run's failed destinations again, rendered with each destination as it is
 * now, with the same `webhook-id`. Rejected (nothing sent) when the run is not parked, or a
 * named destination is not one of the run's or did not fail.
 */
export const redeliverUpdate = defineUpdate<RedeliverAnswer, [RedeliverRequest]>('redeliver');

export interface AbandonRequest {
  /** Why, for the run's failure message (e.g. "customer deleted; not needed"). */
  reason?: string;
}

/** End a parked run now, as Failed (DeliveryAbandoned), without sending anything. */
export const abandonUpdate = defineUpdate<{ abandoned: string[] }, [AbandonRequest]>('abandon');

/**
 * A destination was resumed or deleted: runs holding deliveries for it check it again. Sent by
 * `resume` and delete to the runs that `RelayHeldDestinations` finds.
 */
export const destinationChangedSignal = defineSignal<[{ destination: string }]>('destinationChanged');
