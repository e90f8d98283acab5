/**
 * Step "enrich": the union of what subscribed destinations ask for, each lookup once, as a
 * local activity retried within the shortest retry window of the destinations that want it.
 * Enrichment that cannot be had is reported in `problems`; delivery goes on without it.
 */
import { isCancellation, log, proxyLocalActivities } from '@temporalio/workflow';
import type { EnrichmentData, EnrichmentWants, RelayActivities } from '../../activities';
import type { CanonicalEvent } from '../../src/model/canonical-event';
import type { DestinationPlan } from '../../src/model/destination';
import { failureMessage } from './failures';

export function wantsOf(plans: DestinationPlan[]): EnrichmentWants | undefined {
  const choices = plans.map((p) => p.enrichment);
  const sources = [...new Set(choices.flatMap((c) => (c.customerIdentifiers ? [c.customerIdentifiers] : [])))];
  const wants: EnrichmentWants = { pointsBalance: choices.some((c) => c.pointsBalance) };
  if (sources.length > 0) wants.customerIdentifierSources = sources;
  if (choices.some((c) => c.store)) wants.store = true;
  if (choices.some((c) => c.till)) wants.till = true;
  if (choices.some((c) => c.awardedReferenceId)) wants.awardedReferenceId = true;
  return Object.values(wants).some(Boolean) ? wants : undefined;
}

export async function enrichFor(event: CanonicalEvent, plans: DestinationPlan[]): Promise<EnrichmentData> {
  const wants = wantsOf(plans);
  if (!wants) return {};
  const wanting = plans.filter((p) => Object.values(p.enrichment).some(Boolean));
  const windowSeconds = Math.min(...wanting.map((p) => p.retryWindowSeconds));
  const { enrich } = proxyLocalActivities<RelayActivities>({
    startToCloseTimeout: '30s',
    retry: { initialInterval: '1s', maximumInterval: '5m' },
    summary: 'enrich',
  });
  try {
    // The activity stops retrying at giveUpAtMs (the SDK does not end a backing-off local
    // activity at its schedule-to-close timeout); no timer on the healthy path.
    return await enrich({ event, wants, giveUpAtMs: Date.now() + windowSeconds * 1000 });
  } catch (err) {
    if (isCancellation(err)) throw err;
    log.warn('enrichment failed; delivering without it', { error: failureMessage(err) });
    return { problems: [{ lookup: 'enrichment', message: failureMessage(err) }] };
  }
}
