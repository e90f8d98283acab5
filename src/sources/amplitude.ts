/**
 * `amplitude`: Amplitude event-streaming webhooks, whose body the sender templates over
 * `event_type`, `user_id`, `time` / `event_time`, `event_properties`, `user_properties`.
 * `insert_id` (else `uuid`, else a hash of the body) is the id; `$identify` is a user event.
 */
import { z } from 'zod';
import { SchemaViolationError } from '../http/inbound/errors';
import { hashId, idOf, parseOrReject, toInstant, type SingleSourceAdapter } from './adapter';

const idValue = z.union([z.string().min(1).max(256), z.number()]);
const record = z.record(z.string(), z.unknown());

const schema = z.object({
  event_type: z.string().min(1).max(256),
  user_id: idValue.nullish(),
  device_id: idValue.nullish(),
  insert_id: z.string().min(1).max(256).nullish(),
  uuid: z.string().min(1).max(256).nullish(),
  time: z.union([z.number(), z.string()]).optional(),
  event_time: z.string().optional(),
  event_properties: record.default({}),
  user_properties: record.optional(),
});

/** Amplitude writes `event_time` as UTC without a zone: `2024-06-10 06:13:20.250000`. */
const AMPLITUDE_TIME = /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(\.\d+)?$/;

export const amplitudeSource: SingleSourceAdapter = {
  kind: 'amplitude',
  nameFrom: '`event_type`; `$identify` is a user event',
  normalize(body, ctx) {
    const e = parseOrReject(schema, body);
    if (e.user_id == null && e.device_id == null) {
      throw new SchemaViolationError([{ path: 'user_id', message: 'user_id or device_id is required' }]);
    }
    const userId = e.user_id != null ? idOf(e.user_id, 'user_id') : undefined;
    if (e.device_id != null) idOf(e.device_id, 'device_id');
    let occurredAt = ctx.receivedAt;
    if (e.time !== undefined) occurredAt = toInstant(e.time, 'time', 'ms');
    else if (e.event_time !== undefined) {
      occurredAt = toInstant(AMPLITUDE_TIME.test(e.event_time) ? `${e.event_time}Z` : e.event_time, 'event_time');
    }
    const isIdentify = e.event_type === '$identify';
    return {
      id: e.insert_id ?? e.uuid ?? hashId(body),
      source: ctx.sourceId,
      sourceKind: 'amplitude',
      name: e.event_type,
      type: isIdentify ? 'user' : 'track',
      ...(e.user_properties ? { traits: e.user_properties } : {}),
      occurredAt,
      receivedAt: ctx.receivedAt,
      customer: { ...(userId !== undefined ? { id: userId } : {}), identifiers: {} },
      properties: e.event_properties,
    };
  },
};
