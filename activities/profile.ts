/**
 * The customer profile lookup of customerProfileEvent: the brand's customer API (modelled on
 * the loyalty API's customer lookup), by the event's customer id, else its identifiers.
 */
import { ApplicationFailure } from '@temporalio/common';
import type { CanonicalEvent } from '../src/model/canonical-event';
import { LoyaltyApiUnavailableError, type LoyaltyApi } from '../src/enrichment/loyalty-api';
import type { CustomerDetails } from '../src/model/lookups';
import { lookupKeyOf, unavailable } from './enrich';

export function createProfileActivities(api: LoyaltyApi | undefined) {
  return {
    /** The profile, or null when the API does not know the customer. Retryable while the API cannot answer. */
    async lookupCustomerProfile(input: { event: CanonicalEvent; giveUpAtMs?: number }): Promise<CustomerDetails | null> {
      if (!api) {
        throw ApplicationFailure.nonRetryable(
          'no customer API: set CUSTOMER_PROFILE_API_URL or LOYALTY_API_URL',
          'ProfileApiNotConfigured',
        );
      }
      const { event } = input;
      const key = event.customer.id ? { name: 'id' as const, value: event.customer.id } : lookupKeyOf(event);
      if (!key) throw ApplicationFailure.nonRetryable('the event has no customer id or identifier to look up', 'ProfileLookupImpossible');
      try {
        return await api.customerDetails(key);
      } catch (e) {
        if (e instanceof LoyaltyApiUnavailableError) unavailable(e, input.giveUpAtMs);
        throw ApplicationFailure.nonRetryable((e as Error).message, 'ProfileLookupFailed');
      }
    },
  };
}
