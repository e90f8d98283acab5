/**
 * `capillary`: Capillary Event Notification Service payloads, in both envelopes the
 * platform documents — flat `{ eventName, eventId, createdAt, data }` and wrapped
 * `{ eventId, eventType, attributes: { eventName, createdAt, data } }`. `eventId` is the
 * dedupe key: Capillary resends on timeouts and retries 5xx for days.
 */
import { z } from 'zod';
import type { CustomerIdentifiers } from '../model/canonical-event';
import { SchemaViolationError, UnknownEventError } from '../http/inbound/errors';
import { zodIssues } from '../model/field-issue';
import { idOf, parseOrReject, toInstant, type SingleSourceAdapter } from './adapter';

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

/** epoch milliseconds or ISO 8601; checked by toInstant (code invalid_timestamp) */
const instant = z.union([z.number(), z.string()]);

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
  refId: z.unknown().optional(),
  orgId: z.union([z.number(), z.string()]).optional(),
  attributes: inner.optional(),
  data: z.record(z.string(), z.unknown()).optional(),
});

/**
 * `properties` is Capillary's `data`, plus the envelope's `refId` (the bill or transaction that
 * awarded the points: the "awarded reference id" enrichment) and `orgId` when `data` lacks them.
 */
function propertiesOf(data: Record<string, unknown>, refId: unknown, orgId: unknown): Record<string, unknown> {
  const out = { ...data };
  if (out.refId === undefined && (typeof refId === 'string' || typeof refId === 'number')) out.refId = refId;
  if (out.orgId === undefined && orgId !== undefined) out.orgId = orgId;
  return out;
}

const identifierValue = z.union([z.string(), z.number()]);

const instoreSchema = z
  .object({
    mobile: identifierValue.optional(),
    email: z.string().optional(),
    externalId: identifierValue.optional(),
    cardNumbers: z.array(z.union([z.string(), z.object({ cardNumber: z.string() }).loose()])).optional(),
  })
  .loose();

const customerIdentifiersSchema = z
  .object({
    customerId: z.union([z.number(), z.string().min(1).max(256)]).optional(),
    instore: instoreSchema.optional(),
  })
  .loose();

const codeName = z.object({ code: z.string().optional(), name: z.string().optional() }).loose();

/** What caused the event, with the till and store it was entered at (enrichment the platform includes). */
const triggeringActivitySchema = z
  .object({
    name: z.string().optional(),
    identifiers: z.array(z.object({ key: z.string(), value: z.unknown() }).loose()).optional(),
    enteredBy: z
      .object({
        id: identifierValue.optional(),
        till: codeName.optional(),
        store: codeName.extend({ externalId: identifierValue.optional() }).optional(),
      })
      .loose()
      .optional(),
  })
  .loose();

/** Fields every event's `data` may carry; typed when present. */
const commonData = z
  .object({
    customerIdentifiers: customerIdentifiersSchema.optional(),
    triggeringActivity: triggeringActivitySchema.optional(),
  })
  .loose();

const int = z.number().int();
const num = z.number();

/** Per-event fields Capillary documents: typed when present, required where the platform always sends them. */
const perEvent: Record<string, z.ZodType> = {
  pointsIssued: z
    .object({ loyaltyProgramId: int.optional(), programCurrentPoints: num.optional(), totalPointsIssued: num.optional() })
    .loose(),
  pointsRedeemed: z.object({ totalPointsRedeemed: num.optional(), redemptionSummaryId: z.union([int, z.string()]).optional() }).loose(),
  pointsExpired: z.object({ customerIdentifiers: customerIdentifiersSchema, loyaltyProgramId: int, pointsExpired: num }).loose(),
  tierUpgraded: z.object({ previousTierNumber: int.optional(), upgradedTierNumber: int.optional() }).loose(),
};

function identifiersOf(ci: z.infer<typeof customerIdentifiersSchema> | undefined, at: string): CustomerIdentifiers {
  const instore = ci?.instore;
  if (!instore) return {};
  const out: CustomerIdentifiers = {};
  if (instore.mobile !== undefined) out.mobile = idOf(instore.mobile, `${at}.instore.mobile`);
  if (instore.email !== undefined) out.email = instore.email;
  if (instore.externalId !== undefined) out.externalId = idOf(instore.externalId, `${at}.instore.externalId`);
  if (instore.cardNumbers) out.cardNumbers = instore.cardNumbers.map((c) => (typeof c === 'string' ? c : c.cardNumber));
  return out;
}

/**
 * Profile attributes of a customerAdded / customerUpdated event, for user-sync destinations:
 * the identifiers and the scalar fields of `data` (names, dates, flags…); nested objects
 * (customerIdentifiers, triggeringActivity) stay in `properties` only.
 */
function traitsOf(data: Record<string, unknown>, identifiers: CustomerIdentifiers): Record<string, unknown> {
  const traits: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(data)) {
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') traits[k] = v;
  }
  if (identifiers.email !== undefined) traits.email = identifiers.email;
  if (identifiers.mobile !== undefined) traits.mobile = identifiers.mobile;
  if (identifiers.externalId !== undefined) traits.externalId = identifiers.externalId;
  return traits;
}

export const capillarySource: SingleSourceAdapter = {
  kind: 'capillary',
  nameFrom:
    '`eventName` (flat envelope), or `attributes.eventName` / `eventType` without its `<orgId>_` prefix (wrapped envelope); one of the catalog',
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

    const prefix = attrs ? ['attributes', 'data'] : ['data'];
    const specific = perEvent[name];
    if (specific) {
      const r = specific.safeParse(data);
      if (!r.success)
        throw new SchemaViolationError(zodIssues(r.error, prefix, '(body)'), `${name} requires fields that are missing or invalid`);
    }
    const ci = parseOrReject(commonData, data, prefix).customerIdentifiers;
    const p = prefix.join('.');
    const time = attrs?.createdAt ?? env.createdAt ?? env.timeStamp;
    const timePath = attrs?.createdAt !== undefined ? 'attributes.createdAt' : env.createdAt !== undefined ? 'createdAt' : 'timeStamp';
    const identifiers = identifiersOf(ci, `${p}.customerIdentifiers`);
    const customerId = ci?.customerId !== undefined ? idOf(ci.customerId, `${p}.customerIdentifiers.customerId`) : undefined;
    return {
      id: env.eventId,
      source: ctx.sourceId,
      sourceKind: 'capillary',
      name,
      type: USER_EVENTS.has(name) ? 'user' : 'track',
      ...(USER_EVENTS.has(name) ? { traits: traitsOf(data, identifiers) } : {}),
      occurredAt: time === undefined ? ctx.receivedAt : toInstant(time, timePath, 'ms'),
      receivedAt: ctx.receivedAt,
      customer: { ...(customerId !== undefined ? { id: customerId } : {}), identifiers },
      properties: propertiesOf(data, attrs?.refId ?? env.refId, attrs?.orgId ?? env.orgId),
    };
  },
};

/**
 * The body Capillary posts for catalog event `name` (the flat envelope; the wrapped one carries
 * the same `data` under `attributes`), built from the schemas `normalize` checks with: the
 * envelope, the fields every event's `data` may carry, and the event's own. Undefined for a name
 * outside the catalog. Served as JSON Schema by GET /v1/event-types/{name}/schema.
 */
export function capillaryEventSchema(name: string): z.ZodType | undefined {
  if (!CATALOG.has(name)) return undefined;
  const specific = perEvent[name];
  return envelope.extend({
    eventName: z.literal(name),
    data: specific ? commonData.and(specific) : commonData,
  });
}
