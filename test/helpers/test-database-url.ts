/**
 * Where the database tests create their throwaway databases, shared by test/helpers/database.ts
 * and scripts/ensure-postgres.ts (which starts that server and clears leftovers).
 */

export const DEFAULT_TEST_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

/** Throwaway databases are named `relay_test_<creation time in ms>_<random>`. */
export const TEST_DATABASE_PREFIX = 'relay_test_';

export function testServerUrl(env: Record<string, string | undefined> = process.env): string {
  return env.TEST_DATABASE_URL || DEFAULT_TEST_DATABASE_URL;
}

/** The same server and credentials, another database. */
export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}
