/**
 * What the receiver, the activities and the workflow need from configuration, and nothing
 * more. The YAML file store implements it today; a database-backed store can replace it
 * without touching workflows or activities.
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
  pointsBalance: boolean;
}

export interface DestinationConfig {
  name: string;
  kind: 'webhook';
  /** Changes whenever the destination's configuration changes; recorded by the workflow. */
  version: string;
  description?: string;
  enabled: boolean;
  events: string[];
  sources?: string[];
  url: string;
  allowInsecureHttp: boolean;
  headers: HeaderTemplate[];
  /** Parsed JSON body template; undefined means "the canonical event and its enrichment". */
  body?: unknown;
  slaSeconds: number;
  maxConnections: number;
  timeoutSeconds: number;
  retryWindowSeconds: number;
  enrichment: EnrichmentChoices;
}

/** The part of a destination a workflow plans with: no templates, no secrets. */
export interface DestinationPlan {
  name: string;
  version: string;
  kind: 'webhook';
  slaSeconds: number;
  timeoutSeconds: number;
  retryWindowSeconds: number;
  enrichment: EnrichmentChoices;
}

export interface ConfigStore {
  getSource(id: string): Promise<SourceConfig | undefined>;
  /** Enabled destinations subscribed to this event name from this source. */
  resolveSubscriptions(event: { source: string; name: string }): Promise<DestinationPlan[]>;
  /** A destination's templates, without secret values. */
  getDestination(name: string): Promise<DestinationConfig | undefined>;
  /** Secret header values of a destination, resolved: for the deliver activity only. */
  getDestinationSecrets(name: string): Promise<Record<string, string>>;
}

export function toPlan(d: DestinationConfig): DestinationPlan {
  return {
    name: d.name,
    version: d.version,
    kind: d.kind,
    slaSeconds: d.slaSeconds,
    timeoutSeconds: d.timeoutSeconds,
    retryWindowSeconds: d.retryWindowSeconds,
    enrichment: d.enrichment,
  };
}
