/**
 * Client for the loyalty platform's API used by enrichment, modelled on Capillary's lookups:
 * `GET {base}/v2/customers/lookup/points/balance?source=INSTORE&identifierName=…&identifierValue=…`
 * and `GET {base}/v2/customers/lookup/customerDetails?source=<SOURCE>&identifierName=…&identifierValue=…`.
 */
import { scrubSecrets } from '../payloads/scrub';
import type { HttpClient } from '../http/client';
import type { CustomerDetails, CustomerProfile, PointsBalance } from '../model/lookups';

export interface CustomerLookupKey {
  name: 'mobile' | 'email' | 'externalId' | 'id';
  value: string;
}

export interface LoyaltyApi {
  /** The balance, or null when the platform does not know the customer. Throws when it cannot answer. */
  pointsBalance(key: CustomerLookupKey): Promise<PointsBalance | null>;
  /** The customer's identifiers in `source` (e.g. INSTORE), or null when unknown there. Throws when it cannot answer. */
  customerProfile(key: CustomerLookupKey, source: string): Promise<CustomerProfile | null>;
  /** The customer's name, contacts and custom fields (INSTORE), or null when unknown. Throws when it cannot answer. */
  customerDetails(key: CustomerLookupKey): Promise<CustomerDetails | null>;
}

/** The lookup failed in a way worth retrying (network, 429, 5xx). */
export class LoyaltyApiUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LoyaltyApiUnavailableError';
  }
}

export interface LoyaltyApiOptions {
  baseUrl: string;
  /** Full `Authorization` header value, if the API needs one. */
  authorization?: string;
  timeoutMs?: number;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' || typeof v === 'number' ? String(v) : undefined;
}

export function createLoyaltyApi(http: HttpClient, options: LoyaltyApiOptions): LoyaltyApi {
  const base = options.baseUrl.replace(/\/+$/, '');

  /** GET a lookup: the parsed JSON, or null on 404. */
  async function lookup(path: string, source: string, key: CustomerLookupKey): Promise<Record<string, unknown> | null> {
    const qs = new URLSearchParams({ source, identifierName: key.name, identifierValue: key.value });
    let res;
    try {
      res = await http.send({
        method: 'GET',
        url: `${base}${path}?${qs.toString()}`,
        headers: { accept: 'application/json', ...(options.authorization ? { authorization: options.authorization } : {}) },
        timeoutMs: options.timeoutMs ?? 5000,
        pool: { key: 'loyalty-api', maxConnections: 16 },
      });
    } catch (e) {
      throw new LoyaltyApiUnavailableError(`loyalty API unreachable: ${(e as Error).message}`);
    }
    if (res.status === 404) return null;
    if (res.status === 429 || res.status >= 500) throw new LoyaltyApiUnavailableError(`loyalty API answered ${res.status}`);
    if (res.status < 200 || res.status > 299)
      throw new Error(`loyalty API refused the lookup with ${res.status}: ${scrubSecrets(res.body, [options.authorization], 200)}`);
    return JSON.parse(res.body) as Record<string, unknown>;
  }

  return {
    async customerProfile(key, source) {
      const json = await lookup('/v2/customers/lookup/customerDetails', source, key);
      if (!json) return null;
      const profiles = Array.isArray(json.profiles) ? (json.profiles as Record<string, unknown>[]) : [];
      const profile = profiles.find((p) => p.source === source) ?? profiles[0];
      const out: CustomerProfile = { source, ...(str(json.id) !== undefined ? { id: json.id as number | string } : {}) };
      const identifiers = Array.isArray(profile?.identifiers) ? (profile.identifiers as { type?: unknown; value?: unknown }[]) : [];
      for (const { type, value } of identifiers) {
        const v = str(value);
        if (v === undefined) continue;
        if (type === 'mobile') out.mobile = v;
        else if (type === 'email') out.email = v;
        else if (type === 'externalId') out.externalId = v;
      }
      const cards = Array.isArray(json.cardDetails) ? (json.cardDetails as { cardNumber?: unknown }[]) : [];
      const cardNumbers = cards.map((c) => str(c.cardNumber)).filter((c): c is string => c !== undefined);
      if (cardNumbers.length > 0) out.cardNumbers = cardNumbers;
      return out;
    },

    async customerDetails(key) {
      const json = await lookup('/v2/customers/lookup/customerDetails', 'INSTORE', key);
      if (!json) return null;
      const profiles = Array.isArray(json.profiles) ? (json.profiles as Record<string, unknown>[]) : [];
      const profile = profiles.find((p) => p.source === 'INSTORE') ?? profiles[0] ?? {};
      const out: CustomerDetails = {};
      const set = (field: 'id' | 'firstName' | 'lastName' | 'email' | 'mobile' | 'externalId', ...values: unknown[]) => {
        const v = values.map(str).find((x) => x !== undefined && x !== '');
        if (v !== undefined) out[field] = v;
      };
      set('id', json.id);
      set('firstName', json.firstName, json.firstname, profile.firstName, profile.firstname);
      set('lastName', json.lastName, json.lastname, profile.lastName, profile.lastname);
      const identifiers = Array.isArray(profile.identifiers) ? (profile.identifiers as { type?: unknown; value?: unknown }[]) : [];
      const identifier = (type: string) => identifiers.find((i) => i.type === type)?.value;
      set('email', identifier('email'), json.email);
      set('mobile', identifier('mobile'), json.mobile);
      set('externalId', identifier('externalId'), json.externalId);
      // Capillary answers extendedFields as an object or as [{ name, value }].
      const extended = json.extendedFields;
      const pairs: [unknown, unknown][] = Array.isArray(extended)
        ? (extended as { name?: unknown; value?: unknown }[]).map((f) => [f.name, f.value])
        : extended && typeof extended === 'object'
          ? Object.entries(extended)
          : [];
      for (const [name, value] of pairs) {
        const n = str(name);
        const v = str(value) ?? (typeof value === 'boolean' ? String(value) : undefined);
        if (n !== undefined && v !== undefined) (out.fields ??= {})[n] = v;
      }
      return out;
    },

    async pointsBalance(key) {
      const json = await lookup('/v2/customers/lookup/points/balance', 'INSTORE', key);
      if (!json) return null;
      if (typeof json.totalPoints !== 'number') throw new Error('loyalty API answer has no numeric totalPoints');
      return {
        entityId: json.entityId as number | string | undefined,
        totalPoints: json.totalPoints,
        mainPoints: typeof json.mainPoints === 'number' ? json.mainPoints : undefined,
        promisedPoints: typeof json.promisedPoints === 'number' ? json.promisedPoints : undefined,
      };
    },
  };
}
