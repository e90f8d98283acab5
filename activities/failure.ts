/** How activities raise a classified failure: a stable type, the delivery details, retryable or not. */
import { ApplicationFailure } from '@temporalio/common';
import type { DeliveryFailureDetails } from '../src/model/failure-types';

export function deliveryFailure(
  type: string,
  message: string,
  details: DeliveryFailureDetails,
  nonRetryable: boolean,
  nextRetryDelayMs?: number,
) {
  const failure = ApplicationFailure.create({
    type,
    message,
    details: [details],
    nonRetryable,
    ...(nextRetryDelayMs !== undefined ? { nextRetryDelay: nextRetryDelayMs } : {}),
  });
  // A classified failure is an answer from a destination, not a fault in the code: no stack
  // trace in history or the UI's call-stack panel, just the type and message.
  failure.stack = `${type}: ${message}`;
  return failure;
}
