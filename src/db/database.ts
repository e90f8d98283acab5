/**
 * Opens the configuration store's database: the PostgreSQL server named by DATABASE_URL, or,
 * without it, the embedded engine in RELAY_DATA_DIR (src/db/embedded.ts). Either way the
 * caller gets a `pg` pool, so the store's queries do not know which engine runs them.
 * The connection is tried here, once, so a wrong URL fails at start with a message naming
 * the server (never the password) rather than at the first request.
 */
import pg from 'pg';
import type { EmbeddedServer } from './embedded';

export { migrate } from './migrate';

export interface Database {
  pool: pg.Pool;
  engine: 'postgres' | 'embedded';
  /** e.g. "PostgreSQL at db.internal:5432/relay" or "embedded PGlite in data/config-db"; never a password. */
  description: string;
  close(): Promise<void>;
}

/** The database could not be reached or refused us. */
export class DatabaseConnectionError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DatabaseConnectionError';
  }
}

/** "PostgreSQL at host:port/db" from a connection URL, without user or password. */
export function describeUrl(url: string): string {
  try {
    const u = new URL(url);
    const host = u.hostname || u.searchParams.get('host') || 'localhost';
    const db = decodeURIComponent(u.pathname.replace(/^\//, '')) || '(default database)';
    return `PostgreSQL at ${host}:${u.port || '5432'}/${db}`;
  } catch {
    return 'PostgreSQL at DATABASE_URL (not a URL the relay can parse for display)';
  }
}

type Log = (message: string) => void;

const stderrLog: Log = (m) => process.stderr.write(`[config-db] ${m}\n`);

function newPool(config: pg.PoolConfig, description: string, log: Log): pg.Pool {
  const pool = new pg.Pool(config);
  // An idle client's connection dropped (server restart, network): the pool replaces it on
  // the next checkout. Without a listener the 'error' event would crash the process.
  pool.on('error', (err) => log(`${description}: an idle connection failed and will be replaced: ${err.message}`));
  return pool;
}

async function probe(pool: pg.Pool, description: string, hint: string): Promise<void> {
  try {
    await pool.query('SELECT 1');
  } catch (e) {
    throw new DatabaseConnectionError(`cannot use the config database (${description}): ${reason(e)}. ${hint}`, { cause: e });
  }
}

/** Node reports a refused dual-stack "localhost" as an AggregateError with an empty message. */
function reason(e: unknown): string {
  if (e instanceof AggregateError && !e.message) return e.errors.map((x) => reason(x)).join('; ');
  const err = e as { message?: string; code?: string };
  return err.message || err.code || String(e);
}

export async function openDatabase(opts: { url?: string; dataDir: string; log?: Log }): Promise<Database> {
  const log = opts.log ?? stderrLog;
  if (opts.url) {
    const description = describeUrl(opts.url);
    // application_name shows the relay's sessions in pg_stat_activity (a URL's own wins).
    const pool = newPool(
      { connectionString: opts.url, max: 10, connectionTimeoutMillis: 10_000, application_name: 'loyalty-relay' },
      description,
      log,
    );
    try {
      await probe(pool, description, 'Check DATABASE_URL (host, port, database, user and password) and that the server is running.');
    } catch (e) {
      await pool.end().catch(() => undefined);
      throw e;
    }
    return { pool, engine: 'postgres', description, close: once(() => pool.end()) };
  }

  // Loaded only here: PGlite costs ~40 MiB of memory, which processes on PostgreSQL don't need.
  const { startEmbedded } = await import('./embedded');
  const server: EmbeddedServer = await startEmbedded(opts.dataDir);
  // One connection (PGlite is a single backend), kept open: no idle timeout, no reconnect churn.
  const pool = newPool({ connectionString: server.url, max: 1, idleTimeoutMillis: 0 }, server.description, log);
  const close = once(async () => {
    try {
      await pool.end();
    } finally {
      await server.stop();
    }
  });
  try {
    await probe(pool, server.description, `Move ${opts.dataDir}/config-db aside to start afresh, or set DATABASE_URL.`);
  } catch (e) {
    await close().catch(() => undefined);
    throw e;
  }
  return { pool, engine: 'embedded', description: server.description, close };
}

function once(fn: () => Promise<void>): () => Promise<void> {
  let done: Promise<void> | undefined;
  return () => (done ??= fn());
}
