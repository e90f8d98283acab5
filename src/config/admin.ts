/**
 * Writes to the configuration store, for the management API and `relay apply`. Every entry
 * is validated by the same code as the file (src/config/load.ts: the rules README's
 * "Configuration file" lists), secrets are sealed before they reach SQL, and each change runs
 * in one transaction under one advisory lock, so two operators (or an apply and an operator)
 * never interleave.
 * Destinations are versioned: an update writes a new row of destination_versions and moves
 * the pointer, so runs in flight keep the version they planned with.
 */
import type { Pool, PoolClient } from 'pg';
import { withTransaction } from '../db/transaction';
import { destinationConnectors } from '../destinations';
import { secretsOf } from '../destinations/connector';
import { hasEnvRefs } from '../destinations/webhook-rules';
import { HttpError, type FieldIssue } from '../errors';
import { parseCredential, parseDestination, prefixed, zodProblems, type ConfigProblem, type ResolveRefs, type UrlRules } from './load';
import { setDestinationPaused, type PauseState } from './pause';
import { aad, openSecrets, type Sealer } from './pg-store';
import { credentialSchema, destinationBaseSchema, sourceSchema } from './schema';
import type { SourceConfigInput } from './source-schema';
import { resolveSource } from './sources';
import {
  canonicalJson,
  credentialSecretPaths,
  describeHints,
  hintsOf,
  isStorableKey,
  keepRedacted,
  nulProblems,
  redacted,
  replaceAt,
  SECRET_MARKER,
  sourceSecretPaths,
  valuesAt,
  type SecretHints,
} from './stored';
import type { Credential, DestinationConfig, SourceConfig } from './store';

/** Any key (same for every writer): writes to the configuration are serialized. */
const WRITE_LOCK = 0x7265_6c61; // "rela"

export interface ResourceMeta {
  version: number;
  createdAt: string;
  updatedAt: string;
  secrets: SecretHints;
}

/** A destination's pause is state shown beside its definition (not part of a version). */
export interface PauseFields {
  paused: boolean;
  pausedReason: string | null;
  pausedAt: string | null;
}

export type DestinationResource = Record<string, unknown> & ResourceMeta & PauseFields & { name: string; kind: string };
export type CredentialResource = Credential & ResourceMeta & { referencedBy: string[] };
export type SourceResource = SourceConfigInput & ResourceMeta;

export type Action = 'created' | 'updated' | 'unchanged';

/** `expected`: the version the caller last saw (If-Match), or `*` for whatever is current. */
export interface Precondition {
  expected: number | '*';
}

function validationError(what: string, problems: ConfigProblem[]): HttpError {
  const issues: FieldIssue[] = problems.map((p) => ({
    path: p.path.replace(/^\./, ''),
    message: p.message,
    ...(p.rule ? { rule: p.rule } : {}),
  }));
  return new HttpError(
    422,
    'validation_failed',
    `${what} is not valid (${issues.length} problem${issues.length === 1 ? '' : 's'})`,
    issues,
  );
}

const notFound = (what: string) => new HttpError(404, 'not_found', `${what} does not exist`);

function checkVersion(what: string, current: number, pre: Precondition): void {
  if (pre.expected !== '*' && current !== pre.expected) {
    throw new HttpError(
      412,
      'version_conflict',
      `${what} is at version ${current}, not ${pre.expected}: it changed since you read it; read it again and reapply your change`,
    );
  }
}

/** A PUT names its entry in the URL; a body naming another one is a mistake, not a rename. */
function refuseRename(what: string, field: 'name' | 'id', key: string, input: unknown): void {
  if (isObject(input) && input[field] !== undefined && input[field] !== key) {
    throw validationError(`the ${what}`, [
      { path: field, message: `the ${field} is "${key}" (from the URL); a ${what} cannot be renamed` },
    ]);
  }
}

function refuseNul(what: string, input: unknown): void {
  const nul = nulProblems(input);
  if (nul.length > 0) throw validationError(what, nul);
}

/** `${ENV}` references belong to files; through the API a secret is sent as its value. */
function refuseRefs(problems: ConfigProblem[]): ResolveRefs {
  return (value, path) => {
    if (hasEnvRefs(value)) {
      problems.push({ path, message: '${...} references are resolved only by `relay apply` from a file; send the value itself' });
    }
    return value;
  };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function pgCode(e: unknown): string | undefined {
  return isObject(e) && typeof e.code === 'string' ? e.code : undefined;
}

const iso = (d: Date | string) => new Date(d).toISOString();

/** What the API adds to an entry; a client may send a resource back as it got it. */
const RESOURCE_KEYS = ['version', 'createdAt', 'updatedAt', 'secrets', 'referencedBy', 'pausedAt'];

function withoutMeta(input: unknown): unknown {
  return isObject(input) ? Object.fromEntries(Object.entries(input).filter(([k]) => !RESOURCE_KEYS.includes(k))) : input;
}

/** A validated destination ready to store: settings carry markers where secrets were. */
export interface StorableDestination {
  config: Omit<DestinationConfig, 'version' | 'paused' | 'pausedReason'>;
  secrets: Record<string, string>;
  /** Created paused (the file's or the request's `paused: true`); ignored by an update. */
  initialPause?: { reason?: string };
}

/**
 * Pause is state: an update (PUT, PATCH) may send `paused` / `pausedReason` back as it read
 * them, but changing them goes through /pause and /resume, which wake held runs; a silent
 * no-op would leave an operator believing a destination paused when it is not.
 */
function refusePauseChange(input: Record<string, unknown>, current: DestinationRow, problems: ConfigProblem[]): void {
  const how = 'pause and resume with POST /v1/destinations/{name}/pause or /resume';
  if (input.paused !== undefined && input.paused !== current.paused) {
    problems.push({ path: 'paused', message: `the destination is ${current.paused ? '' : 'not '}paused; ${how}` });
  }
  if (input.pausedReason !== undefined && (input.pausedReason ?? null) !== current.paused_reason) {
    problems.push({ path: 'pausedReason', message: `the reason is set when pausing; ${how}` });
  }
}

export interface StorableEntry<T> {
  entry: T;
  secrets: Record<string, string>;
}

interface DestinationRow {
  name: string;
  kind: string;
  version: number;
  enabled: boolean;
  events: string[];
  sources: string[] | null;
  created_at: Date;
  updated_at: Date;
  config: DestinationConfig;
  secrets: string;
  secret_hints: Record<string, string>;
  paused: boolean;
  paused_reason: string | null;
  paused_at: Date | null;
}

interface EntryRow<T> {
  version: number;
  config: T;
  secrets: string;
  secret_hints: Record<string, string>;
  created_at: Date;
  updated_at: Date;
}

/** The destination as the API shows it: the file's entry shape, secrets redacted. */
function destinationResource(row: DestinationRow): DestinationResource {
  const { settings, version, ...base } = row.config;
  void version; // the row's integer version is shown instead
  const connector = destinationConnectors[row.kind];
  const shown = connector
    ? (connector.withSecrets(settings, (slot) => redacted(row.secret_hints[slot] ?? '')) as Record<string, unknown>)
    : settings;
  return {
    ...base,
    ...shown,
    name: row.name,
    kind: row.kind,
    version: row.version,
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
    secrets: describeHints(row.secret_hints),
    paused: row.paused,
    pausedReason: row.paused_reason,
    pausedAt: row.paused_at && iso(row.paused_at),
  };
}

function entryResource<T extends object>(row: EntryRow<T>, paths: string[]): ResourceMeta & T {
  return {
    ...replaceAt(row.config, paths, (path) => redacted(row.secret_hints[path] ?? '')),
    version: row.version,
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
    secrets: describeHints(row.secret_hints),
  };
}

type SaveMode = 'create' | 'update' | 'upsert';

/** Credential sets and sources: one row per entry, secrets at fixed paths, a version counter. */
interface EntryTable<T> {
  table: 'credential_sets' | 'sources';
  /** Key column (the entry's name or id) and the column holding its type or kind. */
  key: 'name' | 'id';
  type: 'type' | 'kind';
  what: string;
  keyOf(entry: T): string;
  typeOf(entry: T): string;
  secretPaths(entry: T): string[];
  aad(key: string): string;
}

const CREDENTIALS: EntryTable<Credential> = {
  table: 'credential_sets',
  key: 'name',
  type: 'type',
  what: 'credential set',
  keyOf: (c) => c.name,
  typeOf: (c) => c.type,
  secretPaths: credentialSecretPaths,
  aad: aad.credential,
};

const SOURCES: EntryTable<SourceConfig> = {
  table: 'sources',
  key: 'id',
  type: 'kind',
  what: 'source',
  keyOf: (s) => s.id,
  typeOf: (s) => s.kind,
  secretPaths: sourceSecretPaths,
  aad: aad.source,
};

/** Writes and reads of one transaction. */
export class ConfigWriter {
  constructor(
    private readonly db: PoolClient,
    private readonly sealer: Sealer,
    /** The allowlist and the relay's own port, for the URL rules (as the file is checked). */
    private readonly urlRules: UrlRules = { allowPrivateNetworks: [] },
  ) {}

  // ---------------------------------------------------------------- destinations

  async listDestinations(): Promise<DestinationResource[]> {
    const { rows } = await this.db.query<DestinationRow>(`${DESTINATION_SELECT} ORDER BY d.name`);
    return rows.map(destinationResource);
  }

  async getDestination(name: string): Promise<DestinationResource | undefined> {
    const row = await this.destinationRow(name);
    return row && destinationResource(row);
  }

  /** Validate an API request body. `current`: the stored destination an update replaces. */
  async validateDestination(given: unknown, current?: DestinationRow): Promise<StorableDestination & { credential?: Credential }> {
    const problems: ConfigProblem[] = [];
    const resolve = refuseRefs(problems);
    const meta = withoutMeta(given);
    if (!isObject(meta)) throw validationError('the destination', [{ path: '', message: 'expected a JSON object' }]);
    let input = meta;
    refuseNul('the destination', input);
    if (current) {
      refusePauseChange(input, current, problems);
      if (problems.length > 0) throw validationError('the destination', problems);
      input = Object.fromEntries(Object.entries(input).filter(([k]) => k !== 'paused' && k !== 'pausedReason'));
    }
    let body = input;
    let credential: Credential | undefined;
    // webhook `auth` may define the credential set inline: it is created with the destination.
    if (isObject(input.auth)) {
      const parsed = credentialSchema.safeParse(input.auth);
      if (!parsed.success) problems.push(...prefixed(parsed.error, 'auth'));
      else {
        credential = parseCredential(parsed.data, 'auth', resolve, problems, this.urlRules);
        body = { ...input, auth: credential.name };
      }
    }
    const base = destinationBaseSchema.safeParse(body);
    if (!base.success) {
      // Report the kind's rules too (one issue per violated rule), checked on a copy where the
      // fields the base schema refused are set aside.
      const baseIssues = zodProblems(base.error);
      const refused = new Set(base.error.issues.map((i) => String(i.path[0] ?? '')));
      const stand: Record<string, unknown> = { name: 'n', kind: body.kind, events: ['e'] };
      const rest = Object.fromEntries(Object.entries(body).filter(([k]) => !refused.has(k)));
      const retry = destinationBaseSchema.safeParse({ ...stand, ...rest });
      if (retry.success && !refused.has('kind')) {
        const more: ConfigProblem[] = [];
        const credentialNames = new Set(await this.names(CREDENTIALS));
        parseDestination(retry.data, '', { resolve: refuseRefs(more), credentialNames, urlRules: this.urlRules }, more);
        problems.push(...more.filter((p) => !refused.has(p.path.replace(/^\./, '').split(/[.[]/)[0] ?? '')));
      }
      throw validationError('the destination', [...problems, ...baseIssues]);
    }
    const credentialNames = new Set(await this.names(CREDENTIALS));
    if (credential) {
      if (credentialNames.has(credential.name)) {
        throw new HttpError(
          409,
          'credential_exists',
          `a credential set named "${credential.name}" exists: name it in "auth" instead of defining it again`,
        );
      }
      credentialNames.add(credential.name);
    }
    const sourceIds = new Set(await this.names(SOURCES));
    for (const [i, id] of (base.data.sources ?? []).entries()) {
      if (!sourceIds.has(id)) problems.push({ path: `sources.${i}`, message: `no source with id "${id}"` });
    }
    const stored = current ? openSecrets(this.sealer, current.secrets, aad.destinationVersion(current.name, current.version)) : {};
    const secret = (slot: string, value: string) => keepRedacted(value, stored[slot], slot, problems);
    const config = parseDestination(base.data, '', { resolve, credentialNames, secret, urlRules: this.urlRules }, problems);
    if (problems.length > 0 || !config) throw validationError('the destination', problems);
    return { ...this.storableDestination(config), ...(credential ? { credential } : {}) };
  }

  /** Split a validated destination into the stored entry (markers) and its secrets (values). */
  storableDestination(config: DestinationConfig | Omit<DestinationConfig, 'version'>): StorableDestination {
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

  async createDestination(input: unknown): Promise<DestinationResource> {
    const { config, secrets, credential, initialPause } = await this.validateDestination(input);
    if (await this.destinationRow(config.name)) throw this.nameTaken('destination', config.name);
    if (credential) await this.saveCredential({ entry: credential, secrets: this.credentialSecrets(credential) }, 'create');
    await this.saveDestination({ config, secrets, ...(initialPause ? { initialPause } : {}) }, 'create');
    return (await this.getDestination(config.name))!;
  }

  async replaceDestination(name: string, input: unknown, pre: Precondition): Promise<DestinationResource> {
    const current = await this.currentDestination(name, pre);
    refuseRename('destination', 'name', name, input);
    const { config, secrets, credential } = await this.validateDestination({ ...(isObject(input) ? input : {}), name }, current);
    if (credential) await this.saveCredential({ entry: credential, secrets: this.credentialSecrets(credential) }, 'create');
    await this.saveDestination({ config, secrets }, 'update', current);
    return (await this.getDestination(name))!;
  }

  async deleteDestination(name: string, pre: Precondition): Promise<void> {
    await this.currentDestination(name, pre);
    // Its versions stay: runs in flight finish with the one they planned with.
    await this.db.query('DELETE FROM destinations WHERE name = $1', [name]);
  }

  /**
   * Store a validated destination. `update` refuses a changed kind, event set or source list
   * (fixed after creation); `upsert` (apply) creates or updates and says which, or unchanged.
   */
  async saveDestination(d: StorableDestination, mode: 'create' | 'update' | 'upsert', known?: DestinationRow): Promise<Action> {
    const { config, secrets } = d;
    const current = known ?? (mode === 'create' ? undefined : await this.destinationRow(config.name, true));
    if (current) {
      if (mode === 'create') throw this.nameTaken('destination', config.name);
      this.checkFixed(current, config);
      const stored = openSecrets(this.sealer, current.secrets, aad.destinationVersion(current.name, current.version));
      const was = { ...current.config } as Partial<DestinationConfig>;
      delete was.version;
      if (canonicalJson(was) === canonicalJson(config) && canonicalJson(stored) === canonicalJson(secrets)) return 'unchanged';
    } else if (mode === 'update') throw notFound(`destination "${config.name}"`);

    const { rows } = await this.db.query<{ next: number }>(
      'SELECT COALESCE(MAX(version), 0) + 1 AS next FROM destination_versions WHERE name = $1',
      [config.name],
    );
    const version = rows[0]!.next;
    const entry = { ...config, version: String(version) };
    const flat = { ...Object.fromEntries(Object.entries(config).filter(([k]) => k !== 'settings')), ...config.settings };
    await this.db.query(
      `INSERT INTO destination_versions (name, version, config, input, secrets, secret_hints) VALUES ($1, $2, $3, $4, $5, $6)`,
      [
        config.name,
        version,
        JSON.stringify(entry),
        JSON.stringify(flat),
        this.sealer.seal(JSON.stringify(secrets), aad.destinationVersion(config.name, version)),
        JSON.stringify(hintsOf(secrets)),
      ],
    );
    const auth = (config.settings as { auth?: unknown }).auth;
    const credential = typeof auth === 'string' ? auth : null;
    try {
      if (current) {
        await this.db.query('UPDATE destinations SET enabled = $2, credential = $3, version = $4, updated_at = now() WHERE name = $1', [
          config.name,
          config.enabled,
          credential,
          version,
        ]);
        return 'updated';
      }
      const pause = d.initialPause;
      await this.db.query(
        `INSERT INTO destinations (name, kind, enabled, events, sources, credential, version, paused, paused_reason, paused_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, CASE WHEN $8 THEN now() END)`,
        [
          config.name,
          config.kind,
          config.enabled,
          config.events,
          config.sources ?? null,
          credential,
          version,
          !!pause,
          pause?.reason ?? null,
        ],
      );
      return 'created';
    } catch (e) {
      if (pgCode(e) === '23503') {
        throw validationError('the destination', [{ path: 'auth', message: `no credential set named "${String(credential)}"` }]);
      }
      throw e;
    }
  }

  private checkFixed(current: DestinationRow, next: Omit<DestinationConfig, 'version'>): void {
    const sorted = (list: readonly string[] | null | undefined) => (list ? [...list].sort() : null);
    const fixed: [string, unknown, unknown][] = [
      ['kind', current.kind, next.kind],
      ['events', sorted(current.events), sorted(next.events)],
      ['sources', sorted(current.sources), sorted(next.sources)],
    ];
    for (const [field, was, now] of fixed) {
      if (canonicalJson(was) !== canonicalJson(now)) {
        throw new HttpError(
          409,
          'immutable_field',
          `the ${field} of destination "${current.name}" cannot change after creation (was ${JSON.stringify(was)}): create a new destination, then delete this one`,
          [{ path: field, message: `fixed after creation; was ${JSON.stringify(was)}` }],
        );
      }
    }
  }

  /** The destination an update or delete acts on, locked, at the version the caller read. */
  private async currentDestination(name: string, pre: Precondition): Promise<DestinationRow> {
    const current = await this.destinationRow(name, true);
    if (!current) throw notFound(`destination "${name}"`);
    checkVersion(`destination "${name}"`, current.version, pre);
    return current;
  }

  private async destinationRow(name: string, forUpdate = false): Promise<DestinationRow | undefined> {
    if (!isStorableKey(name)) return undefined;
    const { rows } = await this.db.query<DestinationRow>(`${DESTINATION_SELECT} WHERE d.name = $1${forUpdate ? ' FOR UPDATE OF d' : ''}`, [
      name,
    ]);
    return rows[0];
  }

  // ---------------------------------------------------------------- credential sets

  credentialSecrets(c: Credential): Record<string, string> {
    return valuesAt(c, CREDENTIALS.secretPaths(c));
  }

  async listCredentials(): Promise<CredentialResource[]> {
    const { rows } = await this.db.query<CredentialRow>(`${CREDENTIAL_SELECT} ORDER BY c.name`);
    return rows.map(credentialResource);
  }

  async getCredential(name: string): Promise<CredentialResource | undefined> {
    if (!isStorableKey(name)) return undefined;
    const { rows } = await this.db.query<CredentialRow>(`${CREDENTIAL_SELECT} WHERE c.name = $1`, [name]);
    return rows[0] && credentialResource(rows[0]);
  }

  validateCredential(input: unknown, current?: EntryRow<Credential>): StorableEntry<Credential> {
    refuseNul('the credential set', input);
    const parsed = credentialSchema.safeParse(withoutMeta(input));
    if (!parsed.success) throw validationError('the credential set', zodProblems(parsed.error));
    const problems: ConfigProblem[] = [];
    const entry = this.restoreRedacted(CREDENTIALS, parsed.data, current, problems);
    const credential = parseCredential(entry, '', refuseRefs(problems), problems, this.urlRules);
    if (problems.length > 0) throw validationError('the credential set', problems);
    return { entry: credential, secrets: this.credentialSecrets(credential) };
  }

  async createCredential(input: unknown): Promise<CredentialResource> {
    const valid = this.validateCredential(input);
    await this.saveCredential(valid, 'create');
    return (await this.getCredential(valid.entry.name))!;
  }

  async replaceCredential(name: string, input: unknown, pre: Precondition): Promise<CredentialResource> {
    const current = await this.currentEntry(CREDENTIALS, name, pre);
    refuseRename('credential set', 'name', name, input);
    await this.saveCredential(this.validateCredential({ ...(isObject(input) ? input : {}), name }, current), 'update', current);
    return (await this.getCredential(name))!;
  }

  async deleteCredential(name: string, pre: Precondition): Promise<void> {
    await this.currentEntry(CREDENTIALS, name, pre);
    const users = await this.credentialUsers(name);
    if (users.length > 0) {
      throw new HttpError(
        409,
        'credential_in_use',
        `credential set "${name}" is used by destination${users.length === 1 ? '' : 's'} ${users.map((u) => `"${u}"`).join(', ')}: change or delete ${users.length === 1 ? 'it' : 'them'} first`,
      );
    }
    await this.db.query('DELETE FROM credential_sets WHERE name = $1', [name]);
  }

  saveCredential(c: StorableEntry<Credential>, mode: SaveMode, known?: EntryRow<Credential>): Promise<Action> {
    return this.saveEntry(CREDENTIALS, c, mode, known);
  }

  private async credentialUsers(name: string): Promise<string[]> {
    const { rows } = await this.db.query<{ name: string }>('SELECT name FROM destinations WHERE credential = $1 ORDER BY name', [name]);
    return rows.map((r) => r.name);
  }

  // ---------------------------------------------------------------- sources

  async listSources(): Promise<SourceResource[]> {
    const { rows } = await this.db.query<EntryRow<SourceConfig>>('SELECT * FROM sources ORDER BY id');
    return rows.map((row) => entryResource(row, Object.keys(row.secret_hints)));
  }

  async getSource(id: string): Promise<SourceResource | undefined> {
    const row = await this.entryRow(SOURCES, id);
    return row && entryResource(row, Object.keys(row.secret_hints));
  }

  validateSource(input: unknown, current?: EntryRow<SourceConfig>): StorableEntry<SourceConfig> {
    refuseNul('the source', input);
    const parsed = sourceSchema.safeParse(withoutMeta(input));
    if (!parsed.success) throw validationError('the source', zodProblems(parsed.error));
    const problems: ConfigProblem[] = [];
    const entry = this.restoreRedacted(SOURCES, parsed.data, current, problems);
    const source = resolveSource(entry, '', refuseRefs(problems), problems);
    if (problems.length > 0) throw validationError('the source', problems);
    return { entry: source, secrets: valuesAt(source, SOURCES.secretPaths(source)) };
  }

  async createSource(input: unknown): Promise<SourceResource> {
    const valid = this.validateSource(input);
    await this.saveSource(valid, 'create');
    return (await this.getSource(valid.entry.id))!;
  }

  async replaceSource(id: string, input: unknown, pre: Precondition): Promise<SourceResource> {
    const current = await this.currentEntry(SOURCES, id, pre);
    refuseRename('source', 'id', id, input);
    await this.saveSource(this.validateSource({ ...(isObject(input) ? input : {}), id }, current), 'update', current);
    return (await this.getSource(id))!;
  }

  async deleteSource(id: string, pre: Precondition): Promise<void> {
    await this.currentEntry(SOURCES, id, pre);
    const { rows } = await this.db.query<{ name: string }>('SELECT name FROM destinations WHERE $1 = ANY (sources) ORDER BY name', [id]);
    if (rows.length > 0) {
      throw new HttpError(
        409,
        'source_in_use',
        `source "${id}" is named by destination${rows.length === 1 ? '' : 's'} ${rows.map((r) => `"${r.name}"`).join(', ')}: delete ${rows.length === 1 ? 'it' : 'them'} first`,
      );
    }
    await this.db.query('DELETE FROM sources WHERE id = $1', [id]);
  }

  saveSource(s: StorableEntry<SourceConfig>, mode: SaveMode, known?: EntryRow<SourceConfig>): Promise<Action> {
    return this.saveEntry(SOURCES, s, mode, known);
  }

  // ---------------------------------------------------------------- credential sets and sources alike

  private async entryRow<T>(t: EntryTable<T>, key: string, forUpdate = false): Promise<EntryRow<T> | undefined> {
    if (!isStorableKey(key)) return undefined;
    const { rows } = await this.db.query<EntryRow<T>>(`SELECT * FROM ${t.table} WHERE ${t.key} = $1${forUpdate ? ' FOR UPDATE' : ''}`, [
      key,
    ]);
    return rows[0];
  }

  /** The row an update or delete acts on, locked, at the version the caller read. */
  private async currentEntry<T>(t: EntryTable<T>, key: string, pre: Precondition): Promise<EntryRow<T>> {
    const current = await this.entryRow(t, key, true);
    if (!current) throw notFound(`${t.what} "${key}"`);
    checkVersion(`${t.what} "${key}"`, current.version, pre);
    return current;
  }

  /** Put the stored secret back wherever a request sent the redacted form the API showed. */
  private restoreRedacted<T>(t: EntryTable<T>, entry: T, current: EntryRow<T> | undefined, problems: ConfigProblem[]): T {
    const stored = current ? openSecrets(this.sealer, current.secrets, t.aad(t.keyOf(current.config))) : {};
    return replaceAt(entry, t.secretPaths(entry), (path, value) => keepRedacted(value, stored[path], path, problems));
  }

  private async saveEntry<T>(t: EntryTable<T>, s: StorableEntry<T>, mode: SaveMode, known?: EntryRow<T>): Promise<Action> {
    const key = t.keyOf(s.entry);
    const current = known ?? (mode === 'create' ? undefined : await this.entryRow(t, key, true));
    const config = replaceAt(s.entry, t.secretPaths(s.entry), () => SECRET_MARKER);
    if (current) {
      if (mode === 'create') throw this.nameTaken(t.what, key);
      const stored = openSecrets(this.sealer, current.secrets, t.aad(key));
      if (canonicalJson(current.config) === canonicalJson(config) && canonicalJson(stored) === canonicalJson(s.secrets)) return 'unchanged';
    } else if (mode === 'update') throw notFound(`${t.what} "${key}"`);
    const values = [
      key,
      t.typeOf(s.entry),
      JSON.stringify(config),
      this.sealer.seal(JSON.stringify(s.secrets), t.aad(key)),
      JSON.stringify(hintsOf(s.secrets)),
    ];
    if (current) {
      await this.db.query(
        `UPDATE ${t.table} SET ${t.type} = $2, config = $3, secrets = $4, secret_hints = $5, version = nextval('entry_versions'), updated_at = now() WHERE ${t.key} = $1`,
        values,
      );
      return 'updated';
    }
    try {
      await this.db.query(
        `INSERT INTO ${t.table} (${t.key}, ${t.type}, config, secrets, secret_hints) VALUES ($1, $2, $3, $4, $5)`,
        values,
      );
    } catch (e) {
      if (pgCode(e) === '23505') throw this.nameTaken(t.what, key);
      throw e;
    }
    return 'created';
  }

  // ---------------------------------------------------------------- shared

  private async names(t: EntryTable<Credential> | EntryTable<SourceConfig>): Promise<string[]> {
    const { rows } = await this.db.query<{ n: string }>(`SELECT ${t.key} AS n FROM ${t.table}`);
    return rows.map((r) => r.n);
  }

  private nameTaken(what: string, name: string): HttpError {
    return new HttpError(409, 'name_taken', `a ${what} named "${name}" exists (names are unique and case-sensitive)`);
  }
}

/** Credential sets with the destinations that use them, in one query (lists need no query per set). */
const CREDENTIAL_SELECT = `SELECT c.*, ARRAY(SELECT d.name FROM destinations d WHERE d.credential = c.name ORDER BY d.name) AS referenced_by
  FROM credential_sets c`;

type CredentialRow = EntryRow<Credential> & { referenced_by: string[] };

function credentialResource(row: CredentialRow): CredentialResource {
  const { referenced_by: referencedBy, ...entry } = row;
  return { ...entryResource(entry, Object.keys(row.secret_hints)), referencedBy };
}

const DESTINATION_SELECT = `SELECT d.name, d.kind, d.version, d.enabled, d.events, d.sources, d.created_at, d.updated_at,
       d.paused, d.paused_reason, d.paused_at, v.config, v.secrets, v.secret_hints
  FROM destinations d JOIN destination_versions v ON v.name = d.name AND v.version = d.version`;

/** Entry point of writes: one transaction per call, serialized with every other writer. */
export class ConfigAdmin {
  constructor(
    private readonly pool: Pool,
    private readonly sealer: Sealer,
    /** What the URL rules know of the network (urlRulesFromEnv); default: an empty allowlist, no own port. */
    private readonly urlRules: UrlRules = { allowPrivateNetworks: [] },
  ) {}

  /** Run `fn` in a transaction; with `rollback` (dry runs) nothing it did is kept. */
  transaction<T>(fn: (w: ConfigWriter) => Promise<T>, options: { rollback?: boolean; readOnly?: boolean } = {}): Promise<T> {
    return withTransaction(
      this.pool,
      async (client) => {
        if (!options.readOnly) await client.query('SELECT pg_advisory_xact_lock($1)', [WRITE_LOCK]);
        return fn(new ConfigWriter(client, this.sealer, this.urlRules));
      },
      {
        // Reads see one snapshot (a list and its referencedBy agree); writes are serialized by the lock.
        begin: options.readOnly ? 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY' : 'BEGIN',
        ...(options.rollback ? { rollback: true } : {}),
      },
    );
  }

  /** Pause or resume a destination: its state, not a new version (src/config/pause.ts). */
  setPaused(name: string, paused: boolean, reason?: string): Promise<PauseState | undefined> {
    return setDestinationPaused(this.pool, name, paused, reason);
  }

  /** Reads need no lock; they still see one consistent snapshot. */
  read<T>(fn: (w: ConfigWriter) => Promise<T>): Promise<T> {
    return this.transaction(fn, { rollback: true, readOnly: true });
  }
}
