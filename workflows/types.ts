/** What the relay's workflows take and return. Types only. */
import type { CanonicalEvent } from '../src/model/canonical-event';

export interface RelayEventInput {
  event: CanonicalEvent;
}

export interface DestinationResult {
  destination: string;
  /** The version of the destination the last rendering used (a redelivery renders with the current one). */
  destinationVersion?: string;
  status: 'delivered' | 'failed';
  httpStatus?: number;
  /** Attempts at the last request sent (a destination may need several requests per event, e.g. MoEngage user sync). */
  attempts: number;
  /** Requests delivered, when the destination needed more than one. */
  requests?: number;
  /** From the receiver's acceptance to the destination's 2xx. */
  latencyMs?: number;
  slaBreached: boolean;
  /** How many times an operator redelivered to this destination. */
  redeliveries?: number;
  error?: { type: string; message: string };
}

/** How a completed run ended (a parked run that is never redelivered ends as Failed instead). */
export type RelayStatus = 'delivered' | 'no_subscribers';

export interface RelayEventResult {
  eventId: string;
  status: RelayStatus;
  destinations: DestinationResult[];
}

/**
 * The failure details of a run that ended Failed (parking period over, or abandoned): the same
 * shape as a result, with the final status.
 */
export interface RelayEventOutcome {
  eventId: string;
  status: 'failed' | 'partially_delivered' | 'abandoned';
  destinations: DestinationResult[];
  reason?: string;
}

/** Which parked runs a bulk redelivery (bulkRedeliver) redelivers. */
export interface RedeliveryFilter {
  /** Only runs whose delivery to this destination failed (and only that destination is redelivered); all failed ones when absent. */
  destination?: string;
  /** RelayDeliveryStatus of the runs; both when absent. */
  status?: 'failed' | 'partially_delivered';
  /** Runs accepted (started) at or after this instant (ISO 8601)… */
  since: string;
  /** …and before this one. */
  until: string;
}

/** A run a bulk redelivery could not redeliver, and why. */
export interface RedeliveryFailure {
  workflowId: string;
  message: string;
}
