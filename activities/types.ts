/**
 * What activities take and return: the contract between the workflow steps and the workers.
 * Types only (workflows import them).
 */
import type { CanonicalEvent } from '../src/model/canonical-event';
import type { OutboundRequest } from '../src/destinations/connector';
import type { EnrichmentData } from './enrich';

export type { EnrichmentData, EnrichmentWants } from './enrich';

export interface MapEventInput {
  destination: string;
  /** The destination version the run planned with; absent: the current one (a redelivery renders with it). */
  version?: string;
  event: CanonicalEvent;
  /** The event's enrichment (all destinations'); mapEvent keeps what this destination chose. */
  enrichment: EnrichmentData;
}

export interface MappedRequest {
  request: OutboundRequest;
  /** Sent as `webhook-id`: the same for every attempt at this event × destination × request part. */
  idempotencyKey: string;
}

/** mapEvent's result: the destination's requests for this event, in order, without secrets. */
export interface MappedEvent {
  requests: MappedRequest[];
  destinationVersion: string;
}

export interface DeliverInput {
  destination: string;
  /** The version mapEvent rendered with; its settings and secrets are used (absent: current). */
  destinationVersion?: string;
  request: OutboundRequest;
  idempotencyKey: string;
  timeoutSeconds: number;
  retryWindowSeconds: number;
  /**
   * Attempts already made at this request before this activity's first one (the local first
   * attempt): attempt numbers, backoff and the reported count continue from there.
   */
  attemptsBefore?: number;
  /** When the first attempt at this request was made (epoch ms): the retry window counts from it. */
  firstAttemptAtMs?: number;
  /**
   * Refuse to send while the destination is paused (DestinationPaused): retries check, the
   * first attempt does not (the run just planned with the paused flag).
   */
  checkPaused?: boolean;
  /** The event's hop count (`CanonicalEvent.hops`; absent = 0): the request is sent with `x-loyalty-relay-hops: hops + 1`. */
  hops?: number;
  /**
   * For the worker's metrics only (absent in runs started before they existed): when the
   * receiver accepted the event (epoch ms), the destination's SLA, and whether this request is
   * the delivery's last (a 2xx to it delivers the destination).
   */
  acceptedAtMs?: number;
  slaSeconds?: number;
  lastRequest?: boolean;
}

export interface DeliveryReceipt {
  httpStatus: number;
  /** Attempt number of the one that succeeded, counting `attemptsBefore`. */
  attempt: number;
  durationMs: number;
}
