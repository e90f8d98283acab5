/**
 * relayEvent: one run per loyalty event. Resolve who subscribes → enrich once → for each
 * destination in parallel, map and deliver while a timer races the delivery SLA → record
 * the outcome in search attributes and the result.
 */
import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  isCancellation,
  log,
  patched,
  proxyActivities,
  proxyLocalActivities,
  sleep,
  TimeoutFailure,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import type { EnrichmentData, EnrichmentWants, LegacyMappedEvent, MappedEvent, MappedRequest, RelayActivities } from '../activities';
import type { CanonicalEvent } from '../src/canonical-event';
import type { DestinationPlan } from '../src/config/store';
import { FailureType, PERMANENT_DELIVERY_FAILURES, type DeliveryFailureDetails } from '../src/failure-types';
import { DeliveryStatus, Destinations, SlaBreached } from './search-attributes';

export interface RelayEventInput {
  event: CanonicalEvent;
}

export interface DestinationResult {
  destination: string;
  destinationVersion?: string;
  status: 'delivered' | 'failed';
  httpStatus?: number;
  /** Attempts of the last request sent (a destination may need several requests per event, e.g. MoEngage user sync). */
  attempts: number;
  /** Requests delivered, when the destination needed more than one. */
  requests?: number;
  /** From the receiver's acceptance to the destination's 2xx. */
  latencyMs?: number;
  slaBreached: boolean;
  error?: { type: string; message: string };
}

export type RelayStatus = 'delivered' | 'partially_delivered' | 'failed' | 'no_subscribers';

export interface RelayEventResult {
  eventId: string;
  status: RelayStatus;
  destinations: DestinationResult[];
}

const planning = {
  startToCloseTimeout: '30s',
  retry: { initialInterval: '1s', maximumInterval: '1m', nonRetryableErrorTypes: PERMANENT_DELIVERY_FAILURES },
} as const;
const remote = proxyActivities<RelayActivities>(planning);
/**
 * resolveSubscriptions and mapEvent only read configuration and render a template in the
 * worker: as local activities they skip two task-queue round trips per event (and per
 * destination) — the largest cost on the event path (README, "Performance"). Their results
 * are still recorded in history (marker events), so the UI shows the exact request.
 */
const local = proxyLocalActivities<RelayActivities>(planning);
/** Runs started before local planning replay the activities they recorded. */
export const LOCAL_PLANNING_PATCH = 'local-resolve-and-map';

export async function relayEvent({ event }: RelayEventInput): Promise<RelayEventResult> {
  const { resolveSubscriptions, mapEvent } = patched(LOCAL_PLANNING_PATCH) ? local : remote;
  const plans = await resolveSubscriptions({ source: event.source, name: event.name });
  upsertSearchAttributes([{ key: Destinations, value: plans.map((p) => p.name) }]);
  if (plans.length === 0) {
    log.info('no destination subscribes to this event', { event: event.name, source: event.source });
    upsertSearchAttributes([{ key: DeliveryStatus, value: 'no_subscribers' }]);
    return { eventId: event.id, status: 'no_subscribers', destinations: [] };
  }
  upsertSearchAttributes([{ key: DeliveryStatus, value: 'delivering' }]);

  const enrichment = await enrichFor(event, plans);
  const results = await Promise.all(plans.map((plan) => deliverTo(plan, event, enrichment, mapEvent)));

  const delivered = results.filter((r) => r.status === 'delivered').length;
  const status: RelayStatus = delivered === results.length ? 'delivered' : delivered === 0 ? 'failed' : 'partially_delivered';
  upsertSearchAttributes([{ key: DeliveryStatus, value: status }]);
  return { eventId: event.id, status, destinations: results };
}

/** Union of what subscribed destinations ask for; each lookup once, retried within the shortest retry window. */
async function enrichFor(event: CanonicalEvent, plans: DestinationPlan[]): Promise<EnrichmentData> {
  const choices = plans.map((p) => p.enrichment);
  const sources = [...new Set(choices.flatMap((c) => (c.customerIdentifiers ? [c.customerIdentifiers] : [])))];
  const wants: EnrichmentWants = { pointsBalance: choices.some((c) => c.pointsBalance) };
  if (sources.length > 0) wants.customerIdentifierSources = sources;
  if (choices.some((c) => c.store)) wants.store = true;
  if (choices.some((c) => c.till)) wants.till = true;
  if (choices.some((c) => c.awardedReferenceId)) wants.awardedReferenceId = true;
  if (!Object.values(wants).some(Boolean)) return {};

  const wanting = plans.filter((p) => Object.values(p.enrichment).some(Boolean));
  const windowSeconds = Math.min(...wanting.map((p) => p.retryWindowSeconds));
  const { enrich } = proxyActivities<RelayActivities>({
    startToCloseTimeout: '30s',
    scheduleToCloseTimeout: `${windowSeconds}s`,
    retry: { initialInterval: '1s', maximumInterval: '5m' },
  });
  try {
    return await enrich({ event, wants });
  } catch (err) {
    if (isCancellation(err)) throw err;
    log.warn('enrichment failed; delivering without it', { error: String(err) });
    return { problems: [{ lookup: 'enrichment', message: failureMessage(err) }] };
  }
}

/** The requests to send, in order. Histories recorded before multi-request delivery (no patch marker) sent exactly one. */
function requestsOf(mapped: MappedEvent | LegacyMappedEvent): MappedRequest[] {
  const legacy = (m: LegacyMappedEvent): MappedRequest[] => [{ request: m.request, idempotencyKey: m.idempotencyKey }];
  if (!patched('multi-request-delivery')) return legacy(mapped as LegacyMappedEvent);
  return 'requests' in mapped ? mapped.requests : legacy(mapped);
}

async function deliverTo(
  plan: DestinationPlan,
  event: CanonicalEvent,
  enrichment: EnrichmentData,
  mapEvent: RelayActivities['mapEvent'],
): Promise<DestinationResult> {
  const { deliver } = proxyActivities<RelayActivities>({
    // One attempt may wait for a connection slot and send (timeoutSeconds), fetch an OAuth token
    // (10 s), and after a 401 refresh the token and send again.
    startToCloseTimeout: `${2 * plan.timeoutSeconds + 25}s`,
    // The activity stops retrying itself at the window (RetryWindowExhausted); this is the backstop.
    scheduleToCloseTimeout: `${plan.retryWindowSeconds + 15 * 60}s`,
    retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '10m', nonRetryableErrorTypes: PERMANENT_DELIVERY_FAILURES },
  });

  let slaBreached = false;
  const slaScope = new CancellationScope();
  const remainingMs = Date.parse(event.receivedAt) + plan.slaSeconds * 1000 - Date.now();
  slaScope
    .run(() => sleep(Math.max(1, remainingMs)))
    .then(() => {
      slaBreached = true;
      upsertSearchAttributes([{ key: SlaBreached, value: true }]);
      log.warn('delivery SLA breached; still delivering', { destination: plan.name, slaSeconds: plan.slaSeconds });
    })
    .catch((err: unknown) => {
      if (!isCancellation(err)) throw err;
    });

  let destinationVersion: string | undefined;
  try {
    // The version planned with: a destination changed since (or deleted) does not change this run.
    const mapped = await mapEvent({ destination: plan.name, version: plan.version, event, enrichment });
    destinationVersion = mapped.destinationVersion;
    const requests = requestsOf(mapped);
    // In order: a user sync (MoEngage customer API) must land before the event that refers to it.
    let receipt: { httpStatus: number; attempt: number } | undefined;
    for (const { request, idempotencyKey } of requests) {
      receipt = await deliver({
        destination: plan.name,
        destinationVersion,
        request,
        idempotencyKey,
        timeoutSeconds: plan.timeoutSeconds,
        retryWindowSeconds: plan.retryWindowSeconds,
      });
    }
    if (!receipt) throw ApplicationFailure.nonRetryable(`${plan.name} rendered no request`, FailureType.TemplateRenderFailed);
    return {
      destination: plan.name,
      destinationVersion,
      status: 'delivered',
      httpStatus: receipt.httpStatus,
      attempts: receipt.attempt,
      ...(requests.length > 1 ? { requests: requests.length } : {}),
      latencyMs: Date.now() - Date.parse(event.receivedAt),
      slaBreached,
    };
  } catch (err) {
    if (isCancellation(err)) throw err;
    const { type, details } = describeFailure(err);
    log.warn('delivery failed', { destination: plan.name, type, error: failureMessage(err) });
    return {
      destination: plan.name,
      destinationVersion,
      status: 'failed',
      ...(details?.httpStatus !== undefined ? { httpStatus: details.httpStatus } : {}),
      attempts: details?.attempt ?? 0,
      slaBreached,
      error: { type, message: failureMessage(err) },
    };
  } finally {
    slaScope.cancel();
  }
}

function describeFailure(err: unknown): { type: string; details?: DeliveryFailureDetails } {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  if (cause instanceof ApplicationFailure) {
    return { type: cause.type ?? 'ApplicationFailure', details: cause.details?.[0] as DeliveryFailureDetails | undefined };
  }
  if (cause instanceof TimeoutFailure) return { type: FailureType.RetryWindowExhausted };
  return { type: 'UnexpectedFailure' };
}

function failureMessage(err: unknown): string {
  const cause = err instanceof ActivityFailure && err.cause ? err.cause : err;
  return cause instanceof Error ? cause.message : String(cause);
}
