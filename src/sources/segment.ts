/**
 * `segment`: Segment webhook (Destination Functions / Webhooks) messages of type `track`
 * and `identify`. `messageId` is the dedupe key; `identify` becomes a `user` event with its
 * traits, for user-sync destinations. Other message types are refused (422), not dropped.
 */
import { z } from 'zod';
import type { CanonicalEvent, CustomerIdentifiers } from '../model/canonical-event';
import { UnsupportedMessageTypeError } from '../http/inbound/errors';
import { idOf, parseOrReject, toInstant, type SingleSourceAdapter } from './adapter';

const idValue = z.union([z.string().min(1).max(256), z.number()]);
const record = z.record(z.string(), z.unknown());

const common = z.object({
  type: z.string(),
  messageId: z.string().min(1).max(256),
  userId: idValue.nullish(),
  anonymousId: idValue.nullish(),
  timestamp: z.union([z.string(), z.number()]).optional(),
  originalTimestamp: z.union([z.string(), z.number()]).optional(),
  context: z.object({ traits: record.optional() }).loose().optional(),
});

const track = common.extend({ type: z.literal('track'), event: z.string().min(1).max(256), properties: record.default({}) });
const identify = common.extend({ type: z.literal('identify'), traits: record.default({}) });

function identifiersOf(traits: Record<string, unknown> | undefined): CustomerIdentifiers {
  const out: CustomerIdentifiers = {};
  if (typeof traits?.email === 'string') out.email = traits.email;
  if (typeof traits?.phone === 'string') out.mobile = traits.phone;
  return out;
}

/** Only the message type, read first to pick the schema. */
const messageType = z.object({ type: z.string().min(1) }).loose();

export const segmentSource: SingleSourceAdapter = {
  kind: 'segment',
  nameFrom: '`event` of a `track` message; `identify` for an `identify` message (a user event)',
  normalize(body, ctx): CanonicalEvent {
    const head = parseOrReject(messageType, body);
    if (head.type !== 'track' && head.type !== 'identify') throw new UnsupportedMessageTypeError(head.type, 'segment');
    const msg = head.type === 'track' ? parseOrReject(track, body) : parseOrReject(identify, body);
    const userId = msg.userId != null ? idOf(msg.userId, 'userId') : undefined;
    if (userId === undefined && msg.anonymousId != null) idOf(msg.anonymousId, 'anonymousId');
    const time = msg.timestamp ?? msg.originalTimestamp;
    const timePath = msg.timestamp !== undefined ? 'timestamp' : 'originalTimestamp';
    const traits = msg.type === 'identify' ? msg.traits : msg.context?.traits;
    return {
      id: msg.messageId,
      source: ctx.sourceId,
      sourceKind: 'segment',
      name: msg.type === 'track' ? msg.event : 'identify',
      type: msg.type === 'identify' ? 'user' : 'track',
      ...(msg.type === 'identify' ? { traits: msg.traits } : {}),
      occurredAt: time === undefined ? ctx.receivedAt : toInstant(time, timePath, 'ms'),
      receivedAt: ctx.receivedAt,
      customer: { ...(userId !== undefined ? { id: userId } : {}), identifiers: identifiersOf(traits) },
      properties: msg.type === 'track' ? msg.properties : {},
    };
  },
};
