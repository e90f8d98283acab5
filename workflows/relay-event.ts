/**
 * relayEvent: the generic run of one loyalty event — plan who subscribes, enrich once, deliver
 * to every destination in parallel. A healthy event is one workflow task of local activities
 * and one search-attribute upsert; retries, holds and parking only when something needs them.
 */
import type { RelayEventInput, RelayEventResult } from './types';
import { deliverAll, enrichFor, noSubscribers, planSubscriptions } from './steps';

export async function relayEvent({ event }: RelayEventInput): Promise<RelayEventResult> {
  const plans = await planSubscriptions(event);
  if (plans.length === 0) return noSubscribers(event);
  const enrichment = await enrichFor(event, plans);
  return deliverAll(event, plans, enrichment);
}
