/**
 * The configuration store refuses connections for a while (`ALLOW_CONNECTIONS false`, every
 * open session terminated — what a failover or a maintenance window looks like to the relay).
 * The receiver must answer 503 store_unavailable with Retry-After, never 500; the worker's
 * planning and mapping retry; nothing acknowledged is lost once the store is back.
 */
import pg from 'pg';
import { pause, type Scenario } from '../scenario';

async function onServer(databaseUrl: string, sql: (client: pg.Client, name: string) => Promise<unknown>): Promise<void> {
  const url = new URL(databaseUrl);
  const name = decodeURIComponent(url.pathname.slice(1));
  url.pathname = '/postgres';
  const client = new pg.Client({ connectionString: url.toString(), connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    await sql(client, name);
  } finally {
    await client.end();
  }
}

export const storeRefusal: Scenario = {
  name: 'store-refusal',
  description: 'configuration store refuses connections (open sessions killed), then accepts again',
  async inject({ stack, say, storeOutageSeconds }) {
    say(`store refuses connections for ${storeOutageSeconds} s`);
    await onServer(stack.databaseUrl, async (c, name) => {
      await c.query(`ALTER DATABASE ${pg.escapeIdentifier(name)} ALLOW_CONNECTIONS false`);
      await c.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [name]);
    });
    try {
      await pause(storeOutageSeconds * 1000);
    } finally {
      await onServer(stack.databaseUrl, (c, name) => c.query(`ALTER DATABASE ${pg.escapeIdentifier(name)} ALLOW_CONNECTIONS true`));
      say('store accepts connections again');
    }
  },
};
