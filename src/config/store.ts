/**
 * What the receiver, the activities and the workflow need from configuration, and nothing
 * more: PgConfigStore implements it (and an in-memory store for tests). Secrets are reached
 * only through the two `…Secrets`/credential methods, which only the deliver activity calls.
 */
import type { SourceConfig } from './source-schema';

/** A source instance: kind, kind settings and resolved auth (defined in ./source-schema.ts). */
export type { SourceConfig };

export interface HeaderTemplate {
  key: string;
  /** Either a `{{ placeholder }}` template, or (when `secret`) text with `${ENV_VAR}` references. */
  value: string;
  /** Secret headers are resolved by the deliver activity and never enter workflow history. */
  secret: boolean;
}

export interface EnrichmentChoices {
  /** The customer's available points balance (loyalty API lookup). */
  pointsBalance: boolean;
  /** Customer identifiers looked up in the loyalty API for this source (e.g. `INSTORE`). */
  customerIdentifiers?: string;
  /** Card numbers of the customer in that source; only with `customerIdentifiers`. */
  cardNumbers?: boolean;
  /** The store where the triggering activity happened (from the event). */
  store?: boolean;
  /** The till where the triggering activity happened (from the event). */
  till?: boolean;
  /** The reference id of the transaction that awarded the points (from the event). */
  awardedReferenceId?: boolean;
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
  /**
   * `paused: true` in the file or a create request: the state the destination starts in. Not
   * part of the definition (no version changes with it); the store keeps pause as state.
   */
  paused?: boolean;
  pausedReason?: string;
  /**
   * The kind's own settings, validated by its connector. Secret settings hold references
   * (`${ENV_VAR}`), never values: resolve them with `getDestinationSecrets`.
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

/** A credential set: one may serve many destinations; a destination uses zero or one. */
export type Credential =
  | { name: string; type: 'basic'; username: string; password: string }
  | { name: string; type: 'bearer'; token: string }
  | { name: string; type: 'apiKey'; header: string; value: string }
  | {
      name: string;
      type: 'oauth2';
      tokenUrl: string;
      clientId: string;
      clientSecret: string;
      scope?: string;
      audience?: string;
      /** How the client authenticates to the token endpoint (RFC 6749 §2.3.1). */
      clientAuth: 'basic' | 'body';
      /** Development opt-in checked when the set is saved: plain http:// token URLs on localhost. */
      allowInsecureHttp?: boolean;
    };

export interface ConfigStore {
  getSource(id: string): Promise<SourceConfig | undefined>;
  /** Enabled destinations subscribed to this event name from this source (paused ones too: their deliveries are held). */
  resolveSubscriptions(event: { source: string; name: string }): Promise<DestinationPlan[]>;
  /** The current plan of one destination (enabled or not), for a redelivery; undefined when deleted. */
  planDestination(name: string): Promise<DestinationPlan | undefined>;
  /** Whether the destination is live and paused now. */
  destinationState(name: string): Promise<DestinationState>;
  /**
   * A destination's templates and settings, without secret values. With `version` (the one a
   * run planned with), that version — a store that keeps versions (PostgreSQL) returns it even
   * after the destination changed or was deleted; the file store knows only the current one.
   */
  getDestination(name: string, version?: string): Promise<DestinationConfig | undefined>;
  /**
   * A destination's secrets, resolved, by slot: `header:<Key>` for secret header values and the
   * names its connector lists in `secretSettings`. For the deliver activity only.
   */
  getDestinationSecrets(name: string, version?: string): Promise<Record<string, string>>;
  /** A credential set with its secrets resolved. For the deliver activity only. */
  getCredential(name: string): Promise<Credential | undefined>;
}

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
