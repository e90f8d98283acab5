/**
 * Where the claim check (./claim-check.ts) keeps large payloads: the `claim_payloads` table of
 * the configuration database (PostgreSQL or the embedded PGlite; same SQL).
 *
 * - Encrypted: AES-256-GCM under a key derived (HKDF) from the master key that seals the
 *   store's secrets (RELAY_MASTER_KEY), the row's id bound as additional data. A row names
 *   the master key it needs (`key_id`, as src/db/secrets.ts does), so after a rotation rows
 *   written with a key in RELAY_MASTER_KEY_PREVIOUS stay readable.
 * - Content-addressed by a keyed MAC (HMAC-SHA256, another derived key): the same payload
 *   written by every delivery of an event is one row, and the id is no bare hash that could
 *   confirm a guessed email or card number.
 * - `last_referenced_at` moves when a payload is written again or read (at most once an hour
 *   per row), so a run that still uses a payload keeps it; `cleanup` deletes the rest.
 */
import { createCipheriv, createDecipheriv, createHmac, hkdfSync, timingSafeEqual, randomBytes } from 'node:crypto';
import type pg from 'pg';
import { keyIdOf } from '../db/secrets';

const IV_BYTES = 12;
const TAG_BYTES = 16;
/** Part of the storage format: changing either string makes every stored payload unreadable. */
const ENCRYPTION_INFO = 'loyalty-relay claim-check aes-256-gcm v1';
const MAC_INFO = 'loyalty-relay claim-check hmac-sha256 v1';
/** A read moves `last_referenced_at` only when it is older than this: reads stay reads. */
const TOUCH_AFTER_SECONDS = 3600;

/** A stored payload cannot be had: missing (deleted or never written), or it does not open. Names the reference, never the content. */
export class ClaimStoreError extends Error {
  constructor(
    message: string,
    readonly reference: string,
  ) {
    super(message);
    this.name = 'ClaimStoreError';
  }
}

interface DerivedKeys {
  masterKeyId: string;
  encryption: Buffer;
  mac: Buffer;
}

function derive(master: Buffer): DerivedKeys {
  const sub = (info: string) => Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), info, 32));
  return { masterKeyId: keyIdOf(master), encryption: sub(ENCRYPTION_INFO), mac: sub(MAC_INFO) };
}

export interface ClaimStoreKeys {
  current: Buffer;
  previous?: Buffer[];
}

export interface StoredPayloadStats {
  rows: number;
  bytes: number;
}

export class ClaimStore {
  private readonly current: DerivedKeys;
  private readonly byId = new Map<string, DerivedKeys>();

  constructor(
    private readonly pool: pg.Pool,
    keys: ClaimStoreKeys,
  ) {
    this.current = derive(keys.current);
    for (const key of [...(keys.previous ?? [])].reverse()) {
      const d = derive(key);
      this.byId.set(d.masterKeyId, d);
    }
    this.byId.set(this.current.masterKeyId, this.current);
  }

  /** The id `put` gives these bytes under the current key (no database access). */
  idOf(bytes: Uint8Array): string {
    return createHmac('sha256', this.current.mac).update(bytes).digest('base64url');
  }

  /** Store the bytes (once: a second put of the same bytes only marks them referenced); returns their id. */
  async put(bytes: Uint8Array): Promise<string> {
    const id = this.idOf(bytes);
    // Already there (another delivery of the same event): no encryption, no transfer.
    const touched = await this.pool.query('UPDATE claim_payloads SET last_referenced_at = now() WHERE id = $1', [id]);
    if ((touched.rowCount ?? 0) > 0) return id;
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.current.encryption, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(Buffer.from(aadOf(id), 'utf8'));
    const ciphertext = Buffer.concat([cipher.update(bytes), cipher.final()]);
    const sealed = Buffer.concat([iv, cipher.getAuthTag(), ciphertext]);
    await this.pool.query(
      `INSERT INTO claim_payloads (id, key_id, sealed, size_bytes) VALUES ($1, $2, $3, $4)
       ON CONFLICT (id) DO UPDATE SET last_referenced_at = now()`,
      [id, this.current.masterKeyId, sealed, bytes.length],
    );
    return id;
  }

  /** The bytes stored under `id`; ClaimStoreError when there are none or they do not open. */
  async get(id: string): Promise<Buffer> {
    const { rows } = await this.pool.query<{ key_id: string; sealed: Buffer }>('SELECT key_id, sealed FROM claim_payloads WHERE id = $1', [
      id,
    ]);
    const row = rows[0];
    if (!row) {
      throw new ClaimStoreError(
        `claim-check payload ${id} is not in the configuration database: it was deleted by the cleanup ` +
          `(older than the retention) or this relay uses another database than the one that stored it`,
        id,
      );
    }
    const keys = this.byId.get(row.key_id);
    if (!keys) {
      throw new ClaimStoreError(
        `claim-check payload ${id} was encrypted with master key ${row.key_id}, which is not configured ` +
          `(RELAY_MASTER_KEY is key ${this.current.masterKeyId}); add that key to RELAY_MASTER_KEY_PREVIOUS`,
        id,
      );
    }
    const plaintext = open(keys, id, row.sealed);
    // The id is the MAC of the content: a row that opens but is not what the id names is refused too.
    const mac = createHmac('sha256', keys.mac).update(plaintext).digest();
    const expected = Buffer.from(id, 'base64url');
    if (mac.length !== expected.length || !timingSafeEqual(mac, expected)) {
      throw new ClaimStoreError(`claim-check payload ${id} does not match its id: the row was altered`, id);
    }
    await this.pool.query(
      `UPDATE claim_payloads SET last_referenced_at = now() WHERE id = $1 AND last_referenced_at < now() - make_interval(secs => $2)`,
      [id, TOUCH_AFTER_SECONDS],
    );
    return plaintext;
  }

  /** Delete payloads last referenced more than `keepSeconds` ago; returns how many. */
  async cleanup(keepSeconds: number): Promise<number> {
    const result = await this.pool.query('DELETE FROM claim_payloads WHERE last_referenced_at < now() - make_interval(secs => $1)', [
      keepSeconds,
    ]);
    return result.rowCount ?? 0;
  }

  async stats(): Promise<StoredPayloadStats> {
    const { rows } = await this.pool.query<{ rows: string; bytes: string | null }>(
      'SELECT count(*) AS rows, sum(size_bytes) AS bytes FROM claim_payloads',
    );
    return { rows: Number(rows[0]?.rows ?? 0), bytes: Number(rows[0]?.bytes ?? 0) };
  }
}

function aadOf(id: string): string {
  return `claim_payloads:${id}`;
}

function open(keys: DerivedKeys, id: string, sealed: Buffer): Buffer {
  if (sealed.length < IV_BYTES + TAG_BYTES) throw new ClaimStoreError(`claim-check payload ${id} is truncated`, id);
  const decipher = createDecipheriv('aes-256-gcm', keys.encryption, sealed.subarray(0, IV_BYTES), { authTagLength: TAG_BYTES });
  decipher.setAAD(Buffer.from(aadOf(id), 'utf8'));
  decipher.setAuthTag(sealed.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
  try {
    return Buffer.concat([decipher.update(sealed.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]);
  } catch {
    throw new ClaimStoreError(
      `claim-check payload ${id} (master key ${keys.masterKeyId}) failed authentication: the row was altered or belongs to another id`,
      id,
    );
  }
}

/**
 * How long a stored payload must outlive its last reference: a run may stay open, without
 * reading its payloads, for its longest retry window plus parking period, and its history (with
 * the references) is kept for the namespace retention after it closes. The longest of any
 * destination version ever saved (deleted ones included: their runs may still be open); the
 * defaults (1 day + 7 days) when there is none.
 */
export async function claimCheckKeepSeconds(pool: pg.Pool, namespaceRetentionSeconds: number): Promise<number> {
  const { rows } = await pool.query<{ longest: string | null }>(
    `SELECT max(COALESCE((config->>'retryWindowSeconds')::bigint, 86400) + COALESCE((config->>'parkingPeriodSeconds')::bigint, 604800)) AS longest
       FROM destination_versions`,
  );
  const longestRun = Number(rows[0]?.longest ?? 0) || 86400 + 7 * 86400;
  return longestRun + namespaceRetentionSeconds;
}
