/**
 * `capillary`: Capillary Event Notification Service payloads, in both envelopes the
 * platform documents — flat `{ eventName, eventId, createdAt, data }` and wrapped
 * `{ eventId, eventType, attributes: { eventName, createdAt, data } }`. `eventId` is the
 * dedupe key: Capillary resends on timeouts and retries 5xx for days.
 */
import { z } from 'zod';
import type { CustomerIdentifiers } from '../canonical-event';
import { SchemaViolationError, UnknownEventError } from '../errors';
import type { SourceAdapter } from './adapter';
import { parseOrReject } from './adapter';

export const CAPILLARY_EVENTS = [
  'rewardIssued',
  'streakCustomerUnEnrolment',
  'issueRewardFailure',
  'notInterestedBillAdded',
  'groupUpdated',
  'promisedToCurrentPointsConversion',
  'pointsTransferredReceived',
  'groupCreated',
  'partnerProgramUpdated',
  'pointsIssued',
  'supplementaryMembershipExpiryReminder',
  'targetCustomerEnrolment',
  'unifiedTargetsUnAchieved',
  'partnerProgramDelinked',
  'badgeEarned',
  'cartPromotionIssued',
  'rewardCreated',
  'manualPointsAdjustment',
  'redeemedPointsReversed',
  'cartPromotionEarned',
  'tierDowngraded',
  'pointsTransferredInitiated',
  'tierUpgraded',
  'loyaltyCustomerMerge',
  'partnerProgramLinked',
  'requestUpdated',
  'promotionIssued',
  'targetPeriodStarted',
  'pointsExpiryChange',
  'pointsExpired',
  'unifiedTargetsAchieved',
  'rewardUpdated',
  'transactionUpdated',
  'customerAdded',
  'groupMemberRemoved',
  'targetValueAchieved',
  'singlePointsExpiryUpdated',
  'alternateCurrenciesIssued',
  'transactionRejected',
  'tierDowngradeReminder',
  'issuedPointsReversed',
  'groupMemberAdded',
  'pointsContributionToGroup',
  'streakLevelUnAchieved',
  'CouponRedeem',
  'promotionEarned',
  'retroBillAdded',
  'pointsExpiryReminder',
  'pointsRedeemed',
  'cartPromotionRevoked',
  'transactionAdded',
  'rejectedTransactionRetrigger',
  'streakCustomerEnrolment',
  'CouponIssue',
  'IssueBulkCoupon',
  'tierRenewed',
  'streakLevelAchieved',
  'cardUpdated',
  'targetAchievedValueUpdated',
  'cartPromotionRedeemed',
  'targetValueUpdated',
  'customerUpdated',
  'issuedAlternateCurrenciesReversed',
  'requestWorkflowEvent',
  'targetPeriodCompleted',
] as const;

const CATALOG = new Set<string>(CAPILLARY_EVENTS);
/** Profile changes: user events for user-sync destinations. */
const USER_EVENTS = new Set(['customerAdded', 'customerUpdated']);

/** epoch milliseconds (within the range a Date can hold), or an ISO 8601 string */
const instant = z.union([z.number().int().nonnegative().max(8.64e15), z.iso.datetime({ offset: true })]);

const inner = z.object({
  eventName: z.string().min(1).optional(),
  createdAt: instant.optional(),
  refId: z.unknown().optional(),
  apiRequestId: z.unknown().optional(),
  orgId: z.union([z.number(), z.string()]).optional(),
  data: z.record(z.string(), z.unknown()),
});

const envelope = z.object({
  eventId: z.string().min(1).max(256),
  eventType: z.string().min(1).optional(),
  eventName: z.string().min(1).optional(),
  timeStamp: instant.optional(),
  createdAt: instant.optional(),
  attributes: inner.optional(),
  data: z.record(z.string(), z.unknown()).optional(),
});

const instoreSchema = z
  .object({
    mobile: z.union([z.string(), z.number()]).optional(),
    email: z.string().optional(),
    externalId: z.union([z.string(), z.number()]).optional(),
    cardNumbers: z.array(z.union([z.string(), z.object({ cardNumber: z.string() }).loose()])).optional(),
  })
  .loose();

const customerIdentifiersSchema = z
  .object({
    customerId: z.union([z.number().int(), z.string().min(1)]).optional(),
    instore: instoreSchema.optional(),
  })
  .loose();

/** Per-event fields Capillary documents as always present. */
const perEvent: Record<string, z.ZodType> = {
  pointsExpired: z
    .object({
      customerIdentifiers: customerIdentifiersSchema,
      loyaltyProgramId: z.number().int(),
      pointsExpired: z.number(),
    })
    .loose(),
};

function toIso(value: number | string | undefined, fallback: string): string {
  if (value === undefined) return fallback;
  return new Date(value).toISOString();
}

function identifiersOf(ci: z.infer<typeof customerIdentifiersSchema> | undefined): CustomerIdentifiers {
  const instore = ci?.instore;
  if (!instore) return {};
  const out: CustomerIdentifiers = {};
  if (instore.mobile !== undefined) out.mobile = String(instore.mobile);
  if (instore.email !== undefined) out.email = instore.email;
  if (instore.externalId !== undefined) out.externalId = String(instore.externalId);
  if (instore.cardNumbers) out.cardNumbers = instore.cardNumbers.map((c) => (typeof c === 'string' ? c : c.cardNumber));
  return out;
}

export const capillarySource: SourceAdapter = {
  kind: 'capillary',
  catalog: CAPILLARY_EVENTS,
  normalize(body, ctx) {
    const env = parseOrReject(envelope, body);
    const attrs = env.attributes;
    const data = attrs?.data ?? env.data;
    if (!data) {
      throw new SchemaViolationError([{ path: 'data', message: 'required (or attributes.data in the wrapped envelope)' }]);
    }
    const name = attrs?.eventName ?? env.eventName ?? env.eventType?.replace(/^\d+_/, '');
    if (!name) throw new SchemaViolationError([{ path: 'eventName', message: 'required (or eventType in the wrapped envelope)' }]);
    if (!CATALOG.has(name)) throw new UnknownEventError(name, 'capillary');

    const specific = perEvent[name];
    if (specific) {
      const r = specific.safeParse(data);
      if (!r.success) {
        const prefix = attrs ? 'attributes.data' : 'data';
        throw new SchemaViolationError(
          r.error.issues.map((i) => ({ path: [prefix, ...i.path.map(String)].join('.'), message: i.message })),
          `${name} requires fields that are missing or invalid`,
        );
      }
    }
    const ciParse = customerIdentifiersSchema.safeParse(data.customerIdentifiers);
    if (data.customerIdentifiers !== undefined && !ciParse.success) {
      throw new SchemaViolationError(
        ciParse.error.issues.map((i) => ({
          path: [attrs ? 'attributes.data' : 'data', 'customerIdentifiers', ...i.path.map(String)].join('.'),
          message: i.message,
        })),
      );
    }
    const ci = ciParse.success ? ciParse.data : undefined;
    return {
      id: env.eventId,
      source: ctx.sourceId,
      sourceKind: 'capillary',
      name,
      type: USER_EVENTS.has(name) ? 'user' : 'track',
      occurredAt: toIso(attrs?.createdAt ?? env.createdAt ?? env.timeStamp, ctx.receivedAt),
      receivedAt: ctx.receivedAt,
      customer: {
        ...(ci?.customerId !== undefined ? { id: String(ci.customerId) } : {}),
        identifiers: identifiersOf(ci),
      },
      properties: data,
    };
  },
};
