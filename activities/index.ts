/**
 * Activities of the relayEvent workflow, built from their dependencies so tests inject
 * local servers and production injects real clients. Failures are classified here, where
 * they are known: transient ones are thrown as retryable with the next delay (honouring
 * Retry-After), permanent ones as non-retryable with a stable type (src/failure-types.ts).
 */
import { createHash } from 'node:crypto';
import { Context, log } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { CanonicalEvent } from '../src/canonical-event';
import type { ConfigStore, DestinationPlan } from '../src/config/store';
import type { OutboundRequest, SendHeaders } from '../src/destinations/connector';
import { destinationConnectors } from '../src/destinations';
import { createCredentialProvider, TokenRequestError, type CredentialProvider } from '../src/destinations/credentials';
import { FailureType, type DeliveryFailureDetails } from '../src/failure-types';
import type { HttpClient, HttpResponse } from '../src/http/client';
import { BlockedAddressError } from '../src/http/outbound-guard';
import type { LoyaltyApi } from '../src/loyalty-api';
import { TemplateRenderError } from '../src/templates';
import { backoffDelayMs, parseRetryAfterMs } from './backoff';
import { enrichEvent, enrichmentFor, type EnrichmentData, type EnrichmentWants } from './enrich';

export type { EnrichmentData, EnrichmentWants } from './enrich';

export interface ActivityDeps {
  store: ConfigStore;
  http: HttpClient;
  /** Absent when LOYALTY_API_URL is not set: loyalty API lookups are then reported as problems. */
  loyaltyApi?: LoyaltyApi;
  /** OAuth token cache shared by every delivery of this worker; built from store + http when absent. */
  credentials?: CredentialProvider;
  backoff?: { initialMs: number; maxMs: number };
  random?: () => number;
  userAgent?: string;
}

export interface MapEventInput {
  destination: string;
  /**
   * The destination version the run planned with (absent in runs started before versions were
   * pinned; a content hash in runs planned on the file store: the store then uses the current one).
   */
  version?: string;
  event: CanonicalEvent;
  /** The event's enrichment (all destinations'); mapEvent keeps what this destination chose. */
  enrichment: EnrichmentData;
}

export interface MappedRequest {
  request: OutboundRequest;
  /** Sent as `webhook-id`: the same for every attempt at this event × destination × request. */
  idempotencyKey: string;
}

/** mapEvent's result: the destination's requests for this event, in order, without secrets. */
export interface MappedEvent {
  requests: MappedRequest[];
  destinationVersion: string;
}

/** What mapEvent returned before multi-request delivery; histories recorded then hold it. */
export interface LegacyMappedEvent {
  request: OutboundRequest;
  idempotencyKey: string;
  destinationVersion: string;
}

export interface DeliverInput {
  destination: string;
  /** The version mapEvent rendered with; its settings and secrets are used (absent or a file-store hash: current). */
  destinationVersion?: string;
  request: OutboundRequest;
  idempotencyKey: string;
  timeoutSeconds: number;
  retryWindowSeconds: number;
}

export interface DeliveryReceipt {
  httpStatus: number;
  attempt: number;
  durationMs: number;
}

/** Stable per event × destination (× request part), so receivers can dedupe retries. */
export function idempotencyKeyFor(event: CanonicalEvent, destination: string, part?: string): string {
  const digest = createHash('sha256')
    .update(`${event.source}\u0000${event.id}\u0000${destination}${part ? `\u0000${part}` : ''}`)
    .digest('base64url');
  return `msg_${digest.slice(0, 32)}`;
}

function blockedAddress(e: unknown): BlockedAddressError | undefined {
  for (let cur: unknown = e, depth = 0; cur instanceof Error && depth < 5; cur = cur.cause, depth++) {
    if (cur instanceof BlockedAddressError) return cur;
  }
  return undefined;
}

function failure(type: string, message: string, details: DeliveryFailureDetails, nonRetryable: boolean, nextRetryDelayMs?: number) {
  return ApplicationFailure.create({
    type,
    message,
    details: [details],
    nonRetryable,
    ...(nextRetryDelayMs !== undefined ? { nextRetryDelay: nextRetryDelayMs } : {}),
  });
}

export function createActivities(deps: ActivityDeps) {
  const backoff = deps.backoff ?? { initialMs: 1000, maxMs: 10 * 60_000 };
  const random = deps.random ?? Math.random;
  const userAgent = deps.userAgent ?? 'loyalty-relay/0.1';
  const credentials = deps.credentials ?? createCredentialProvider(deps.store, deps.http);

  async function destinationOrFail(name: string, version: string | undefined, attempt: number) {
    const destination = await deps.store.getDestination(name, version);
    const connector = destination && destinationConnectors[destination.kind];
    if (!destination || !connector) {
      const which = version === undefined ? `destination "${name}"` : `version ${version} of destination "${name}"`;
      throw failure(FailureType.DestinationNotFound, `${which} is not configured`, { attempt }, true);
    }
    return { destination, connector };
  }

  return {
    /** Enabled destinations subscribed to this event. */
    async resolveSubscriptions(event: { source: string; name: string }): Promise<DestinationPlan[]> {
      return deps.store.resolveSubscriptions(event);
    },

    /** Fetch each enrichment once per event, whatever number of destinations want it. */
    async enrich(input: { event: CanonicalEvent; wants: EnrichmentWants }): Promise<EnrichmentData> {
      return enrichEvent(input.event, input.wants, deps.loyaltyApi);
    },

    /** Render the destination's requests for this event (secret headers excluded). */
    async mapEvent(input: MapEventInput): Promise<MappedEvent> {
      const { destination, connector } = await destinationOrFail(input.destination, input.version, 1);
      try {
        const requests = connector.render({
          destination,
          event: input.event,
          enrichment: enrichmentFor(destination.enrichment, input.enrichment),
          nowMs: Date.now(),
        });
        return {
          requests: requests.map((request) => ({
            request,
            idempotencyKey: idempotencyKeyFor(input.event, destination.name, request.part),
          })),
          destinationVersion: destination.version,
        };
      } catch (e) {
        if (e instanceof TemplateRenderError) throw failure(FailureType.TemplateRenderFailed, e.message, { attempt: 1 }, true);
        throw e;
      }
    },

    /** One delivery attempt; the workflow's retry policy runs the next one after the delay we set. */
    async deliver(input: DeliverInput): Promise<DeliveryReceipt> {
      const info = Context.current().info;
      const attempt = info.attempt;
      const { destination, connector } = await destinationOrFail(input.destination, input.destinationVersion, attempt);
      // The version just resolved (not the input's, which may be absent or a file-store hash):
      // settings and secrets come from one version, and the store finds it in its cache.
      const secrets = await deps.store.getDestinationSecrets(destination.name, destination.version);

      const send = async (forceRefresh: boolean, rejected?: string): Promise<{ res: HttpResponse; auth: SendHeaders }> => {
        const auth = await connector.sendHeaders({
          destination,
          request: input.request,
          idempotencyKey: input.idempotencyKey,
          secrets,
          credentials,
          nowSeconds: Math.floor(Date.now() / 1000),
          forceRefresh,
          ...(rejected !== undefined ? { rejected } : {}),
        });
        const res = await deps.http.send({
          method: input.request.method,
          url: input.request.url,
          headers: { ...input.request.headers, 'user-agent': userAgent, 'webhook-id': input.idempotencyKey, ...auth.headers },
          body: input.request.body,
          timeoutMs: input.timeoutSeconds * 1000,
          pool: { key: destination.name, maxConnections: destination.maxConnections },
          restricted: true,
        });
        return { res, auth };
      };

      const started = Date.now();
      let status: number | undefined;
      let retryAfterMs: number | undefined;
      let problem: string;
      try {
        let { res, auth } = await send(false);
        if (res.status === 401 && auth.refreshable) {
          log.info('destination answered 401; refreshing the OAuth token and retrying once', { destination: destination.name });
          ({ res, auth } = await send(true, auth.headers.authorization));
        }
        status = res.status;
        const verdict = connector.classify(res.status);
        const snippet = res.body.slice(0, 500);
        if (verdict === 'delivered') return { httpStatus: res.status, attempt, durationMs: Date.now() - started };
        if (verdict === 'gone') {
          log.warn('destination answered 410 Gone', { destination: destination.name });
          throw failure(
            FailureType.DestinationGone,
            `${destination.name} answered 410 Gone`,
            { httpStatus: 410, attempt, responseSnippet: snippet },
            true,
          );
        }
        if (verdict === 'permanent') {
          throw failure(
            FailureType.DestinationRejected,
            `${destination.name} answered ${res.status}`,
            { httpStatus: res.status, attempt, responseSnippet: snippet },
            true,
          );
        }
        retryAfterMs = parseRetryAfterMs(res.headers['retry-after'], Date.now());
        problem = `${destination.name} answered ${res.status}`;
      } catch (e) {
        if (e instanceof ApplicationFailure) throw e;
        const blocked = blockedAddress(e);
        if (blocked) throw failure(FailureType.DestinationAddressRefused, `${destination.name}: ${blocked.message}`, { attempt }, true);
        if (e instanceof TokenRequestError && !e.retryable) {
          throw failure(FailureType.AuthenticationFailed, `${destination.name}: ${e.message}`, { attempt }, true);
        }
        problem = `${destination.name} unreachable: ${(e as Error).message}`;
      }

      const delayMs = Math.max(100, retryAfterMs ?? backoffDelayMs(attempt, backoff, random));
      const elapsedMs = Date.now() - info.scheduledTimestampMs;
      const details: DeliveryFailureDetails = { attempt, ...(status !== undefined ? { httpStatus: status } : {}) };
      if (elapsedMs + delayMs > input.retryWindowSeconds * 1000) {
        throw failure(
          FailureType.RetryWindowExhausted,
          `${problem}; retry window of ${input.retryWindowSeconds}s exhausted after ${attempt} attempts`,
          details,
          true,
        );
      }
      throw failure(FailureType.DestinationUnavailable, problem, details, false, delayMs);
    },
  };
}

export type RelayActivities = ReturnType<typeof createActivities>;
