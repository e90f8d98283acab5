/**
 * Stable type names of the failures activities raise; the workflow and the Temporal UI show
 * them. Pure constants: workflows import this file.
 */
export const FailureType = {
  /** The destination no longer exists in the configuration. */
  DestinationNotFound: 'DestinationNotFound',
  /** A template needs a value the event does not have, or renders an invalid header. */
  TemplateRenderFailed: 'TemplateRenderFailed',
  /** The destination answered a permanent error (4xx other than 408/425/429, or 3xx). */
  DestinationRejected: 'DestinationRejected',
  /** The destination answered 410 Gone: permanent, and the destination is flagged. */
  DestinationGone: 'DestinationGone',
  /** Transient trouble (5xx, 429, timeout, connection error): retried with backoff. */
  DestinationUnavailable: 'DestinationUnavailable',
  /** Retries would run past the destination's retry window. */
  RetryWindowExhausted: 'RetryWindowExhausted',
  /** The destination resolves to a loopback, private, link-local or metadata address outside the allowlist. */
  DestinationAddressRefused: 'DestinationAddressRefused',
  /** The credential set could not produce credentials (token endpoint refused, credential missing). */
  AuthenticationFailed: 'AuthenticationFailed',
  /** The destination is paused: the delivery is held (not an attempt) until it resumes. */
  DestinationPaused: 'DestinationPaused',
  /** A run ended Failed: its parking period passed with a delivery still failed. */
  DeliveryFailed: 'DeliveryFailed',
  /** A run ended Failed: an operator abandoned its failed deliveries. */
  DeliveryAbandoned: 'DeliveryAbandoned',
  /** The loyalty API cannot answer right now. */
  LoyaltyApiUnavailable: 'LoyaltyApiUnavailable',
  /**
   * The plan step cannot succeed by retrying: the configuration store refused the lookup for
   * this event's data (PostgreSQL data exception, SQLSTATE class 22, e.g. 22021 a NUL byte).
   * Non-retryable: the run ends Failed with the store's message. A store that cannot be
   * reached for now is not this: it is retried.
   */
  PlanningFailed: 'PlanningFailed',
  /**
   * A claim-check reference (src/payloads/claim-check.ts) cannot be resolved: its stored payload
   * was deleted, is in another database, or needs a master key that is not configured.
   * Retrying does not bring it back.
   */
  PayloadUnavailable: 'PayloadUnavailable',
} as const;

export const PERMANENT_DELIVERY_FAILURES: string[] = [
  FailureType.DestinationNotFound,
  FailureType.TemplateRenderFailed,
  FailureType.DestinationRejected,
  FailureType.DestinationGone,
  FailureType.RetryWindowExhausted,
  FailureType.DestinationAddressRefused,
  FailureType.AuthenticationFailed,
  FailureType.DestinationPaused,
  FailureType.PayloadUnavailable,
];

/** Details attached to a delivery failure (first entry of ApplicationFailure.details). */
export interface DeliveryFailureDetails {
  httpStatus?: number;
  attempt: number;
  responseSnippet?: string;
  /** For a retryable failure: when the next attempt should be made (Retry-After or backoff). */
  retryInMs?: number;
}
