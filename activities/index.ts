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
import type { ConfigStore, DestinationPlan, EnrichmentChoices } from '../src/config/store';
import { classifyStatus, type OutboundRequest } from '../src/destinations/connector';
import { destinationConnectors } from '../src/destinations';
import type { Enrichment } from '../src/enrichment';
import { FailureType, type DeliveryFailureDetails } from '../src/failure-types';
import type { HttpClient } from '../src/http/client';
import { LoyaltyApiUnavailableError, type CustomerLookupKey, type LoyaltyApi } from '../src/loyalty-api';
import { TemplateRenderError } from '../src/templates';
import { backoffDelayMs, parseRetryAfterMs } from './backoff';

export interface ActivityDeps {
  store: ConfigStore;
  http: HttpClient;
  /** Absent when LOYALTY_API_URL is not set: balance lookups are then reported as problems. */
  loyaltyApi?: LoyaltyApi;
  backoff?: { initialMs: number; maxMs: number };
  random?: () => number;
  userAgent?: string;
}

export interface MapEventInput {
  destination: string;
  event: CanonicalEvent;
  enrichment: Enrichment;
}

export interface MappedRequest {
  request: OutboundRequest;
  /** Sent as `webhook-id`: the same for every attempt at this event × destination. */
  idempotencyKey: string;
  destinationVersion: string;
}

export interface DeliverInput {
  destination: string;
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

function lookupKeyOf(event: CanonicalEvent): CustomerLookupKey | undefined {
  const ids = event.customer.identifiers;
  if (ids.mobile) return { name: 'mobile', value: ids.mobile };
  if (ids.email) return { name: 'email', value: ids.email };
  if (ids.externalId) return { name: 'externalId', value: ids.externalId };
  if (event.customer.id) return { name: 'id', value: event.customer.id };
  return undefined;
}

export function idempotencyKeyFor(event: CanonicalEvent, destination: string): string {
  const digest = createHash('sha256').update(`${event.source}\u0000${event.id}\u0000${destination}`).digest('base64url');
  return `msg_${digest.slice(0, 32)}`;
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

  return {
    /** Enabled destinations subscribed to this event. */
    async resolveSubscriptions(event: { source: string; name: string }): Promise<DestinationPlan[]> {
      return deps.store.resolveSubscriptions(event);
    },

    /** Fetch each enrichment once per event, whatever number of destinations want it. */
    async enrich(input: { event: CanonicalEvent; wants: EnrichmentChoices }): Promise<Enrichment> {
      const out: Enrichment = {};
      const problems: NonNullable<Enrichment['problems']> = [];
      if (input.wants.pointsBalance) {
        const key = lookupKeyOf(input.event);
        if (!deps.loyaltyApi) {
          problems.push({ lookup: 'pointsBalance', message: 'LOYALTY_API_URL is not configured' });
        } else if (!key) {
          problems.push({ lookup: 'pointsBalance', message: 'the event has no customer identifier to look up' });
        } else {
          try {
            out.pointsBalance = await deps.loyaltyApi.pointsBalance(key);
          } catch (e) {
            if (e instanceof LoyaltyApiUnavailableError) {
              throw ApplicationFailure.create({ type: FailureType.LoyaltyApiUnavailable, message: e.message });
            }
            problems.push({ lookup: 'pointsBalance', message: (e as Error).message });
          }
        }
      }
      if (problems.length > 0) out.problems = problems;
      return out;
    },

    /** Render the destination's request for this event (secret headers excluded). */
    async mapEvent(input: MapEventInput): Promise<MappedRequest> {
      const destination = await deps.store.getDestination(input.destination);
      if (!destination) {
        throw failure(FailureType.DestinationNotFound, `destination "${input.destination}" is not configured`, { attempt: 1 }, true);
      }
      try {
        const request = destinationConnectors[destination.kind].render({ destination, event: input.event, enrichment: input.enrichment });
        return { request, idempotencyKey: idempotencyKeyFor(input.event, destination.name), destinationVersion: destination.version };
      } catch (e) {
        if (e instanceof TemplateRenderError) throw failure(FailureType.TemplateRenderFailed, e.message, { attempt: 1 }, true);
        throw e;
      }
    },

    /** One delivery attempt; the workflow's retry policy runs the next one after the delay we set. */
    async deliver(input: DeliverInput): Promise<DeliveryReceipt> {
      const info = Context.current().info;
      const attempt = info.attempt;
      const destination = await deps.store.getDestination(input.destination);
      if (!destination) {
        throw failure(FailureType.DestinationNotFound, `destination "${input.destination}" is not configured`, { attempt }, true);
      }
      const secrets = await deps.store.getDestinationSecrets(destination.name);
      const headers: Record<string, string> = {
        ...input.request.headers,
        'user-agent': userAgent,
        'webhook-id': input.idempotencyKey,
      };
      for (const [key, value] of Object.entries(secrets)) headers[key.toLowerCase()] = value;

      const started = Date.now();
      let status: number | undefined;
      let retryAfterMs: number | undefined;
      let problem: string;
      try {
        const res = await deps.http.send({
          method: input.request.method,
          url: input.request.url,
          headers,
          body: input.request.body,
          timeoutMs: input.timeoutSeconds * 1000,
          pool: { key: destination.name, maxConnections: destination.maxConnections },
        });
        status = res.status;
        const verdict = classifyStatus(res.status);
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
