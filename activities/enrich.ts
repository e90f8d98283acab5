/**
 * Enrichment: each lookup once per event, for the union of what subscribed destinations
 * want; then each destination sees only what it chose (card numbers only where asked for).
 */
import { ApplicationFailure } from '@temporalio/activity';
import type { CanonicalEvent } from '../src/model/canonical-event';
import type { EnrichmentChoices, Enrichment, StoreInfo, TillInfo } from '../src/model/enrichment';
import type { CustomerProfile } from '../src/model/lookups';
import { FailureType } from '../src/model/failure-types';
import { isObject } from '../src/model/is-object';
import { LoyaltyApiUnavailableError, type CustomerLookupKey, type LoyaltyApi } from '../src/enrichment/loyalty-api';

/** What one enrich call fetches: the union over destinations. */
export interface EnrichmentWants {
  pointsBalance: boolean;
  /** Sources to look customer identifiers up in. */
  customerIdentifierSources?: string[];
  store?: boolean;
  till?: boolean;
  awardedReferenceId?: boolean;
}

/** The enrich activity's result: like Enrichment, with customer identifiers for each source looked up. */
export interface EnrichmentData extends Omit<Enrichment, 'customerIdentifiers'> {
  customerIdentifiers?: Record<string, CustomerProfile | null>;
}

export function lookupKeyOf(event: CanonicalEvent): CustomerLookupKey | undefined {
  const ids = event.customer.identifiers;
  if (ids.mobile) return { name: 'mobile', value: ids.mobile };
  if (ids.email) return { name: 'email', value: ids.email };
  if (ids.externalId) return { name: 'externalId', value: ids.externalId };
  if (event.customer.id) return { name: 'id', value: event.customer.id };
  return undefined;
}

function obj(v: unknown): Record<string, unknown> | undefined {
  return isObject(v) ? v : undefined;
}

function text(v: unknown): string | undefined {
  return typeof v === 'string' || typeof v === 'number' ? String(v) : undefined;
}

/** Capillary's `triggeringActivity.enteredBy` (store / till of the transaction), when the event has it. */
function enteredBy(event: CanonicalEvent): Record<string, unknown> | undefined {
  return obj(obj(obj(event.properties)?.triggeringActivity)?.enteredBy);
}

function storeOf(event: CanonicalEvent): StoreInfo | null {
  const s = obj(enteredBy(event)?.store);
  if (!s) return null;
  const out: StoreInfo = {};
  if (text(s.code) !== undefined) out.code = text(s.code);
  if (text(s.name) !== undefined) out.name = text(s.name);
  if (text(s.externalId) !== undefined) out.externalId = text(s.externalId);
  return out;
}

function tillOf(event: CanonicalEvent): TillInfo | null {
  const t = obj(enteredBy(event)?.till);
  if (!t) return null;
  const out: TillInfo = {};
  if (text(t.code) !== undefined) out.code = text(t.code);
  if (text(t.name) !== undefined) out.name = text(t.name);
  return out;
}

/** `refId` of the event (Capillary: the bill / transaction that awarded the points), else a `billNumber` identifier. */
function awardedReferenceIdOf(event: CanonicalEvent): string | null {
  const p = event.properties;
  const direct = text(p.refId) ?? text(p.awardedRefId);
  if (direct !== undefined) return direct;
  const identifiers = obj(p.triggeringActivity)?.identifiers;
  if (Array.isArray(identifiers)) {
    for (const i of identifiers as { key?: unknown; value?: unknown }[]) {
      if (i.key === 'billNumber' || i.key === 'refId') return text(i.value) ?? null;
    }
  }
  return null;
}

/**
 * The loyalty API cannot answer: retryable until `giveUpAtMs`, then not (the workflow delivers
 * without the lookup). The activity says when to stop rather than the local activity's
 * schedule-to-close timeout, which the SDK does not enforce while it backs off between attempts.
 */
export function unavailable(e: LoyaltyApiUnavailableError, giveUpAtMs: number | undefined): never {
  const givingUp = giveUpAtMs !== undefined && Date.now() >= giveUpAtMs;
  throw ApplicationFailure.create({
    type: FailureType.LoyaltyApiUnavailable,
    message: givingUp ? `${e.message}; retried until the retry window ended` : e.message,
    nonRetryable: givingUp,
  });
}

export async function enrichEvent(
  event: CanonicalEvent,
  wants: EnrichmentWants,
  api: LoyaltyApi | undefined,
  giveUpAtMs?: number,
): Promise<EnrichmentData> {
  const out: EnrichmentData = {};
  const problems: NonNullable<Enrichment['problems']> = [];
  const key = lookupKeyOf(event);
  const apiLookup = async <T>(lookup: string, run: (api: LoyaltyApi, key: CustomerLookupKey) => Promise<T>): Promise<T | undefined> => {
    if (!api) {
      problems.push({ lookup, message: 'LOYALTY_API_URL is not configured' });
      return undefined;
    }
    if (!key) {
      problems.push({ lookup, message: 'the event has no customer identifier to look up' });
      return undefined;
    }
    try {
      return await run(api, key);
    } catch (e) {
      if (e instanceof LoyaltyApiUnavailableError) unavailable(e, giveUpAtMs);
      problems.push({ lookup, message: (e as Error).message });
      return undefined;
    }
  };

  if (wants.pointsBalance) {
    const balance = await apiLookup('pointsBalance', (a, k) => a.pointsBalance(k));
    if (balance !== undefined) out.pointsBalance = balance;
  }
  for (const source of wants.customerIdentifierSources ?? []) {
    const profile = await apiLookup(`customerIdentifiers:${source}`, (a, k) => a.customerProfile(k, source));
    if (profile !== undefined) (out.customerIdentifiers ??= {})[source] = profile;
  }
  if (wants.store) out.store = storeOf(event);
  if (wants.till) out.till = tillOf(event);
  if (wants.awardedReferenceId) out.awardedReferenceId = awardedReferenceIdOf(event);
  if (problems.length > 0) out.problems = problems;
  return out;
}

/** What one destination sees of the event's enrichment: only what it chose. */
export function enrichmentFor(choices: EnrichmentChoices, data: EnrichmentData): Enrichment {
  const out: Enrichment = {};
  if (choices.pointsBalance && data.pointsBalance !== undefined) out.pointsBalance = data.pointsBalance;
  const source = choices.customerIdentifiers;
  const profile = source ? data.customerIdentifiers?.[source] : undefined;
  if (profile !== undefined) {
    const tailored = profile ? { ...profile } : null;
    if (tailored && !choices.cardNumbers) delete tailored.cardNumbers;
    out.customerIdentifiers = tailored;
  }
  if (choices.store && data.store !== undefined) out.store = data.store;
  if (choices.till && data.till !== undefined) out.till = data.till;
  if (choices.awardedReferenceId && data.awardedReferenceId !== undefined) out.awardedReferenceId = data.awardedReferenceId;
  if (data.profile !== undefined) out.profile = data.profile;
  if (data.problems) out.problems = data.problems;
  return out;
}
