/**
 * Throwaway config databases for tests: a fresh `relay_test_<time>_<random>` database on the
 * PostgreSQL server named by TEST_DATABASE_URL (`npm run ensure-postgres` starts the local
 * one), or an embedded PGlite in a temporary folder. The creation time in the name lets
 * ensure-postgres drop databases that a killed test run left behind.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { migrate, openDatabase, type Database } from '../../src/db/database';
import { TEST_DATABASE_PREFIX, testServerUrl, withDatabase } from './test-database-url';

/** Every migration in migrations/, in order (what a new database gets). */
export const ALL_MIGRATIONS = [
  '1763900000000_config-store',
  '1764500000000_destination-pause',
  '1765200000000_claim-check-payloads',
  '1765400000000_breaker-alerts',
  '1765600000000_config-notify',
  '1765800000000_delivery-stats',
  '1766000000000_config-notify-per-row',
];

async function onServer<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: testServerUrl(), connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
  } catch (e) {
    throw new Error(
      `the database tests need a PostgreSQL server at TEST_DATABASE_URL (${testServerUrl()}): ${(e as Error).message}. ` +
        'Run `npm run ensure-postgres`, or point TEST_DATABASE_URL at a server where this user may create databases.',
      { cause: e },
    );
  }
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** A new, migrated (unless `migrate: false`) database; drop() ends the pool and drops it. */
export async function createTestDatabase(opts: { migrate?: boolean } = {}): Promise<{ url: string; pool: pg.Pool; drop(): Promise<void> }> {
  const name = `${TEST_DATABASE_PREFIX}${Date.now()}_${randomBytes(4).toString('hex')}`;
  await onServer((c) => c.query(`CREATE DATABASE ${name}`));
  const url = withDatabase(testServerUrl(), name);
  const pool = new pg.Pool({ connectionString: url, max: 5 });
  // A test that terminates sessions must not crash the run through this pool's idle clients.
  pool.on('error', () => undefined);
  const drop = async () => {
    await pool.end();
    await onServer((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
  };
  try {
    if (opts.migrate !== false) await migrate(pool);
  } catch (e) {
    await drop();
    throw e;
  }
  return { url, pool, drop };
}

/** An embedded database in a new temporary folder, migrated; drop() closes it and removes the folder. */
export async function createEmbeddedTestDatabase(): Promise<{ db: Database; dir: string; drop(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'relay-config-db-'));
  const db = await openDatabase({ dataDir: dir });
  const drop = async () => {
    await db.close();
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await migrate(db.pool);
  } catch (e) {
    await drop();
    throw e;
  }
  return { db, dir, drop };
}
