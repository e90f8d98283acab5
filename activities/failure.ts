/** How activities raise a classified failure: a stable type, the delivery details, retryable or not. */
import { ApplicationFailure } from '@temporalio/common';
import type { DeliveryFailureDetails } from '../src/failure-types';

export function deliveryFailure(
  type: string,
  message: string,
  details: DeliveryFailureDetails,
  nonRetryable: boolean,
  nextRetryDelayMs?: number,
) {
  return ApplicationFailure.create({
    type,
    message,
    details: [details],
    nonRetryable,
    ...(nextRetryDelayMs !== undefined ? { nextRetryDelay: nextRetryDelayMs } : {}),
  });
}
