/**
 * The contract of a destination kind (where it sits: docs/architecture.md, "Where extensions
 * go"; the steps: README "Add a destination kind"): validate its settings, map a canonical
 * event and its enrichment to HTTP requests, add the headers that need secrets at send time,
 * and classify the answer.
 */
import type { z } from 'zod';
import type { CanonicalEvent } from '../model/canonical-event';
import type { DestinationConfig } from '../model/destination';
import type { Enrichment } from '../model/enrichment';
import type { FieldIssue } from '../model/field-issue';

/** What the workflow records of a request: secret header values are added at send time only. */
export interface OutboundRequest {
  method: 'POST';
  url: string;
  headers: Record<string, string>;
  body: string;
  /**
   * Names the request when one event needs several (MoEngage: `customer` then `event`); it
   * is part of the request's idempotency key. Absent on a kind's primary request.
   */
  part?: string;
}

export interface RenderInput<Settings> {
  destination: DestinationConfig<Settings>;
  event: CanonicalEvent;
  enrichment: Enrichment;
  /** Epoch milliseconds "now", for kinds whose API refuses times in the future. */
  nowMs: number;
}

export interface CheckContext {
  /** Path of the destination in the file, e.g. `destinations[2]`. */
  at: string;
  /** Names of the configured credential sets. */
  credentials: ReadonlySet<string>;
  /** Resolve a secret reference now (to report unset variables and bad values at start-up). */
  resolveSecret(reference: string, path: string): string;
  /** What the URL rules know of the network (allowlist, the relay's own port); default: nothing. */
  urlRules?: UrlRules;
}

/** What configuration knows of where URLs may point, beyond their text. */
export interface UrlRules {
  /** CIDR ranges destinations may reach although private (the file's outbound + RELAY_ALLOW_PRIVATE_NETWORKS). */
  allowPrivateNetworks: readonly string[];
  /** The receiver's own listen port and bind address, when known: a URL there at /v1/sources/… is a loop. */
  ingestion?: { port: number; host?: string };
}

/** Resolves a credential set into request headers (OAuth tokens cached and shared). */
export interface CredentialHeaders {
  /**
   * `forceRefresh` asks for a new OAuth token because `rejected` (the `Authorization` value the
   * destination answered 401 to) failed; when the cached token is already a different one
   * (another delivery refreshed it), that one is returned without a new token request.
   */
  headersFor(
    credential: string,
    options: { forceRefresh: boolean; rejected?: string },
  ): Promise<{ headers: Record<string, string>; refreshable: boolean }>;
}

export interface SendContext<Settings> {
  destination: DestinationConfig<Settings>;
  request: OutboundRequest;
  idempotencyKey: string;
  /** The destination's secrets by slot (see `withSecrets`), resolved. */
  secrets: Record<string, string>;
  credentials: CredentialHeaders;
  /** Epoch seconds of this attempt (Standard Webhooks `webhook-timestamp`). */
  nowSeconds: number;
  /** Ask the credential for a fresh token (after a 401). */
  forceRefresh: boolean;
  /** The `Authorization` value the destination answered 401 to, when `forceRefresh`. */
  rejected?: string;
}

export interface SendHeaders {
  headers: Record<string, string>;
  /** True when the headers carry an OAuth token: a 401 then earns one refresh and retry. */
  refreshable: boolean;
}

export type DeliveryVerdict = 'delivered' | 'retry' | 'permanent' | 'gone';

export interface DestinationConnector<Settings = Record<string, unknown>> {
  kind: string;
  /** The kind's own fields of a destination entry (beside name, events, slaSeconds…). */
  settingsSchema: z.ZodType<Settings>;
  /** Rules zod cannot express, each with its own message. */
  check(settings: Settings, ctx: CheckContext): FieldIssue[];
  /**
   * A copy of the settings with each secret field, by slot (e.g. `dataApiKey`, `header:<Key>`),
   * replaced by `replace(slot, value)`: how a store swaps references for values, values for
   * markers, or markers for redacted hints, without knowing where the kind keeps its secrets.
   * `secretsOf` reads the slots through it.
   */
  withSecrets(settings: Settings, replace: (slot: string, value: string) => string): Settings;
  /** The requests for this event, in order. Throws TemplateRenderError when it cannot render. */
  render(input: RenderInput<Settings>): OutboundRequest[];
  /** Headers added at send time: secrets, authentication, signatures. */
  sendHeaders(ctx: SendContext<Settings>): Promise<SendHeaders>;
  classify(status: number): DeliveryVerdict;
}

/** README "Delivery semantics": 2xx delivered; 408/425/429/5xx retry; 410 gone; the rest permanent (3xx included). */
export function classifyStatus(status: number): DeliveryVerdict {
  if (status >= 200 && status <= 299) return 'delivered';
  if (status === 408 || status === 425 || status === 429 || status >= 500) return 'retry';
  if (status === 410) return 'gone';
  return 'permanent';
}

/** The secret fields of a destination's settings by slot (references in a file, values in the store). */
export function secretsOf<Settings>(connector: DestinationConnector<Settings>, settings: Settings): Record<string, string> {
  const found: Record<string, string> = {};
  connector.withSecrets(settings, (slot, value) => {
    found[slot] = value;
    return value;
  });
  return found;
}

/** Define a connector with its settings type inferred from its schema. */
export function defineConnector<Settings>(connector: DestinationConnector<Settings>): DestinationConnector<Settings> {
  return connector;
}
