/**
 * `npm run ensure-postgres` (run before `npm test` and by .ci/run): make sure the PostgreSQL
 * server the database tests use (TEST_DATABASE_URL, default the local one) answers. Instant
 * when it does; otherwise, on a machine with a Debian/Ubuntu cluster (pg_ctlcluster), starts
 * it and waits. Then drops throwaway test databases that killed runs left (older than 1 h).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import pg from 'pg';
import { TEST_DATABASE_PREFIX, testServerUrl } from '../test/helpers/test-database-url';

const say = (m: string) => process.stderr.write(`[ensure-postgres] ${m}\n`);
const url = testServerUrl();
const shown = (() => {
  const u = new URL(url);
  return `${u.hostname}:${u.port || '5432'}${u.pathname}`;
})();
const START_TIMEOUT_MS = 30_000;
const LEFTOVER_AGE_MS = 60 * 60 * 1000;

class NotAnswering extends Error {}

/** Run `fn` on a connection, or throw NotAnswering when nothing listens (other errors pass through). */
async function withClient<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
  } catch (e) {
    // A server-side refusal (a DatabaseError: bad role, no such database) is not fixed by
    // starting anything; 57P03 is "the database system is starting up".
    if (!(e instanceof pg.DatabaseError) || e.code === '57P03') throw new NotAnswering(String(e));
    throw e;
  }
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

async function answers(): Promise<boolean> {
  try {
    await withClient((c) => c.query('SELECT 1'));
    return true;
  } catch (e) {
    if (e instanceof NotAnswering) return false;
    throw e;
  }
}

function isLocal(): boolean {
  const host = new URL(url).hostname;
  return host === '' || host === 'localhost' || host === '127.0.0.1' || host === '[::1]';
}

function startLocalCluster(): boolean {
  if (!isLocal() || !existsSync('/etc/postgresql') || spawnSync('pg_ctlcluster', ['--help'], { stdio: 'ignore' }).error) return false;
  const versions = readdirSync('/etc/postgresql').sort((a, b) => Number(b) - Number(a));
  const version = versions[0];
  if (!version) return false;
  say(`starting the local PostgreSQL ${version} cluster "main" (pg_ctlcluster)`);
  const result = spawnSync('pg_ctlcluster', ['--skip-systemctl-redirect', version, 'main', 'start'], { stdio: 'inherit' });
  // Status 2 means "already running"; the wait below decides.
  return result.status === 0 || result.status === 2;
}

async function dropLeftovers(): Promise<void> {
  await withClient(async (c) => {
    const { rows } = await c.query<{ datname: string }>('SELECT datname FROM pg_database WHERE datname LIKE $1', [
      `${TEST_DATABASE_PREFIX}%`,
    ]);
    const cutoff = Date.now() - LEFTOVER_AGE_MS;
    for (const { datname } of rows) {
      const created = Number(new RegExp(`^${TEST_DATABASE_PREFIX}(\\d+)_`).exec(datname)?.[1]);
      if (!Number.isFinite(created) || created > cutoff) continue;
      await c.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
      say(`dropped leftover test database ${datname}`);
    }
  });
}

async function main(): Promise<void> {
  if (!(await answers())) {
    if (!startLocalCluster()) {
      say(
        `the tests need a PostgreSQL server (13 or later) at TEST_DATABASE_URL (${shown}), and none answers. ` +
          'Start one there, or set TEST_DATABASE_URL to a server where this user may create and drop databases.',
      );
      process.exitCode = 1;
      return;
    }
    const deadline = Date.now() + START_TIMEOUT_MS;
    while (!(await answers())) {
      if (Date.now() > deadline) {
        say(
          `started the local cluster, but ${shown} did not answer within ${START_TIMEOUT_MS / 1000} s; see its log in /var/log/postgresql.`,
        );
        process.exitCode = 1;
        return;
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    say(`PostgreSQL at ${shown} is up`);
  }
  await dropLeftovers();
}

main().catch((e: unknown) => {
  say(`PostgreSQL at ${shown} answers but cannot be used: ${(e as Error).message}`);
  process.exitCode = 1;
});
