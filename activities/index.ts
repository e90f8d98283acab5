/**
 * Activities of the relay's workflows, built from their dependencies so tests inject local
 * servers (or stubs) and production injects real clients. One file per concern: planning
 * (subscriptions, destination state, mapping), enrichment, delivery; types in ./types.ts.
 */
import { createCredentialProvider, type CredentialProvider } from '../src/destinations/credentials';
import type { ConfigStore } from '../src/config/store';
import type { HttpClient } from '../src/http/client';
import type { LoyaltyApi } from '../src/enrichment/loyalty-api';
import type { DeliveryMetrics } from '../src/telemetry/metrics';
import type { DeliveryWatch } from './breaker-watch';
import { createDeliveryActivities } from './delivery';
import { enrichEvent, type EnrichmentData, type EnrichmentWants } from './enrich';
import { createPlanningActivities } from './planning';
import { createProfileActivities } from './profile';
import type { CanonicalEvent } from '../src/model/canonical-event';

export type * from './types';
export { idempotencyKeyFor } from './planning';

export interface ActivityDeps {
  store: ConfigStore;
  http: HttpClient;
  /** Absent when LOYALTY_API_URL is not set: loyalty API lookups are then reported as problems. */
  loyaltyApi?: LoyaltyApi;
  /** The brand's customer API for profile lookups (CUSTOMER_PROFILE_API_URL); the loyalty API when absent. */
  profileApi?: LoyaltyApi;
  /** OAuth token cache shared by every delivery of this worker; built from store + http when absent. */
  credentials?: CredentialProvider;
  backoff?: { initialMs: number; maxMs: number };
  random?: () => number;
  userAgent?: string;
  /** The worker's delivery metrics (src/telemetry/metrics.ts); absent: deliveries are not counted. */
  metrics?: DeliveryMetrics;
  /** The circuit breaker and delivery alerts (./breaker-watch.ts); absent: neither (no database). */
  watch?: DeliveryWatch;
}

export function createActivities(deps: ActivityDeps) {
  return {
    ...createPlanningActivities(deps.store),

    /** Fetch each enrichment once per event, whatever number of destinations want it. */
    async enrich(input: { event: CanonicalEvent; wants: EnrichmentWants; giveUpAtMs?: number }): Promise<EnrichmentData> {
      return enrichEvent(input.event, input.wants, deps.loyaltyApi, input.giveUpAtMs);
    },

    ...createProfileActivities(deps.profileApi ?? deps.loyaltyApi),

    ...createDeliveryActivities({
      store: deps.store,
      http: deps.http,
      credentials: deps.credentials ?? createCredentialProvider(deps.store, deps.http),
      backoff: deps.backoff ?? { initialMs: 1000, maxMs: 10 * 60_000 },
      random: deps.random ?? Math.random,
      userAgent: deps.userAgent ?? 'loyalty-relay/0.1',
      ...(deps.metrics ? { metrics: deps.metrics } : {}),
      ...(deps.watch ? { watch: deps.watch } : {}),
    }),
  };
}

export type RelayActivities = ReturnType<typeof createActivities>;
