/**
 * A destination as the relay knows it: its definition (a configuration entry, one version of
 * it), the part a workflow plans with, and where it stands now. The store keeps them; connectors,
 * activities and workflows read them.
 */
import type { EnrichmentChoices } from './enrichment';

export interface HeaderTemplate {
  key: string;
  /** Either a `{{ placeholder }}` template, or (when `secret`) text with `${ENV_VAR}` references. */
  value: string;
  /** Secret headers are resolved by the deliver activity and never enter workflow history. */
  secret: boolean;
}

/** The circuit breaker's thresholds for one destination (src/breaker/breaker.ts applies them). */
export interface CircuitBreakerSettings {
  /** false: never paused automatically (410 Gone then fails the delivery, as without a breaker). */
  enabled?: boolean;
  /** How long a destination must have been failing without a 2xx (minutes; fractions allowed). */
  failureWindowMinutes?: number;
  /** And at least this many failed attempts since its last 2xx. */
  minFailedAttempts?: number;
}

export interface DestinationConfig<Settings = Record<string, unknown>> {
  name: string;
  /** A key of `destinationConnectors` (src/destinations/index.ts). */
  kind: string;
  /** Changes whenever the destination's configuration changes; recorded by the workflow. */
  version: string;
  description?: string;
  enabled: boolean;
  events: string[];
  sources?: string[];
  slaSeconds: number;
  maxConnections: number;
  timeoutSeconds: number;
  retryWindowSeconds: number;
  /** How long a run with a failed delivery to this destination stays parked for a redelivery (absent in versions saved before: 7 days). */
  parkingPeriodSeconds?: number;
  enrichment: EnrichmentChoices;
  /** The circuit breaker's thresholds; absent: the defaults. */
  circuitBreaker?: CircuitBreakerSettings;
  /**
   * `paused: true` in the file or a create request: the state the destination starts in. Not
   * part of the definition (no version changes with it); the store keeps pause as state.
   */
  paused?: boolean;
  pausedReason?: string;
  /**
   * The kind's own settings, validated by its connector. Secret settings hold references
   * (`${ENV_VAR}`) in a file and markers in the store, never values: the deliver activity
   * resolves them by slot with the store's `getDestinationSecrets`.
   */
  settings: Settings;
}

/** The part of a destination a workflow plans with: no templates, no secrets. */
export interface DestinationPlan {
  name: string;
  version: string;
  kind: string;
  slaSeconds: number;
  timeoutSeconds: number;
  retryWindowSeconds: number;
  parkingPeriodSeconds: number;
  enrichment: EnrichmentChoices;
  /** Paused when planned: the delivery is held (no attempt) until the destination resumes. */
  paused: boolean;
}

/** Where a destination stands now (not at a version): what a held delivery checks when woken. */
export type DestinationState = 'active' | 'paused' | 'disabled' | 'deleted';

/** Capillary retries a webhook for up to 7 days; a parked run waits as long for an operator. */
export const DEFAULT_PARKING_PERIOD_SECONDS = 7 * 24 * 60 * 60;

export function toPlan(d: DestinationConfig, paused = false): DestinationPlan {
  return {
    name: d.name,
    version: d.version,
    kind: d.kind,
    slaSeconds: d.slaSeconds,
    timeoutSeconds: d.timeoutSeconds,
    retryWindowSeconds: d.retryWindowSeconds,
    parkingPeriodSeconds: d.parkingPeriodSeconds ?? DEFAULT_PARKING_PERIOD_SECONDS,
    enrichment: d.enrichment,
    paused,
  };
}
