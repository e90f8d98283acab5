/**
 * Validation of management API bodies by the same code as the file (src/config/load.ts: the
 * rules README's "Configuration file" lists), with what only the API needs: `${ENV}`
 * references refused, redacted secrets put back from the stored entry, pause fields left to
 * /pause and /resume, and every problem reported at once — a destination's kind rules too, by
 * a second parse on a stand-in where the base fields were refused.
 */
import { destinationConnectors } from '../../destinations';
import { secretsOf, type UrlRules } from '../../destinations/connector';
import { hasEnvRefs } from '../../model/env-ref';
import { parseCredential, parseDestination, type ResolveRefs } from '../load';
import { zodIssues, type FieldIssue } from '../../model/field-issue';
import { isObject } from '../../model/is-object';
import { credentialSchema, destinationBaseSchema, sourceSchema } from '../schema';
import { resolveSource } from '../sources';
import { keepRedacted, nulProblems, replaceAt, SECRET_MARKER, valuesAt } from '../stored';
import { credentialSecretPaths, sourceSecretPaths } from '../../model/secret-slots';
import type { Credential } from '../../model/credential';
import type { DestinationConfig } from '../../model/destination';
import type { SourceConfig } from '../../model/source';
import { InlineCredentialExistsError, InvalidEntryError } from './errors';
import type { DestinationRow } from './rows';
import { RESOURCE_KEYS } from './views';

/** A validated destination ready to store: settings carry markers where secrets were. */
export interface StorableDestination {
  config: Omit<DestinationConfig, 'version' | 'paused' | 'pausedReason'>;
  secrets: Record<string, string>;
  /** Created paused (the file's or the request's `paused: true`); ignored by an update. */
  initialPause?: { reason?: string };
}

/** A validated credential set or source and its secret values (by path). */
export interface StorableEntry<T> {
  entry: T;
  secrets: Record<string, string>;
}

/** What checking a destination needs to know of the store. */
export interface DestinationContext {
  /** The allowlist and the relay's own port, for the URL rules (as the file is checked). */
  urlRules: UrlRules;
  credentialNames: ReadonlySet<string>;
  sourceIds: ReadonlySet<string>;
  /** The stored destination an update replaces, and its secrets (opened only if needed). */
  current?: { row: DestinationRow; secrets: () => Record<string, string> };
}

/** A client may send a resource back as it got it: what the API added is set aside. */
function withoutMeta(input: unknown): unknown {
  return isObject(input) ? Object.fromEntries(Object.entries(input).filter(([k]) => !RESOURCE_KEYS.includes(k))) : input;
}

/** A PUT names its entry in the URL; a body naming another one is a mistake, not a rename. */
export function refuseRename(what: string, field: 'name' | 'id', key: string, input: unknown): void {
  if (isObject(input) && input[field] !== undefined && input[field] !== key) {
    throw new InvalidEntryError(`the ${what}`, [
      { path: field, message: `the ${field} is "${key}" (from the URL); a ${what} cannot be renamed` },
    ]);
  }
}

function refuseNul(what: string, input: unknown): void {
  const nul = nulProblems(input);
  if (nul.length > 0) throw new InvalidEntryError(what, nul);
}

/** `${ENV}` references belong to files; through the API a secret is sent as its value. */
function refuseRefs(problems: FieldIssue[]): ResolveRefs {
  return (value, path) => {
    if (hasEnvRefs(value)) {
      problems.push({ path, message: '${...} references are resolved only by `relay apply` from a file; send the value itself' });
    }
    return value;
  };
}

/**
 * Pause is state: an update (PUT, PATCH) may send `paused` / `pausedReason` back as it read
 * them, but changing them goes through /pause and /resume, which wake held runs; a silent
 * no-op would leave an operator believing a destination paused when it is not.
 */
function refusePauseChange(input: Record<string, unknown>, current: DestinationRow, problems: FieldIssue[]): void {
  const how = 'pause and resume with POST /v1/destinations/{name}/pause or /resume';
  if (input.paused !== undefined && input.paused !== current.paused) {
    problems.push({ path: 'paused', message: `the destination is ${current.paused ? '' : 'not '}paused; ${how}` });
  }
  if (input.pausedReason !== undefined && (input.pausedReason ?? null) !== current.paused_reason) {
    problems.push({ path: 'pausedReason', message: `the reason is set when pausing; ${how}` });
  }
}

/** Validate a destination request body; an inline `auth` credential set comes back beside it. */
export function validateDestination(given: unknown, ctx: DestinationContext): StorableDestination & { credential?: Credential } {
  const { urlRules, current } = ctx;
  const problems: FieldIssue[] = [];
  const resolve = refuseRefs(problems);
  const meta = withoutMeta(given);
  if (!isObject(meta)) throw new InvalidEntryError('the destination', [{ path: '', message: 'expected a JSON object' }]);
  let input = meta;
  refuseNul('the destination', input);
  if (current) {
    refusePauseChange(input, current.row, problems);
    if (problems.length > 0) throw new InvalidEntryError('the destination', problems);
    input = Object.fromEntries(Object.entries(input).filter(([k]) => k !== 'paused' && k !== 'pausedReason'));
  }
  let body = input;
  let credential: Credential | undefined;
  // webhook `auth` may define the credential set inline: it is created with the destination.
  if (isObject(input.auth)) {
    const parsed = credentialSchema.safeParse(input.auth);
    if (!parsed.success) problems.push(...zodIssues(parsed.error, ['auth']));
    else {
      credential = parseCredential(parsed.data, 'auth', resolve, problems, urlRules);
      body = { ...input, auth: credential.name };
    }
  }
  const base = destinationBaseSchema.safeParse(body);
  if (!base.success) {
    // Report the kind's rules too (one issue per violated rule), checked on a copy where the
    // fields the base schema refused are set aside.
    const baseIssues = zodIssues(base.error);
    const refused = new Set(base.error.issues.map((i) => String(i.path[0] ?? '')));
    const stand: Record<string, unknown> = { name: 'n', kind: body.kind, events: ['e'] };
    const rest = Object.fromEntries(Object.entries(body).filter(([k]) => !refused.has(k)));
    const retry = destinationBaseSchema.safeParse({ ...stand, ...rest });
    if (retry.success && !refused.has('kind')) {
      const more: FieldIssue[] = [];
      parseDestination(retry.data, '', { resolve: refuseRefs(more), credentialNames: ctx.credentialNames, urlRules }, more);
      problems.push(...more.filter((p) => !refused.has(p.path.replace(/^\./, '').split(/[.[]/)[0] ?? '')));
    }
    throw new InvalidEntryError('the destination', [...problems, ...baseIssues]);
  }
  const credentialNames = new Set(ctx.credentialNames);
  if (credential) {
    if (credentialNames.has(credential.name)) throw new InlineCredentialExistsError(credential.name);
    credentialNames.add(credential.name);
  }
  for (const [i, id] of (base.data.sources ?? []).entries()) {
    if (!ctx.sourceIds.has(id)) problems.push({ path: `sources.${i}`, message: `no source with id "${id}"` });
  }
  const stored = current ? current.secrets() : {};
  const secret = (slot: string, value: string) => keepRedacted(value, stored[slot], slot, problems);
  const config = parseDestination(base.data, '', { resolve, credentialNames, secret, urlRules }, problems);
  if (problems.length > 0 || !config) throw new InvalidEntryError('the destination', problems);
  return { ...storableDestination(config), ...(credential ? { credential } : {}) };
}

/** Split a validated destination into the stored entry (markers) and its secrets (values). */
export function storableDestination(config: DestinationConfig | Omit<DestinationConfig, 'version'>): StorableDestination {
  const connector = destinationConnectors[config.kind];
  if (!connector) throw new Error(`unknown destination kind ${config.kind}`);
  const secrets = secretsOf(connector, config.settings);
  const settings = connector.withSecrets(config.settings, () => SECRET_MARKER) as Record<string, unknown>;
  const rest = { ...config } as Partial<DestinationConfig>;
  delete rest.version;
  delete rest.paused;
  delete rest.pausedReason;
  const initialPause = config.paused ? { initialPause: config.pausedReason ? { reason: config.pausedReason } : {} } : {};
  return { config: { ...(rest as StorableDestination['config']), settings }, secrets, ...initialPause };
}

export function credentialSecrets(c: Credential): Record<string, string> {
  return valuesAt(c, credentialSecretPaths(c));
}

/** Put the stored secret back wherever a request sent the redacted form the API showed. */
function restoreRedacted<T>(entry: T, paths: string[], stored: Record<string, string>, problems: FieldIssue[]): T {
  return replaceAt(entry, paths, (path, value) => keepRedacted(value, stored[path], path, problems));
}

/** Validate a credential set request body; `stored`: the secrets of the set an update replaces. */
export function validateCredential(input: unknown, urlRules: UrlRules, stored: Record<string, string> = {}): StorableEntry<Credential> {
  refuseNul('the credential set', input);
  const parsed = credentialSchema.safeParse(withoutMeta(input));
  if (!parsed.success) throw new InvalidEntryError('the credential set', zodIssues(parsed.error));
  const problems: FieldIssue[] = [];
  const entry = restoreRedacted(parsed.data, credentialSecretPaths(parsed.data), stored, problems);
  const credential = parseCredential(entry, '', refuseRefs(problems), problems, urlRules);
  if (problems.length > 0) throw new InvalidEntryError('the credential set', problems);
  return { entry: credential, secrets: credentialSecrets(credential) };
}

/** Validate a source request body; `stored`: the secrets of the source an update replaces. */
export function validateSource(input: unknown, stored: Record<string, string> = {}): StorableEntry<SourceConfig> {
  refuseNul('the source', input);
  const parsed = sourceSchema.safeParse(withoutMeta(input));
  if (!parsed.success) throw new InvalidEntryError('the source', zodIssues(parsed.error));
  const problems: FieldIssue[] = [];
  const entry = restoreRedacted(parsed.data, sourceSecretPaths(parsed.data), stored, problems);
  const source = resolveSource(entry, '', refuseRefs(problems), problems);
  if (problems.length > 0) throw new InvalidEntryError('the source', problems);
  return { entry: source, secrets: valuesAt(source, sourceSecretPaths(source)) };
}
