/**
 * `server`: the generic server-to-server format (`event_id`, `event_name`,
 * `event_properties`, `timestamp`, `user_id`, all required). Unlike the platform that made
 * the format popular, a missing field is a 422 here, not a silent drop.
 */
import { z } from 'zod';
import { parseOrReject, toInstant, type SingleSourceAdapter } from './adapter';

const serverEventSchema = z.object({
  event_id: z.string().min(1).max(256),
  event_name: z.string().min(1).max(256),
  event_properties: z.record(z.string(), z.unknown()),
  timestamp: z.string(),
  user_id: z.string().min(1).max(256),
});

export const serverSource: SingleSourceAdapter = {
  kind: 'server',
  nameFrom: '`event_name`: any name the sender chooses (1–256 characters); there is no standard list',
  normalize(body, ctx) {
    const e = parseOrReject(serverEventSchema, body);
    return {
      id: e.event_id,
      source: ctx.sourceId,
      sourceKind: 'server',
      name: e.event_name,
      type: 'track',
      occurredAt: toInstant(e.timestamp, 'timestamp'),
      receivedAt: ctx.receivedAt,
      customer: { id: e.user_id, identifiers: {} },
      properties: e.event_properties,
    };
  },
};
