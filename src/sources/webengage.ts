/**
 * `webengage`: WebEngage webhooks `{ event_name, event_time, license_code, user_id,
 * event_data }`. The id is the `x-request-id` header (a hash of the body without one).
 * WebEngage counts only 200 as success, so a new event is answered 200, not 202.
 */
import { z } from 'zod';
import { SchemaViolationError } from '../http/inbound/errors';
import { hashId, headerOf, idOf, parseOrReject, toInstant, type SingleSourceAdapter } from './adapter';

const schema = z.object({
  event_name: z.string().min(1).max(256),
  event_time: z.union([z.string(), z.number()]),
  license_code: z.string().min(1).max(256),
  user_id: z.union([z.string().min(1).max(256), z.number()]).nullish(),
  event_data: z.record(z.string(), z.unknown()).default({}),
});

const REQUEST_ID = /^[\x21-\x7E]{1,256}$/;

export const webengageSource: SingleSourceAdapter = {
  kind: 'webengage',
  nameFrom: '`event_name`: the WebEngage event name',
  acceptedStatus: 200,
  normalize(body, ctx) {
    const e = parseOrReject(schema, body);
    const auth = ctx.source?.auth;
    if (auth?.type === 'webengage' && e.license_code !== auth.licenseCode) {
      throw new SchemaViolationError([{ path: 'license_code', message: "does not match this source's license code" }]);
    }
    const requestId = headerOf(ctx, 'x-request-id');
    const userId = e.user_id != null ? idOf(e.user_id, 'user_id') : undefined;
    return {
      id: requestId && REQUEST_ID.test(requestId) ? requestId : hashId(body),
      source: ctx.sourceId,
      sourceKind: 'webengage',
      name: e.event_name,
      type: 'track',
      occurredAt: toInstant(e.event_time, 'event_time', 'auto'),
      receivedAt: ctx.receivedAt,
      customer: { ...(userId !== undefined ? { id: userId } : {}), identifiers: {} },
      properties: e.event_data,
    };
  },
};
