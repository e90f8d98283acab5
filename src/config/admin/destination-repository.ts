/**
 * Destinations in SQL. They are versioned: an update writes a new row of destination_versions
 * (secrets sealed, bound to name and version) and moves the pointer in destinations, so runs
 * in flight keep the version they planned with. Kind, events and sources are fixed once a
 * destination exists; its pause is state of the live row (src/config/pause.ts), not a version.
 */
import type { PoolClient } from 'pg';
import type { UrlRules } from '../../destinations/connector';
import { aad, openSecrets, type Sealer } from '../pg-store';
import { canonicalJson, hintsOf, isStorableKey } from '../stored';
import type { DestinationConfig } from '../../model/destination';
import type { Action, CredentialRepository, SaveMode, SourceRepository } from './entry-repository';
import { EntryNotFoundError, ImmutableFieldError, InvalidEntryError, NameTakenError } from './errors';
import { checkVersion, type Precondition } from './precondition';
import { sqlState, type DestinationRow } from './rows';
import { credentialSecrets, refuseRename, validateDestination, type StorableDestination } from './validation';
import { isObject } from '../../model/is-object';
import { destinationResource, type DestinationResource } from './views';

const DESTINATION_SELECT = `SELECT d.name, d.kind, d.version, d.enabled, d.events, d.sources, d.created_at, d.updated_at,
       d.paused, d.paused_reason, d.paused_at, d.paused_by, v.config, v.secrets, v.secret_hints
  FROM destinations d JOIN destination_versions v ON v.name = d.name AND v.version = d.version`;

/** Destinations, read and written in the caller's transaction. */
export class DestinationRepository {
  constructor(
    private readonly db: PoolClient,
    private readonly sealer: Sealer,
    private readonly urlRules: UrlRules,
    /** A destination names credential sets and sources, and may define its credential set inline. */
    private readonly credentials: CredentialRepository,
    private readonly sources: SourceRepository,
  ) {}

  async list(): Promise<DestinationResource[]> {
    const { rows } = await this.db.query<DestinationRow>(`${DESTINATION_SELECT} ORDER BY d.name`);
    return rows.map(destinationResource);
  }

  async get(name: string): Promise<DestinationResource | undefined> {
    const row = await this.row(name);
    return row && destinationResource(row);
  }

  async create(input: unknown): Promise<DestinationResource> {
    const { config, secrets, credential, initialPause } = await this.validate(input);
    if (await this.row(config.name)) throw new NameTakenError('destination', config.name);
    if (credential) await this.credentials.save({ entry: credential, secrets: credentialSecrets(credential) }, 'create');
    await this.save({ config, secrets, ...(initialPause ? { initialPause } : {}) }, 'create');
    return (await this.get(config.name))!;
  }

  async replace(name: string, input: unknown, pre: Precondition): Promise<DestinationResource> {
    const current = await this.current(name, pre);
    refuseRename('destination', 'name', name, input);
    const { config, secrets, credential } = await this.validate({ ...(isObject(input) ? input : {}), name }, current);
    if (credential) await this.credentials.save({ entry: credential, secrets: credentialSecrets(credential) }, 'create');
    await this.save({ config, secrets }, 'update', current);
    return (await this.get(name))!;
  }

  async delete(name: string, pre: Precondition): Promise<void> {
    await this.current(name, pre);
    // Its versions stay: runs in flight finish with the one they planned with.
    await this.db.query('DELETE FROM destinations WHERE name = $1', [name]);
  }

  /**
   * Store a validated destination. `update` refuses a changed kind, event set or source list
   * (fixed after creation); `upsert` (apply) creates or updates and says which, or unchanged.
   */
  async save(d: StorableDestination, mode: SaveMode, known?: DestinationRow): Promise<Action> {
    const { config, secrets } = d;
    const current = known ?? (mode === 'create' ? undefined : await this.row(config.name, true));
    if (current) {
      if (mode === 'create') throw new NameTakenError('destination', config.name);
      checkFixed(current, config);
      const stored = this.storedSecrets(current);
      const was = { ...current.config } as Partial<DestinationConfig>;
      delete was.version;
      if (canonicalJson(was) === canonicalJson(config) && canonicalJson(stored) === canonicalJson(secrets)) return 'unchanged';
    } else if (mode === 'update') throw new EntryNotFoundError('destination', config.name);

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
      if (sqlState(e) === '23503') {
        throw new InvalidEntryError('the destination', [{ path: 'auth', message: `no credential set named "${String(credential)}"` }]);
      }
      throw e;
    }
  }

  /** Validate a request body against the store as it is. `current`: the destination an update replaces. */
  private async validate(input: unknown, current?: DestinationRow) {
    return validateDestination(input, {
      urlRules: this.urlRules,
      credentialNames: await this.credentials.keys(),
      sourceIds: await this.sources.keys(),
      ...(current ? { current: { row: current, secrets: () => this.storedSecrets(current) } } : {}),
    });
  }

  private storedSecrets(row: DestinationRow): Record<string, string> {
    return openSecrets(this.sealer, row.secrets, aad.destinationVersion(row.name, row.version));
  }

  /** The destination an update or delete acts on, locked, at the version the caller read. */
  private async current(name: string, pre: Precondition): Promise<DestinationRow> {
    const current = await this.row(name, true);
    if (!current) throw new EntryNotFoundError('destination', name);
    checkVersion(`destination "${name}"`, current.version, pre);
    return current;
  }

  private async row(name: string, forUpdate = false): Promise<DestinationRow | undefined> {
    if (!isStorableKey(name)) return undefined;
    const { rows } = await this.db.query<DestinationRow>(`${DESTINATION_SELECT} WHERE d.name = $1${forUpdate ? ' FOR UPDATE OF d' : ''}`, [
      name,
    ]);
    return rows[0];
  }
}

/** Kind, events and sources are fixed after creation (order of the lists aside). */
function checkFixed(current: DestinationRow, next: Omit<DestinationConfig, 'version'>): void {
  const sorted = (list: readonly string[] | null | undefined) => (list ? [...list].sort() : null);
  const fixed: ['kind' | 'events' | 'sources', unknown, unknown][] = [
    ['kind', current.kind, next.kind],
    ['events', sorted(current.events), sorted(next.events)],
    ['sources', sorted(current.sources), sorted(next.sources)],
  ];
  for (const [field, was, now] of fixed) {
    if (canonicalJson(was) !== canonicalJson(now)) throw new ImmutableFieldError(current.name, field, was);
  }
}
