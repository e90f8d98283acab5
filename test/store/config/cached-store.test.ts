/**
 * The receiver's source cache on the machine's PostgreSQL: a hit costs no query, a change made
 * through ConfigAdmin (any process) reaches every cache by NOTIFY with no TTL wait (the TTLs
 * here are an hour), and a dropped LISTEN connection stops caching until it is back.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { Breaker } from '../../../src/breaker/breaker';
import { ConfigAdmin } from '../../../src/config/admin';
import { CachedConfigStore, listenForConfigChanges, type ConfigListener } from '../../../src/config/cached-store';
import { PgConfigStore } from '../../../src/config/pg-store';
import { createSecretBox } from '../../../src/db/secrets';
import { createTestDatabase } from '../../helpers/database';

const HOUR = 60 * 60 * 1000;
const box = createSecretBox({ current: randomBytes(32) });

/** A pool whose queries are counted (the store only calls `query`). */
function counting(pool: pg.Pool): { pool: pg.Pool; count: () => number } {
  let n = 0;
  const wrapped = { query: (...args: Parameters<pg.Pool['query']>) => (n++, (pool.query as (...a: unknown[]) => unknown)(...args)) };
  return { pool: wrapped as unknown as pg.Pool, count: () => n };
}

async function waitUntil(what: string, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const source = (id: string, key: string) => ({ id, kind: 'capillary', auth: { header: 'X-API-KEY', key } });
const keyOf = (s: unknown) => (s as { auth?: { key?: string } } | undefined)?.auth?.key;

describe('the receiver’s source cache (PostgreSQL LISTEN/NOTIFY)', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let admin: ConfigAdmin;
  const listeners: ConfigListener[] = [];
  const pools: pg.Pool[] = [];

  /** An independent store: its own pool, its own LISTEN connection, as another process has. */
  async function process(): Promise<{ store: CachedConfigStore; count: () => number }> {
    const own = new pg.Pool({ connectionString: db.url, max: 2 });
    own.on('error', () => undefined);
    pools.push(own);
    const { pool, count } = counting(own);
    const store = new CachedConfigStore(new PgConfigStore(pool, box), { ttlMs: HOUR, negativeTtlMs: HOUR });
    listeners.push(await listenForConfigChanges(db.url, store));
    return { store, count };
  }

  before(async () => {
    db = await createTestDatabase();
    admin = new ConfigAdmin(db.pool, box);
    await admin.transaction((w) => w.createSource(source('capillary', 'key-one-1111')));
  });
  after(async () => {
    for (const l of listeners) await l.close();
    for (const p of pools) await p.end();
    await db?.drop();
  });

  it('answers a repeated lookup without a query, and sees a change through ConfigAdmin by NOTIFY', async () => {
    const { store, count } = await process();
    assert.equal(keyOf(await store.getSource('capillary')), 'key-one-1111');
    const afterFirst = count();
    assert.equal(keyOf(await store.getSource('capillary')), 'key-one-1111');
    assert.equal(keyOf(await store.getSource('capillary')), 'key-one-1111');
    assert.equal(count(), afterFirst, 'cached lookups must not query');

    await admin.transaction((w) => w.replaceSource('capillary', source('capillary', 'key-two-2222'), { expected: '*' }));
    await waitUntil('the change is seen', async () => keyOf(await store.getSource('capillary')) === 'key-two-2222');
  });

  it('remembers an unknown id, and sees the source once it is created', async () => {
    const { store, count } = await process();
    assert.equal(await store.getSource('backend'), undefined);
    const afterFirst = count();
    assert.equal(await store.getSource('backend'), undefined);
    assert.equal(count(), afterFirst, 'an unknown id is remembered');

    await admin.transaction((w) => w.createSource(source('backend', 'key-backend-3333')));
    await waitUntil('the new source is seen', async () => keyOf(await store.getSource('backend')) === 'key-backend-3333');
  });

  it('a change made in one process is seen by another with its own pool and connection', async () => {
    const a = await process();
    const b = await process();
    assert.equal(keyOf(await b.store.getSource('capillary')), 'key-two-2222');
    // Process A's admin, on A's own pool.
    const adminA = new ConfigAdmin(pools[pools.length - 2]!, box);
    await adminA.transaction((w) => w.replaceSource('capillary', source('capillary', 'key-four-4444'), { expected: '*' }));
    await waitUntil('B sees A’s change', async () => keyOf(await b.store.getSource('capillary')) === 'key-four-4444');
    assert.equal(keyOf(await a.store.getSource('capillary')), 'key-four-4444');
  });

  it('a statement that changes no row sends no notification (the probe claim and the breaker’s 2xx bookkeeping at every delivery, the operations job’s poll)', async () => {
    const listen = new pg.Client({ connectionString: db.url });
    await listen.connect();
    try {
      const tables: string[] = [];
      listen.on('notification', (msg) => tables.push(String(msg.payload)));
      await listen.query('LISTEN relay_config_changed');
      // The store's destinationState claims a due probe with an UPDATE that here matches nothing.
      assert.equal(await new PgConfigStore(db.pool, box).destinationState('no-such-destination'), 'deleted');
      // The breaker's bookkeeping of every 2xx resumes the destination with an UPDATE that here matches nothing.
      assert.deepEqual(await new Breaker(db.pool).succeeded('no-such-destination'), { resumed: false });
      await db.pool.query('UPDATE destinations SET wake_pending = false WHERE wake_pending');
      // Notifications arrive in commit order: once this change's is in, any earlier one would be too.
      await admin.transaction((w) => w.replaceSource('capillary', source('capillary', 'key-three-3333'), { expected: '*' }));
      await waitUntil('the change is notified', () => Promise.resolve(tables.length > 0));
      assert.deepEqual(tables, ['sources']);
    } finally {
      await listen.end();
    }
  });

  it('stops caching when the LISTEN connection drops, and caches again once it is back', async () => {
    const { store, count } = await process();
    await store.getSource('capillary');
    const cachedCount = count();
    await store.getSource('capillary');
    assert.equal(count(), cachedCount);

    await db.pool.query(
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'loyalty-relay-listen' AND pid <> pg_backend_pid()",
    );
    // While it is down a change would go unnoticed: every lookup reads the database.
    await waitUntil('the drop is noticed', async () => {
      const before = count();
      await store.getSource('capillary');
      return count() > before;
    });
    // Changed while (possibly) disconnected: the reconnect starts from an empty cache.
    await admin.transaction((w) => w.replaceSource('capillary', source('capillary', 'key-five-5555'), { expected: '*' }));
    await waitUntil('it reconnects and caches again', async () => {
      await store.getSource('capillary');
      const before = count();
      await store.getSource('capillary');
      return count() === before;
    });
    assert.equal(keyOf(await store.getSource('capillary')), 'key-five-5555');
  });
});
