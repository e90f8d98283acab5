/**
 * Credential sets and sources in SQL: one row per entry, secrets sealed at fixed paths of the
 * entry (bound to its key), a version counter for If-Match. Deleting one still used by a
 * destination is refused.
 */
import type { PoolClient } from 'pg';
import type { UrlRules } from '../../destinations/connector';
import { aad, openSecrets, type Sealer } from '../pg-store';
import { canonicalJson, hintsOf, isStorableKey, replaceAt, SECRET_MARKER } from '../stored';
import { credentialSecretPaths, sourceSecretPaths } from '../../model/secret-slots';
import type { Credential } from '../../model/credential';
import type { SourceConfig } from '../../model/source';
import { EntryInUseError, EntryNotFoundError, NameTakenError } from './errors';
import { checkVersion, type Precondition } from './precondition';
import { sqlState, type CredentialRow, type EntryRow } from './rows';
import { refuseRename, validateCredential, validateSource, type StorableEntry } from './validation';
import { isObject } from '../../model/is-object';
import { credentialResource, entryResource, type CredentialResource, type SourceResource } from './views';

export type Action = 'created' | 'updated' | 'unchanged';
export type SaveMode = 'create' | 'update' | 'upsert';

/** What differs between the two tables. */
interface EntryTable<T, R> {
  table: 'credential_sets' | 'sources';
  /** Key column (the entry's name or id) and the column holding its type or kind. */
  key: 'name' | 'id';
  type: 'type' | 'kind';
  what: 'credential set' | 'source';
  keyOf(entry: T): string;
  typeOf(entry: T): string;
  secretPaths(entry: T): string[];
  aad(key: string): string;
  /** The rows as shown, from `e` (credential sets with the destinations that use them, in one query). */
  select: string;
  view(row: EntryRow<T>): R;
  validate(input: unknown, urlRules: UrlRules, stored?: Record<string, string>): StorableEntry<T>;
  /** The destinations using entry `$1`, by name. */
  users: string;
}

const CREDENTIALS: EntryTable<Credential, CredentialResource> = {
  table: 'credential_sets',
  key: 'name',
  type: 'type',
  what: 'credential set',
  keyOf: (c) => c.name,
  typeOf: (c) => c.type,
  secretPaths: credentialSecretPaths,
  aad: aad.credential,
  select: `SELECT e.*, ARRAY(SELECT d.name FROM destinations d WHERE d.credential = e.name ORDER BY d.name) AS referenced_by
  FROM credential_sets e`,
  view: (row) => credentialResource(row as CredentialRow),
  validate: validateCredential,
  users: 'SELECT name FROM destinations WHERE credential = $1 ORDER BY name',
};

const SOURCES: EntryTable<SourceConfig, SourceResource> = {
  table: 'sources',
  key: 'id',
  type: 'kind',
  what: 'source',
  keyOf: (s) => s.id,
  typeOf: (s) => s.kind,
  secretPaths: sourceSecretPaths,
  aad: aad.source,
  select: 'SELECT e.* FROM sources e',
  view: (row) => entryResource(row),
  validate: (input, _urlRules, stored) => validateSource(input, stored),
  users: 'SELECT name FROM destinations WHERE $1 = ANY (sources) ORDER BY name',
};

/** One table's entries, read and written in the caller's transaction. */
export class EntryRepository<T, R> {
  constructor(
    private readonly db: PoolClient,
    private readonly sealer: Sealer,
    private readonly urlRules: UrlRules,
    private readonly t: EntryTable<T, R>,
  ) {}

  async list(): Promise<R[]> {
    const { rows } = await this.db.query<EntryRow<T>>(`${this.t.select} ORDER BY e.${this.t.key}`);
    return rows.map((row) => this.t.view(row));
  }

  async get(key: string): Promise<R | undefined> {
    if (!isStorableKey(key)) return undefined;
    const { rows } = await this.db.query<EntryRow<T>>(`${this.t.select} WHERE e.${this.t.key} = $1`, [key]);
    return rows[0] && this.t.view(rows[0]);
  }

  /** Every key, for the checks of a destination naming entries. */
  async keys(): Promise<Set<string>> {
    const { rows } = await this.db.query<{ k: string }>(`SELECT ${this.t.key} AS k FROM ${this.t.table}`);
    return new Set(rows.map((r) => r.k));
  }

  async create(input: unknown): Promise<R> {
    const valid = this.t.validate(input, this.urlRules);
    await this.save(valid, 'create');
    return (await this.get(this.t.keyOf(valid.entry)))!;
  }

  async replace(key: string, input: unknown, pre: Precondition): Promise<R> {
    const current = await this.current(key, pre);
    refuseRename(this.t.what, this.t.key, key, input);
    const stored = openSecrets(this.sealer, current.secrets, this.t.aad(this.t.keyOf(current.config)));
    await this.save(this.t.validate({ ...(isObject(input) ? input : {}), [this.t.key]: key }, this.urlRules, stored), 'update', current);
    return (await this.get(key))!;
  }

  async delete(key: string, pre: Precondition): Promise<void> {
    await this.current(key, pre);
    const { rows } = await this.db.query<{ name: string }>(this.t.users, [key]);
    const users = rows.map((r) => r.name);
    if (users.length > 0) throw new EntryInUseError(this.t.what, key, users);
    await this.db.query(`DELETE FROM ${this.t.table} WHERE ${this.t.key} = $1`, [key]);
  }

  /** Store a validated entry; `upsert` (apply) creates or updates and says which, or unchanged. */
  async save(s: StorableEntry<T>, mode: SaveMode, known?: EntryRow<T>): Promise<Action> {
    const t = this.t;
    const key = t.keyOf(s.entry);
    const current = known ?? (mode === 'create' ? undefined : await this.row(key, true));
    const config = replaceAt(s.entry, t.secretPaths(s.entry), () => SECRET_MARKER);
    if (current) {
      if (mode === 'create') throw new NameTakenError(t.what, key);
      const stored = openSecrets(this.sealer, current.secrets, t.aad(key));
      if (canonicalJson(current.config) === canonicalJson(config) && canonicalJson(stored) === canonicalJson(s.secrets)) return 'unchanged';
    } else if (mode === 'update') throw new EntryNotFoundError(t.what, key);
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
      if (sqlState(e) === '23505') throw new NameTakenError(t.what, key);
      throw e;
    }
    return 'created';
  }

  private async row(key: string, forUpdate = false): Promise<EntryRow<T> | undefined> {
    if (!isStorableKey(key)) return undefined;
    const { rows } = await this.db.query<EntryRow<T>>(
      `SELECT * FROM ${this.t.table} WHERE ${this.t.key} = $1${forUpdate ? ' FOR UPDATE' : ''}`,
      [key],
    );
    return rows[0];
  }

  /** The row an update or delete acts on, locked, at the version the caller read. */
  private async current(key: string, pre: Precondition): Promise<EntryRow<T>> {
    const current = await this.row(key, true);
    if (!current) throw new EntryNotFoundError(this.t.what, key);
    checkVersion(`${this.t.what} "${key}"`, current.version, pre);
    return current;
  }
}

export type CredentialRepository = EntryRepository<Credential, CredentialResource>;
export type SourceRepository = EntryRepository<SourceConfig, SourceResource>;

export function credentialRepository(db: PoolClient, sealer: Sealer, urlRules: UrlRules): CredentialRepository {
  return new EntryRepository(db, sealer, urlRules, CREDENTIALS);
}

export function sourceRepository(db: PoolClient, sealer: Sealer, urlRules: UrlRules): SourceRepository {
  return new EntryRepository(db, sealer, urlRules, SOURCES);
}
