/**
 * Brings the config store's schema up to date with the SQL files in the repository's
 * `migrations/` folder (node-pg-migrate's format), at every start. Pending migrations run in
 * one transaction: a failure leaves the database as it was. Several relays starting at once
 * are safe: node-pg-migrate's advisory lock makes the others wait, then find nothing to do.
 */
import { resolve } from 'node:path';
import { runner } from 'node-pg-migrate';
import type pg from 'pg';

/** Resolved from this file, so it works from any working directory. */
export const MIGRATIONS_DIR = resolve(__dirname, '../../migrations');

/** A migration failed; the transaction was rolled back. */
export class MigrationError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'MigrationError';
  }
}

/** Apply the pending migrations; returns their names (empty when the schema is up to date). */
export async function migrate(pool: pg.Pool, log?: (m: string) => void): Promise<string[]> {
  const say = log ?? (() => undefined);
  const started = Date.now();
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    const applied = await runner({
      dbClient: client,
      dir: MIGRATIONS_DIR,
      direction: 'up',
      migrationsTable: 'pgmigrations',
      checkOrder: true,
      // node-pg-migrate documents `true` as the default but only honours an explicit value.
      singleTransaction: true,
      advisoryLockMode: 'wait',
      // Its info level prints every statement; keep warnings and errors only.
      logger: { info: () => undefined, warn: say, error: say },
    });
    const names = applied.map((m) => m.name);
    if (names.length > 0) say(`applied migrations ${names.join(', ')} in ${Date.now() - started} ms`);
    return names;
  } catch (e) {
    broken = e as Error;
    throw new MigrationError(
      `migrating the config database failed (from ${MIGRATIONS_DIR}): ${(e as Error).message.replace(/\.$/, '')}. ` +
        'Pending migrations run in one transaction, so the schema is as it was before this start.',
      { cause: e },
    );
  } finally {
    // A failed run may leave the session in a state (open transaction, held lock) that must
    // not go back to the pool.
    client.release(broken);
  }
}
