/**
 * Client for the loyalty platform's API used by enrichment, modelled on Capillary's
 * points-balance lookup:
 * `GET {base}/v2/customers/lookup/points/balance?source=INSTORE&identifierName=…&identifierValue=…`.
 */
import type { HttpClient } from './http/client';

export interface PointsBalance {
  entityId?: number | string;
  totalPoints: number;
  mainPoints?: number;
  promisedPoints?: number;
}

export interface CustomerLookupKey {
  name: 'mobile' | 'email' | 'externalId' | 'id';
  value: string;
}

export interface LoyaltyApi {
  /** The balance, or null when the platform does not know the customer. Throws when it cannot answer. */
  pointsBalance(key: CustomerLookupKey): Promise<PointsBalance | null>;
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

export function createLoyaltyApi(http: HttpClient, options: LoyaltyApiOptions): LoyaltyApi {
  const base = options.baseUrl.replace(/\/+$/, '');
  return {
    async pointsBalance(key) {
      const qs = new URLSearchParams({ source: 'INSTORE', identifierName: key.name, identifierValue: key.value });
      let res;
      try {
        res = await http.send({
          method: 'GET',
          url: `${base}/v2/customers/lookup/points/balance?${qs.toString()}`,
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
        throw new Error(`loyalty API refused the lookup with ${res.status}: ${res.body.slice(0, 200)}`);
      const json = JSON.parse(res.body) as Record<string, unknown>;
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
