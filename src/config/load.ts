/**
 * Reads and validates the YAML configuration file. Every problem is collected (not just the
 * first) so an operator fixes the file in one pass; start-up stops on any of them.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import type { UrlRules } from '../destinations/connector';
import { zodIssues, type FieldIssue } from '../model/field-issue';
import { destinationConnectors, DESTINATION_KINDS } from '../destinations';
import type { AlertWebhook } from '../alerts/outbox';
import { signingSecretProblem } from '../destinations/signing';
import { headerNameProblems } from '../destinations/field-rules';
import { checkUrl, resolveAuthorityEnvRefs } from '../destinations/webhook-rules';
import { hasEnvRefs, resolveEnvRefs } from '../model/env-ref';
import { credentialSecretRefs } from '../model/secret-slots';
import { HEADER_VALUE_WHITELIST } from '../model/header';
import { hasPlaceholders } from '../destinations/templates';
import { parseCidr } from '../http/outbound-guard';
import {
  alertsSchema,
  DESTINATION_BASE_KEYS,
  outboundSchema,
  relayConfigSchema,
  type AlertsConfigInput,
  type DestinationConfigInput,
} from './schema';
import type { Credential } from '../model/credential';
import type { DestinationConfig } from '../model/destination';
import type { SourceConfig } from '../model/source';
import { resolveSources, type ResolveRefs } from './sources';
import { nulProblems } from './stored';
import { cardNumbersProblem, destinationNameProblem } from './destination-rules';

export type { ResolveRefs };

export class ConfigError extends Error {
  constructor(
    readonly file: string,
    readonly problems: FieldIssue[],
  ) {
    super(`invalid configuration ${file}:\n${problems.map((p) => `  - ${p.path || '(root)'}: ${p.message}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export interface RelayConfig {
  sources: SourceConfig[];
  /** Credential sets with secret fields still as references (`${ENV_VAR}`). */
  credentials: Credential[];
  destinations: DestinationConfig[];
  outbound: { allowPrivateNetworks: string[] };
  /** The alert webhook with its `${…}`s resolved (not stored: the worker reads it from the file). */
  alerts?: AlertWebhook;
}

type Env = Record<string, string | undefined>;

/** Checks of one credential entry beyond its schema; secret fields stay as given (references or values). */
export function parseCredential(c: Credential, at: string, resolve: ResolveRefs, problems: FieldIssue[], urlRules?: UrlRules): Credential {
  for (const [field, ref] of Object.entries(credentialSecretRefs(c))) resolve(ref, `${at}.${field}`);
  if (c.type === 'oauth2') {
    problems.push(...checkUrl(c.tokenUrl, c.allowInsecureHttp ?? false, `${at}.tokenUrl`, urlRules));
    // allowInsecureHttp stays in the entry (stored and shown as given); sending ignores it.
    return c;
  }
  if (c.type === 'apiKey') problems.push(...headerNameProblems(c.header).map((message) => ({ path: `${at}.header`, message })));
  return c;
}

export interface DestinationContext {
  /** Resolves `${ENV}` references (the file) or refuses them (the API), reporting at a path. */
  resolve: ResolveRefs;
  /** Names of the credential sets a destination may name. */
  credentialNames: ReadonlySet<string>;
  /**
   * Applied to each secret value (by the connector's slot) after the schema and before the
   * checks: the management API puts a stored secret back where a request sent its redacted hint.
   */
  secret?: (slot: string, value: string) => string;
  /** The allowlist and the relay's own port, for the URL rules (see urlRulesFromEnv). */
  urlRules?: UrlRules;
}

/**
 * What the URL rules know from the environment and the file: the private-network allowlist
 * (RELAY_ALLOW_PRIVATE_NETWORKS + outbound.allowPrivateNetworks) and the receiver's own port
 * and bind address (PORT, default 8080, and HOST; PORT=0 picks one at start, so no loop check).
 */
export function urlRulesFromEnv(env: Env, fileAllow: readonly string[] = []): UrlRules {
  const listed = (env.RELAY_ALLOW_PRIVATE_NETWORKS ?? '')
    .split(',')
    .map((c) => c.trim())
    .filter(Boolean);
  const port = env.PORT === undefined || env.PORT === '' ? 8080 : Number(env.PORT);
  const host = env.HOST && env.HOST !== '0.0.0.0' && env.HOST !== '::' ? env.HOST : undefined;
  return {
    allowPrivateNetworks: [...listed, ...fileAllow],
    ...(Number.isInteger(port) && port > 0 ? { ingestion: { port, ...(host ? { host } : {}) } } : {}),
  };
}

/** Checks of one destination entry beyond the base schema: its kind's settings and rules. */
export function parseDestination(
  d: DestinationConfigInput,
  at: string,
  ctx: DestinationContext,
  problems: FieldIssue[],
): DestinationConfig | undefined {
  const nameProblem = destinationNameProblem(d.name);
  if (nameProblem) problems.push({ path: `${at}.name`, message: nameProblem });
  if (d.pausedReason && !d.paused) problems.push({ path: `${at}.pausedReason`, message: 'pausedReason goes with paused: true' });
  const cardProblem = cardNumbersProblem(d.enrichment);
  if (cardProblem) problems.push({ path: `${at}.enrichment.cardNumbers`, message: cardProblem });
  const connector = destinationConnectors[d.kind];
  if (!connector) {
    problems.push({ path: `${at}.kind`, message: `unknown destination kind "${d.kind}" (one of: ${DESTINATION_KINDS.join(', ')})` });
    return undefined;
  }
  const own = Object.fromEntries(Object.entries(d).filter(([key]) => !DESTINATION_BASE_KEYS.includes(key)));
  const parsed = connector.settingsSchema.safeParse(own);
  if (!parsed.success) {
    problems.push(...zodIssues(parsed.error, [at]));
    return undefined;
  }
  const data = parsed.data as Record<string, unknown>;
  const settings = ctx.secret ? (connector.withSecrets(data, ctx.secret) as Record<string, unknown>) : data;
  problems.push(
    ...connector.check(settings, {
      at,
      credentials: ctx.credentialNames,
      resolveSecret: ctx.resolve,
      ...(ctx.urlRules ? { urlRules: ctx.urlRules } : {}),
    }),
  );
  return {
    name: d.name,
    kind: d.kind,
    version: versionOf(d),
    description: d.description,
    enabled: d.enabled,
    events: d.events,
    sources: d.sources,
    slaSeconds: d.slaSeconds,
    maxConnections: d.maxConnections,
    timeoutSeconds: d.timeoutSeconds,
    retryWindowSeconds: d.retryWindowSeconds,
    parkingPeriodSeconds: d.parkingPeriodSeconds,
    enrichment: d.enrichment,
    ...(d.circuitBreaker ? { circuitBreaker: d.circuitBreaker } : {}),
    ...(d.paused ? { paused: true } : {}),
    ...(d.paused && d.pausedReason ? { pausedReason: d.pausedReason } : {}),
    settings,
  };
}

export function versionOf(d: DestinationConfigInput): string {
  // Pause is state, not definition: pausing in the file does not make a new version.
  const { paused, pausedReason, ...definition } = d;
  void paused;
  void pausedReason;
  return createHash('sha256').update(JSON.stringify(definition)).digest('hex').slice(0, 12);
}

export interface ParseOptions {
  /**
   * false: the `alerts` block is checked for its shape only, its `${…}`s not resolved and it is
   * left out of the result — a receiver applies the file but sends no alert, so it needs no
   * alert secret. Default true.
   */
  alerts?: boolean;
}

/** Validate a parsed document (already YAML-decoded) into a RelayConfig, or throw ConfigError. */
export function parseConfig(document: unknown, env: Env, file = '<inline>', options: ParseOptions = {}): RelayConfig {
  const nul = nulProblems(document);
  if (nul.length > 0) throw new ConfigError(file, nul);
  const parsed = relayConfigSchema.safeParse(document ?? {});
  if (!parsed.success) throw new ConfigError(file, zodIssues(parsed.error));
  const problems: FieldIssue[] = [];
  const cfg = parsed.data;

  const resolve: ResolveRefs = (value, at) => resolveEnvRefs(value, env, at, problems);
  const urlRules = urlRulesFromEnv(env, cfg.outbound.allowPrivateNetworks);
  const sources: SourceConfig[] = resolveSources(cfg.sources, resolve, problems);
  const sourceIds = new Set(sources.map((s) => s.id));

  const credentialNames = new Set<string>();
  const credentials = cfg.credentials.map((c, i) => {
    if (credentialNames.has(c.name)) problems.push({ path: `credentials[${i}].name`, message: `duplicate credential name "${c.name}"` });
    credentialNames.add(c.name);
    return parseCredential(c, `credentials[${i}]`, resolve, problems, urlRules);
  });

  const names = new Set<string>();
  const destinations: DestinationConfig[] = [];
  cfg.destinations.forEach((d, i) => {
    const at = `destinations[${i}]`;
    if (names.has(d.name)) problems.push({ path: `${at}.name`, message: `duplicate destination name "${d.name}"` });
    names.add(d.name);
    for (const [j, sourceId] of (d.sources ?? []).entries()) {
      if (!sourceIds.has(sourceId)) problems.push({ path: `${at}.sources[${j}]`, message: `no source with id "${sourceId}"` });
    }
    // A webhook's host and port may come from the environment (see resolveAuthorityEnvRefs).
    const entry =
      d.kind === 'webhook' && typeof d.url === 'string' ? { ...d, url: resolveAuthorityEnvRefs(d.url, (v) => resolve(v, `${at}.url`)) } : d;
    const destination = parseDestination(entry, at, { resolve, credentialNames, urlRules }, problems);
    if (destination) destinations.push(destination);
  });

  problems.push(...outboundProblems(cfg.outbound));
  const alerts = cfg.alerts && options.alerts !== false ? parseAlerts(cfg.alerts, resolve, urlRules, problems) : undefined;

  if (problems.length > 0) throw new ConfigError(file, problems);
  return { sources, credentials, destinations, outbound: cfg.outbound, ...(alerts ? { alerts } : {}) };
}

/** Headers the alert sender sets itself (the signature and the body's type). */
const ALERT_OWN_HEADERS = new Set(['webhook-id', 'webhook-timestamp', 'webhook-signature', 'content-type', 'user-agent']);

/**
 * The `alerts` block: the URL under a webhook destination's rules (https, the outbound guard's
 * ranges, no loop to the ingestion path, `${VAR}` in scheme and authority only, no placeholders:
 * an alert is not an event), the secret a `whsec_…`, headers neither framing nor the signature's.
 */
export function parseAlerts(a: AlertsConfigInput, resolve: ResolveRefs, urlRules: UrlRules, problems: FieldIssue[]): AlertWebhook {
  const url = resolveAuthorityEnvRefs(a.url, (v) => resolve(v, 'alerts.url'));
  problems.push(...checkUrl(url, a.allowInsecureHttp, 'alerts.url', urlRules));
  if (hasPlaceholders(url)) problems.push({ path: 'alerts.url', message: 'the alert URL cannot hold placeholders' });
  const secret = resolve(a.secret, 'alerts.secret');
  const secretProblem = secret === '' && hasEnvRefs(a.secret) ? undefined : signingSecretProblem(secret);
  if (secretProblem) problems.push({ path: 'alerts.secret', message: secretProblem });
  const headers: Record<string, string> = {};
  for (const [key, raw] of Object.entries(a.headers ?? {})) {
    const at = `alerts.headers.${key}`;
    problems.push(...headerNameProblems(key).map((message) => ({ path: at, message })));
    if (ALERT_OWN_HEADERS.has(key.toLowerCase())) problems.push({ path: at, message: `"${key}" is set by the alert sender` });
    if (hasPlaceholders(raw)) problems.push({ path: at, message: 'alert header values cannot hold placeholders' });
    const value = resolve(raw, at);
    if (!HEADER_VALUE_WHITELIST.test(value))
      problems.push({ path: at, message: 'header values may hold only visible ASCII characters and spaces' });
    headers[key] = value;
  }
  return { url, secret, timeoutMs: a.timeoutSeconds * 1000, ...(Object.keys(headers).length > 0 ? { headers } : {}) };
}

function outboundProblems(outbound: RelayConfig['outbound']): FieldIssue[] {
  const problems: FieldIssue[] = [];
  outbound.allowPrivateNetworks.forEach((entry, i) => {
    try {
      parseCidr(entry);
    } catch (e) {
      problems.push({ path: `outbound.allowPrivateNetworks[${i}]`, message: (e as Error).message });
    }
  });
  return problems;
}

/** Read and YAML-decode a configuration file (not validated yet), or throw ConfigError. */
function readConfigDocument(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new ConfigError(file, [{ path: '', message: `cannot read file: ${(e as Error).message}` }]);
  }
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      file,
      doc.errors.map((e) => ({ path: e.linePos ? `line ${e.linePos[0].line}` : '', message: e.message.split('\n')[0] ?? e.message })),
    );
  }
  return doc.toJS() as unknown;
}

/** Read, parse and validate a YAML configuration file. */
export function loadConfigFile(file: string, env: Env, options: ParseOptions = {}): RelayConfig {
  return parseConfig(readConfigDocument(file), env, file, options);
}

/** A top-level block of a decoded configuration document (undefined when absent). */
function block(document: unknown, key: 'outbound' | 'alerts'): unknown {
  return document !== null && typeof document === 'object' ? (document as Record<string, unknown>)[key] : undefined;
}

function outboundOf(document: unknown, file: string): RelayConfig['outbound'] {
  const parsed = outboundSchema.default({ allowPrivateNetworks: [] }).safeParse(block(document, 'outbound'));
  if (!parsed.success) throw new ConfigError(file, zodIssues(parsed.error, ['outbound']));
  const problems = outboundProblems(parsed.data);
  if (problems.length > 0) throw new ConfigError(file, problems);
  return parsed.data;
}

/** The `alerts` block of a parsed file, its URL judged by the file's `outbound` allowlist; only its own `${…}`s resolved. */
function alertsOf(document: unknown, file: string, env: Env, outbound: RelayConfig['outbound']): AlertWebhook | undefined {
  const raw = block(document, 'alerts');
  if (raw === undefined || raw === null) return undefined;
  const parsed = alertsSchema.safeParse(raw);
  if (!parsed.success) throw new ConfigError(file, zodIssues(parsed.error, ['alerts']));
  const problems: FieldIssue[] = [];
  const urlRules = urlRulesFromEnv(env, outbound.allowPrivateNetworks);
  const alerts = parseAlerts(parsed.data, (value, at) => resolveEnvRefs(value, env, at, problems), urlRules, problems);
  if (problems.length > 0) throw new ConfigError(file, problems);
  return alerts;
}

/**
 * What a process that does not apply the configuration file reads of it, in one read: the
 * `outbound` policy (the worker's), and with `alerts` the alert webhook (the processes that send
 * alerts). The rest of the file (and the `${…}` secrets it references) is the business of whoever
 * applies it, so a worker starts without the receiver's secrets; the file must still be readable
 * YAML. Only the alert block's `${…}`s are resolved: the worker needs its own secret, none of
 * the receiver's.
 */
export function loadUnappliedBlocks(
  file: string,
  env: Env,
  options: { alerts: boolean },
): { outbound: RelayConfig['outbound']; alerts?: AlertWebhook } {
  const document = readConfigDocument(file);
  const outbound = outboundOf(document, file);
  const alerts = options.alerts ? alertsOf(document, file, env, outbound) : undefined;
  return { outbound, ...(alerts ? { alerts } : {}) };
}

/** Only the `alerts` block of a configuration file (see loadUnappliedBlocks). */
export function loadAlertWebhook(file: string, env: Env): AlertWebhook | undefined {
  return loadUnappliedBlocks(file, env, { alerts: true }).alerts;
}
