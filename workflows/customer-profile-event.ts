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

const { lookupCustomerProfile } = proxyLocalActivities<RelayActivities>({
  startToCloseTimeout: '30s',
  scheduleToCloseTimeout: '10m',
  retry: { initialInterval: '1s', maximumInterval: '1m' },
  summary: 'look up the customer profile',
});

export async function customerProfileEvent({ event }: RelayEventInput): Promise<RelayEventResult> {
  const plans = await planSubscriptions(event);
  if (plans.length === 0) return noSubscribers(event);
  const enrichment = await enrichFor(event, plans);
  try {
    const profile = await lookupCustomerProfile({ event });
    enrichment.profile = profile;
  } catch (err) {
    if (isCancellation(err)) throw err;
    log.warn('customer profile lookup failed; delivering without it', { error: failureMessage(err) });
    enrichment.problems = [...(enrichment.problems ?? []), { lookup: 'profile', message: failureMessage(err) }];
  }
  return deliverAll(event, plans, enrichment);
}
