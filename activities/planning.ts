/**
 * Planning activities: who subscribes, where a destination stands now, and the requests a
 * destination gets for an event. They only read configuration and render templates, so the
 * workflow runs them as local activities inside its first workflow task.
 */
import { createHash } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import type { CanonicalEvent } from '../src/model/canonical-event';
import type { ConfigStore } from '../src/config/store';
import type { DestinationPlan, DestinationState } from '../src/model/destination';
import { destinationConnectors } from '../src/destinations';
import { FailureType } from '../src/model/failure-types';
import { TemplateRenderError } from '../src/destinations/templates';
import { enrichmentFor } from './enrich';
import { deliveryFailure } from './failure';
import type { MapEventInput, MappedEvent } from './types';

/** Stable per event × destination (× request part), so receivers can dedupe retries and redeliveries. */
export function idempotencyKeyFor(event: CanonicalEvent, destination: string, part?: string): string {
  const digest = createHash('sha256')
    .update(`${event.source}\u0000${event.id}\u0000${destination}${part ? `\u0000${part}` : ''}`)
    .digest('base64url');
  return `msg_${digest.slice(0, 32)}`;
}

/** The destination at `version` (current when absent) with its connector, or a DestinationNotFound failure. */
export async function destinationOrFail(store: ConfigStore, name: string, version: string | undefined, attempt: number) {
  const destination = await store.getDestination(name, version);
  const connector = destination && destinationConnectors[destination.kind];
  if (!destination || !connector) {
    const which = version === undefined ? `destination "${name}"` : `version ${version} of destination "${name}"`;
    throw deliveryFailure(FailureType.DestinationNotFound, `${which} is not configured`, { attempt }, true);
  }
  return { destination, connector };
}

/**
 * SQLSTATE classes of store errors that depend on the statement's input, so the same lookup
 * fails the same way every time: 22 data exception (22021 a NUL byte in text, 22P02 invalid
 * input syntax…), 54 program limit exceeded. Everything else — connection trouble (08, 57P,
 * 53, 55000), unknown errors, bugs fixed by a deploy — stays retryable.
 */
const PERMANENT_SQLSTATE = /^(22|54)[0-9A-Z]{3}$/;

/** A store error as the plan step's failure: non-retryable PlanningFailed when retrying cannot help, else unchanged. */
export function planningFailure(err: unknown, event: { source: string; name: string }): unknown {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code !== 'string' || !PERMANENT_SQLSTATE.test(code)) return err;
  const detail = err instanceof Error ? err.message : String(err);
  return ApplicationFailure.nonRetryable(
    `planning failed: the configuration store refused the subscription lookup for event ${JSON.stringify(event.name)} of source ${JSON.stringify(event.source)} (SQLSTATE ${code}: ${detail}); retrying cannot succeed`,
    FailureType.PlanningFailed,
  );
}

export function createPlanningActivities(store: ConfigStore) {
  return {
    /** Enabled destinations subscribed to this event (paused ones flagged: their deliveries are held). */
    async resolveSubscriptions(event: { source: string; name: string }): Promise<DestinationPlan[]> {
      try {
        return await store.resolveSubscriptions(event);
      } catch (e) {
        throw planningFailure(e, event);
      }
    },

    /** One destination's current plan, for a redelivery (which renders with the destination as it is now). */
    async planDestination(name: string): Promise<DestinationPlan | null> {
      return (await store.planDestination(name)) ?? null;
    },

    /** Where a destination stands now: what a held delivery checks when it is woken. */
    async destinationState(name: string): Promise<DestinationState> {
      return store.destinationState(name);
    },

    /** Render the destination's requests for this event (secret headers excluded). */
    async mapEvent(input: MapEventInput): Promise<MappedEvent> {
      const { destination, connector } = await destinationOrFail(store, input.destination, input.version, 1);
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
        // Rendering depends only on the planned version, the event and its enrichment: what failed
        // once fails on every retry, so any error here ends the delivery (never a retry loop).
        const message = e instanceof TemplateRenderError ? e.message : `cannot render the request: ${(e as Error)?.message ?? String(e)}`;
        throw deliveryFailure(FailureType.TemplateRenderFailed, message, { attempt: 1 }, true);
      }
    },
  };
}
