/**
 * Custom search attributes: how ops find an event's run in the Temporal UI. Registered on
 * the dev server at start (src/temporal/dev-server.ts); a real cluster needs them created
 * once with `temporal operator search-attribute create` (npm run register-search-attributes).
 * None holds PII beyond the customer id.
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const EventName = defineSearchAttributeKey('RelayEventName', SearchAttributeType.KEYWORD);
export const EventSource = defineSearchAttributeKey('RelaySource', SearchAttributeType.KEYWORD);
export const CustomerId = defineSearchAttributeKey('RelayCustomerId', SearchAttributeType.KEYWORD);
/**
 * pending (accepted) → delivered | no_subscribers, or → retrying | held → delivered, or parked
 * as failed | partially_delivered → delivered (redelivered) | abandoned. See README, "Reading a run".
 */
export const DeliveryStatus = defineSearchAttributeKey('RelayDeliveryStatus', SearchAttributeType.KEYWORD);
export const SlaBreached = defineSearchAttributeKey('RelaySlaBreached', SearchAttributeType.BOOL);
/** Every destination the run planned. */
export const Destinations = defineSearchAttributeKey('RelayDestinations', SearchAttributeType.KEYWORD_LIST);
/** Destinations whose delivery failed and has not been redelivered: what a parked run waits on. */
export const FailedDestinations = defineSearchAttributeKey('RelayFailedDestinations', SearchAttributeType.KEYWORD_LIST);
/** Destinations whose delivery waits for them to resume: what `resume` signals. */
export const HeldDestinations = defineSearchAttributeKey('RelayHeldDestinations', SearchAttributeType.KEYWORD_LIST);

export const ALL_SEARCH_ATTRIBUTES = [
  EventName,
  EventSource,
  CustomerId,
  DeliveryStatus,
  SlaBreached,
  Destinations,
  FailedDestinations,
  HeldDestinations,
];
