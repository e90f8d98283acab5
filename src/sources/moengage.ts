/**
 * `moengage`: MoEngage Streams batches `{ app_name, source, moe_request_id, events: [...] }`,
 * up to 100 events. MoEngage resends the whole batch on any non-2xx, so every event is
 * accepted or refused on its own (`event_uuid` is its id) and a resend yields duplicates.
 */
import { z } from 'zod';
import type { CustomerIdentifiers } from '../model/canonical-event';
import { eachItem, hashId, idOf, parseOrReject, toInstant, type BatchSourceAdapter } from './adapter';
import { isObject } from '../model/is-object';

export const MOENGAGE_MAX_EVENTS = 100;

const record = z.record(z.string(), z.unknown());

const envelope = z.object({
  app_name: z.string().optional(),
  source: z.string().optional(),
  moe_request_id: z.string().optional(),
  events: z.array(z.unknown()),
});

const eventSchema = z.object({
  event_name: z.string().min(1).max(256),
  event_code: z.string().optional(),
  event_uuid: z.string().min(1).max(256).optional(),
  event_time: z.union([z.number(), z.string()]),
  uid: z.union([z.string().min(1).max(256), z.number()]).nullish(),
  event_attributes: record.default({}),
  user_attributes: record.optional(),
  device_attributes: record.optional(),
});

function identifiersOf(attrs: Record<string, unknown> | undefined): CustomerIdentifiers {
  const out: CustomerIdentifiers = {};
  const email = attrs?.email ?? attrs?.moe_email;
  const mobile = attrs?.mobile ?? attrs?.moe_mobile;
  if (typeof email === 'string') out.email = email;
  if (typeof mobile === 'string' || typeof mobile === 'number') out.mobile = String(mobile);
  return out;
}

export const moengageSource: BatchSourceAdapter = {
  kind: 'moengage',
  nameFrom: '`event_name` of each event in the batch',
  batch: { maxEvents: MOENGAGE_MAX_EVENTS },
  normalizeBatch(body, ctx) {
    const env = parseOrReject(envelope, body);
    return eachItem(env.events, 'events', MOENGAGE_MAX_EVENTS, (item) => {
      const e = parseOrReject(eventSchema, item);
      const uid = e.uid != null ? idOf(e.uid, 'uid') : undefined;
      return {
        id: e.event_uuid ?? hashId(item),
        source: ctx.sourceId,
        sourceKind: 'moengage',
        name: e.event_name,
        type: 'track',
        ...(isObject(e.user_attributes) ? { traits: e.user_attributes } : {}),
        occurredAt: toInstant(e.event_time, 'event_time', 's'),
        receivedAt: ctx.receivedAt,
        customer: { ...(uid !== undefined ? { id: uid } : {}), identifiers: identifiersOf(e.user_attributes) },
        properties: e.event_attributes,
      };
    });
  },
};
