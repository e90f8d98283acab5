/** Reading activity failures in workflow code: their stable type, details and message. */
import { ActivityFailure, ApplicationFailure, TimeoutFailure } from '@temporalio/workflow';
import { FailureType, PERMANENT_DELIVERY_FAILURES, type DeliveryFailureDetails } from '../../src/model/failure-types';

export interface FailureFacts {
  type: string;
  message: string;
  details?: DeliveryFailureDetails;
  /** Retrying cannot help (4xx, template, address refused…): the delivery fails now. */
  permanent: boolean;
}

export function failureMessage(err: unknown): string {
  const cause = err instanceof ActivityFailure && err.cause ? err.cause : err;
  return cause instanceof Error ? cause.message : String(cause);
}

/**
 * `timeout`: what a timeout means where the failure came from — a local first attempt that ran
 * past its limit is slow, not refused (the retries go on); a regular activity that timed out
 * ran past its retry window (the deliver activity's own check is the usual way it ends).
 */
export function describeFailure(err: unknown, timeout: 'slow' | 'window' = 'window'): FailureFacts {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  const message = failureMessage(err);
  if (cause instanceof ApplicationFailure) {
    const type = cause.type ?? 'ApplicationFailure';
    const details = cause.details?.[0] as DeliveryFailureDetails | undefined;
    return { type, message, ...(details ? { details } : {}), permanent: cause.nonRetryable || PERMANENT_DELIVERY_FAILURES.includes(type) };
  }
  if (cause instanceof TimeoutFailure) {
    return timeout === 'slow'
      ? { type: FailureType.DestinationUnavailable, message: `first attempt timed out: ${message}`, permanent: false }
      : { type: FailureType.RetryWindowExhausted, message: `retry window exhausted: ${message}`, permanent: true };
  }
  return { type: 'UnexpectedFailure', message, permanent: false };
}
