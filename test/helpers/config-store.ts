/**
 * The relay's real configuration store for workflow tests: a configuration document applied
 * (as `relay apply` does) to a throwaway database on the machine's PostgreSQL.
 */
import { randomBytes } from 'node:crypto';
import type { Pool } from 'pg';
import { ConfigAdmin } from '../../src/config/admin';
import { applyConfig } from '../../src/config/apply';
import { parseConfig } from '../../src/config/load';
import { PgConfigStore } from '../../src/config/pg-store';
import { createSecretBox } from '../../src/db/secrets';
import { createTestDatabase } from './database';

export async function pgStoreFor(
  doc: Record<string, unknown>,
  env: Record<string, string | undefined> = {},
  /** The sealing key (random by default): give one to open the store from another process (RELAY_MASTER_KEY). */
  masterKey: Buffer = randomBytes(32),
): Promise<{ store: PgConfigStore; admin: ConfigAdmin; pool: Pool; url: string; drop: () => Promise<void> }> {
  const config = parseConfig(doc, env);
  const db = await createTestDatabase();
  const box = createSecretBox({ current: masterKey });
  const admin = new ConfigAdmin(db.pool, box);
  try {
    await applyConfig(admin, config, env);
  } catch (e) {
    await db.drop();
    throw e;
  }
  return { store: new PgConfigStore(db.pool, box), admin, pool: db.pool, url: db.url, drop: () => db.drop() };
}
