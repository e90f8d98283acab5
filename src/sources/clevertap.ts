/**
 * `clevertap`: CleverTap webhooks `{ target_id?, profiles: [{ Identity, objectId, email,
 * phone, ts, key_values, profileData }] }` — one event per profile, named by
 * `key_values.eventName` or the source's `eventName`. CleverTap gives no event id, so the id
 * is a hash of the profile entry (with the campaign's target_id).
 */
import { z } from 'zod';
import { CLEVERTAP_DEFAULT_EVENT_NAME } from '../model/source';
import type { CustomerIdentifiers } from '../model/canonical-event';
import { eachItem, hashId, idOf, parseOrReject, sourceOf, toInstant, type BatchSourceAdapter } from './adapter';

export const CLEVERTAP_MAX_PROFILES = 100;

const idValue = z.union([z.string().min(1).max(256), z.number()]);
const record = z.record(z.string(), z.unknown());

const envelope = z.object({
  target_id: z.union([z.string(), z.number()]).optional(),
  profiles: z.array(z.unknown()),
});

const profileSchema = z.object({
  Identity: idValue.optional(),
  identity: idValue.optional(),
  objectId: z.string().min(1).max(256).optional(),
  email: z.string().optional(),
  phone: z.union([z.string(), z.number()]).optional(),
  ts: z.union([z.number(), z.string()]).optional(),
  key_values: record.default({}),
  profileData: record.optional(),
});

export const clevertapSource: BatchSourceAdapter = {
  kind: 'clevertap',
  nameFrom: `each profile's \`key_values.eventName\`, else the source's \`eventName\` setting (default \`${CLEVERTAP_DEFAULT_EVENT_NAME}\`)`,
  batch: { maxEvents: CLEVERTAP_MAX_PROFILES },
  normalizeBatch(body, ctx) {
    const env = parseOrReject(envelope, body);
    const fixedName = sourceOf(ctx, 'clevertap').eventName;
    return eachItem(env.profiles, 'profiles', CLEVERTAP_MAX_PROFILES, (item) => {
      const p = parseOrReject(profileSchema, item);
      const identity = p.Identity ?? p.identity;
      const customerId = identity !== undefined ? idOf(identity, p.Identity !== undefined ? 'Identity' : 'identity') : p.objectId;
      const identifiers: CustomerIdentifiers = {};
      if (p.email !== undefined) identifiers.email = p.email;
      if (p.phone !== undefined) identifiers.mobile = idOf(p.phone, 'phone');
      const named = p.key_values.eventName;
      return {
        id: hashId({ target_id: env.target_id ?? null, profile: item }),
        source: ctx.sourceId,
        sourceKind: 'clevertap',
        name: typeof named === 'string' && named !== '' && named.length <= 256 ? named : fixedName,
        type: 'track',
        ...(p.profileData ? { traits: p.profileData } : {}),
        occurredAt: p.ts === undefined ? ctx.receivedAt : toInstant(p.ts, 'ts', 'auto'),
        receivedAt: ctx.receivedAt,
        customer: { ...(customerId !== undefined ? { id: customerId } : {}), identifiers },
        properties: p.key_values,
      };
    });
  },
};
