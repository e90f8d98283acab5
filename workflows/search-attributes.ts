/**
 * Custom search attributes: how ops find an event's run in the Temporal UI. Registered on
 * the dev server at start (src/temporal/dev-server.ts); a real cluster needs them created
 * once with `temporal operator search-attribute create` (see README).
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const EventName = defineSearchAttributeKey('RelayEventName', SearchAttributeType.KEYWORD);
export const EventSource = defineSearchAttributeKey('RelaySource', SearchAttributeType.KEYWORD);
export const CustomerId = defineSearchAttributeKey('RelayCustomerId', SearchAttributeType.KEYWORD);
/** pending → delivering → delivered | partially_delivered | failed | no_subscribers */
export const DeliveryStatus = defineSearchAttributeKey('RelayDeliveryStatus', SearchAttributeType.KEYWORD);
export const SlaBreached = defineSearchAttributeKey('RelaySlaBreached', SearchAttributeType.BOOL);
export const Destinations = defineSearchAttributeKey('RelayDestinations', SearchAttributeType.KEYWORD_LIST);

export const ALL_SEARCH_ATTRIBUTES = [EventName, EventSource, CustomerId, DeliveryStatus, SlaBreached, Destinations];
