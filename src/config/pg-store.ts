/**
 * ConfigStore over PostgreSQL (or the embedded engine): the relay's source of truth. Every
 * read goes to the database, so a destination created, changed or disabled through the API is
 * seen by the next event in every process; what cannot change — a
 * destination version, a row's decrypted secrets at a given version — is cached in memory.
 */
import { PROBE_CLAIM_TIMEOUT_SECONDS } from '../breaker/breaker';
import type { Pool } from 'pg';
import type { ConfigStore } from './store';
import { toPlan, type DestinationConfig, type DestinationPlan, type DestinationState } from '../model/destination';
import type { Credential } from '../model/credential';
import type { SourceConfig } from '../model/source';
import { destinationConnectors } from '../destinations';
import { aadCredential, aadDestinationVersion, aadSource } from '../db/aad';
import { isStorableKey, replaceAt, SECRET_MARKER } from './stored';

/** Seals and opens secrets (src/db/secrets.ts); `aad` binds a sealed value to its row. */
export interface Sealer {
  seal(plaintext: string, aad: string): string;
  open(sealed: string, aad: string): string;
}

/** The row identities secrets are sealed with (src/db/aad.ts, shared with key rotation). */
export const aad = {
  credential: aadCredential,
  source: aadSource,
  destinationVersion: (name: string, version: number | string) => aadDestinationVersion(name, Number(version)),
};

/** A small LRU: immutable things (versions) are cached; the oldest entry goes first. */
class Lru<V> {
  private readonly map = new Map<string, V>();
  constructor(private readonly max: number) {}
  get(key: string): V | undefined {
    const v = this.map.get(key);
    if (v !== undefined) {
      this.map.delete(key);
      this.map.set(key, v);
    }
    return v;
  }
  set(key: string, value: V): void {
    this.map.delete(key);
    this.map.set(key, value);
    if (this.map.size > this.max) this.map.delete(this.map.keys().next().value as string);
  }
}

interface VersionRow {
  name: string;
  version: number;
  config: DestinationConfig;
}

interface LiveRow extends VersionRow {
  paused: boolean;
}

/** A live destination at its current version, with its pause state. */
const LIVE_SELECT = `SELECT v.name, v.version, v.config, d.paused
   FROM destinations d JOIN destination_versions v ON v.name = d.name AND v.version = d.version`;

export function openSecrets(sealer: Sealer, sealed: string, aadValue: string): Record<string, string> {
  return JSON.parse(sealer.open(sealed, aadValue)) as Record<string, string>;
}

/** Put each secret back at its marker. */
export function withSecretValues<T>(entry: T, paths: string[], secrets: Record<string, string>): T {
  return replaceAt(entry, paths, (path, value) => (value === SECRET_MARKER ? (secrets[path] ?? value) : value));
}

/**
 * The store version a run pinned (`destinationVersion`), or undefined for "current": a version
 * that is not a row number (the content hash of runs planned when the relay read destinations
 * straight from its file) cannot be looked up, so such a run renders with the current one.
 */
function pinnedVersion(version: string | undefined): number | undefined {
  if (version === undefined || !/^[1-9]\d{0,9}$/.test(version)) return undefined;
  const n = Number(version);
  return n <= 2 ** 31 - 1 ? n : undefined;
}

export class PgConfigStore implements ConfigStore {
  private readonly versions = new Lru<DestinationConfig>(2000);
  private readonly versionSecrets = new Lru<Record<string, string>>(2000);
  /** Per source id / credential name: the decoded entry at a version (same object while unchanged). */
  private readonly sources = new Map<string, { version: number; value: unknown }>();
  private readonly credentials = new Map<string, { version: number; value: unknown }>();

  constructor(
    private readonly pool: Pool,
    private readonly sealer: Sealer,
  ) {}

  getSource(id: string): Promise<SourceConfig | undefined> {
    return this.entry<SourceConfig>('sources', 'id', id, this.sources, aad.source);
  }

  async resolveSubscriptions(event: { source: string; name: string }): Promise<DestinationPlan[]> {
    const { rows } = await this.pool.query<LiveRow>(
      `${LIVE_SELECT}
        WHERE d.enabled AND $1 = ANY (d.events) AND (d.sources IS NULL OR $2 = ANY (d.sources))
        ORDER BY d.name`,
      [event.name, event.source],
    );
    return rows.map((row) => toPlan(this.remember(row), row.paused));
  }

  async planDestination(name: string): Promise<DestinationPlan | undefined> {
    if (!isStorableKey(name)) return undefined;
    const { rows } = await this.pool.query<LiveRow>(`${LIVE_SELECT} WHERE d.name = $1`, [name]);
    return rows[0] && toPlan(this.remember(rows[0]), rows[0].paused);
  }

  async destinationState(name: string): Promise<DestinationState> {
    if (!isStorableKey(name)) return 'deleted';
    // A destination the circuit breaker paused lets one attempt through when its probe is due:
    // the first caller claims it (one UPDATE, shared by every worker) and is told "active".
    const { rows } = await this.pool.query<{ enabled: boolean; paused: boolean; probe: boolean }>(
      `WITH claim AS (
         UPDATE destinations SET probe_claimed_at = now()
          WHERE name = $1 AND paused AND paused_by = 'breaker' AND probe_at <= now()
            AND (probe_claimed_at IS NULL OR probe_claimed_at < now() - make_interval(secs => $2))
         RETURNING name
       )
       SELECT enabled, paused, EXISTS (SELECT 1 FROM claim) AS probe FROM destinations WHERE name = $1`,
      [name, PROBE_CLAIM_TIMEOUT_SECONDS],
    );
    const row = rows[0];
    if (!row) return 'deleted';
    if (row.probe) return 'active';
    return row.paused ? 'paused' : row.enabled ? 'active' : 'disabled';
  }

  async getDestination(name: string, version?: string): Promise<DestinationConfig | undefined> {
    if (!isStorableKey(name)) return undefined;
    const n = pinnedVersion(version);
    if (n !== undefined) {
      const cached = this.versions.get(`${name}\u0000${n}`);
      if (cached) return cached;
      const { rows } = await this.pool.query<VersionRow>(
        'SELECT name, version, config FROM destination_versions WHERE name = $1 AND version = $2',
        [name, n],
      );
      return rows[0] && this.remember(rows[0]);
    }
    const { rows } = await this.pool.query<LiveRow>(`${LIVE_SELECT} WHERE d.name = $1`, [name]);
    return rows[0] && this.remember(rows[0]);
  }

  async getDestinationSecrets(name: string, version?: string): Promise<Record<string, string>> {
    const destination = await this.getDestination(name, version);
    if (!destination || !destinationConnectors[destination.kind]) return {};
    const key = `${name}\u0000${destination.version}`;
    const cached = this.versionSecrets.get(key);
    if (cached) return cached;
    const { rows } = await this.pool.query<{ secrets: string }>(
      'SELECT secrets FROM destination_versions WHERE name = $1 AND version = $2',
      [name, Number(destination.version)],
    );
    if (!rows[0]) return {};
    const secrets = openSecrets(this.sealer, rows[0].secrets, aad.destinationVersion(name, destination.version));
    this.versionSecrets.set(key, secrets);
    return secrets;
  }

  getCredential(name: string): Promise<Credential | undefined> {
    return this.entry<Credential>('credential_sets', 'name', name, this.credentials, aad.credential);
  }

  /**
   * A source or credential set with its secrets put back. The row is read every time (a change
   * is seen at once); the decrypted entry is reused while its version is unchanged (same object).
   */
  private async entry<T>(
    table: 'sources' | 'credential_sets',
    column: 'id' | 'name',
    key: string,
    cache: Map<string, { version: number; value: unknown }>,
    aadOf: (key: string) => string,
  ): Promise<T | undefined> {
    if (!isStorableKey(key)) return undefined;
    const { rows } = await this.pool.query<{ version: number; config: T; secrets: string }>(
      `SELECT version, config, secrets FROM ${table} WHERE ${column} = $1`,
      [key],
    );
    const row = rows[0];
    if (!row) {
      cache.delete(key);
      return undefined;
    }
    const cached = cache.get(key);
    if (cached?.version === row.version) return cached.value as T;
    const secrets = openSecrets(this.sealer, row.secrets, aadOf(key));
    const value = withSecretValues(row.config, Object.keys(secrets), secrets);
    cache.set(key, { version: row.version, value });
    return value;
  }

  private remember(row: VersionRow): DestinationConfig {
    const key = `${row.name}\u0000${row.version}`;
    const cached = this.versions.get(key);
    if (cached) return cached;
    const destination: DestinationConfig = { ...row.config, version: String(row.version) };
    this.versions.set(key, destination);
    return destination;
  }
}
