/**
 * customerProfileEvent: Capillary's customerAdded / customerUpdated in PII-less mode carry the
 * customer's ids, not their name or contacts; the brand's own system holds those. This run
 * looks the profile up (the brand's customer API, modelled on the loyalty API's customer
 * lookup) and adds it to the enrichment as `enrichment.profile` before mapping, so templates
 * can use `{{ enrichment.profile.firstName }}`. Routed here by workflows/routes.ts.
 */
import { isCancellation, log, proxyLocalActivities } from '@temporalio/workflow';
import type { RelayActivities } from '../activities';
import { deliverAll, enrichFor, noSubscribers, planSubscriptions } from './steps';
import { failureMessage } from './steps/failures';
import type { RelayEventInput, RelayEventResult } from './types';

/** The longest the lookup is retried while the API cannot answer, when every destination's retry window is longer. */
const LOOKUP_WINDOW_SECONDS = 10 * 60;

export async function customerProfileEvent({ event }: RelayEventInput): Promise<RelayEventResult> {
  const plans = await planSubscriptions(event);
  if (plans.length === 0) return noSubscribers(event);
  const enrichment = await enrichFor(event, plans);
  // Every destination gets the profile: retried within the shortest retry window (as the enrich step), at most 10 minutes.
  const windowSeconds = Math.min(LOOKUP_WINDOW_SECONDS, ...plans.map((p) => p.retryWindowSeconds));
  const { lookupCustomerProfile } = proxyLocalActivities<RelayActivities>({
    startToCloseTimeout: '30s',
    retry: { initialInterval: '1s', maximumInterval: '1m' },
    summary: 'look up the customer profile',
  });
  try {
    // The activity stops retrying at giveUpAtMs (the SDK does not end a backing-off local
    // activity at its schedule-to-close timeout): no timer on the healthy path.
    enrichment.profile = await lookupCustomerProfile({ event, giveUpAtMs: Date.now() + windowSeconds * 1000 });
  } catch (err) {
    if (isCancellation(err)) throw err;
    const message = failureMessage(err);
    log.warn('customer profile lookup failed; delivering without it', { error: message });
    enrichment.problems = [...(enrichment.problems ?? []), { lookup: 'profile', message }];
  }
  return deliverAll(event, plans, enrichment);
}
