/**
 * The one shape every source adapter produces and every workflow consumes.
 * Kept free of Node APIs: workflows import its types.
 */

export interface CustomerIdentifiers {
  mobile?: string;
  email?: string;
  externalId?: string;
  cardNumbers?: string[];
}

export interface CanonicalEvent {
  /** The sender's own event id, or a stable hash of the body when it has none. */
  id: string;
  /** Source instance id (from the configuration), not the kind. */
  source: string;
  /** Source kind, e.g. `capillary` or `server`. */
  sourceKind: string;
  /** Event name as the sender spells it (case-sensitive), e.g. `pointsIssued`. */
  name: string;
  /**
   * `track`: something the customer did (points issued, tier upgraded…).
   * `user`: the customer's profile was created or changed (Capillary customerAdded /
   * customerUpdated, Segment identify) — what user-sync destinations receive.
   */
  type: 'track' | 'user';
  /** Profile attributes of a `user` event. */
  traits?: Record<string, unknown>;
  /** ISO 8601: when the event happened, per the sender. */
  occurredAt: string;
  /** ISO 8601: when the receiver accepted it. */
  receivedAt: string;
  customer: {
    id?: string;
    identifiers: CustomerIdentifiers;
  };
  /** Event-specific fields (Capillary's `data`, the server format's `event_properties`). */
  properties: Record<string, unknown>;
  /**
   * Relay hops before this one: the inbound request's `x-loyalty-relay-hops` header (absent = 0,
   * and then left out). Every delivery sends this + 1, and the receiver refuses requests at
   * RELAY_MAX_HOPS, so a destination pointing back at a relay cannot loop forever. Not rendered
   * by mapEvent: deliver sets the header at send time.
   */
  hops?: number;
}

/** The header carrying the hop count between relays (see `CanonicalEvent.hops`). */
export const HOPS_HEADER = 'x-loyalty-relay-hops';

/** The Temporal workflow id of an event: one per source and event id, so a resend is a duplicate. */
export function workflowIdFor(source: string, eventId: string): string {
  return `relay:${source}:${eventId}`;
}
