/** openDatabase with a DATABASE_URL: the engine, a description without the password, and a clear error when the server is not there. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DatabaseConnectionError, openDatabase } from '../../../src/db/database';
import { createTestDatabase } from '../../helpers/database';
import { freePort } from '../../helpers/ports';

describe('openDatabase (PostgreSQL)', () => {
  let server: Awaited<ReturnType<typeof createTestDatabase>>;
  before(async () => {
    server = await createTestDatabase();
  });
  after(() => server?.drop());

  it('opens a pool on the URL, described without credentials', async () => {
    const url = new URL(server.url);
    url.password = 'hunter2-password'; // trust auth ignores it; it must not show
    const db = await openDatabase({ url: url.toString(), dataDir: '/nonexistent/unused' });
    try {
      assert.equal(db.engine, 'postgres');
      assert.equal(db.description, `PostgreSQL at ${url.hostname}:${url.port || '5432'}${url.pathname}`);
      const { rows } = await db.pool.query<{ n: string }>('SELECT count(*) AS n FROM credential_sets');
      assert.deepEqual(rows, [{ n: '0' }]);
    } finally {
      await db.close();
    }
    await db.close(); // closing twice is harmless
  });

  it('logs, and survives, an idle connection dropped by the server', async () => {
    const logged: string[] = [];
    const db = await openDatabase({ url: server.url, dataDir: '/nonexistent/unused', log: (m) => logged.push(m) });
    try {
      await db.pool.query('SELECT 1'); // leaves one idle client in the pool
      const { rowCount } = await server.pool.query(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'loyalty-relay'",
      );
      assert.equal(rowCount, 1);
      const deadline = Date.now() + 5000;
      while (logged.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      assert.match(logged[0] ?? '', /an idle connection failed and will be replaced: terminating connection/);
      assert.deepEqual((await db.pool.query<{ ok: number }>('SELECT 1 AS ok')).rows, [{ ok: 1 }]);
    } finally {
      await db.close();
    }
  });

  it('fails at open, naming the server but not the password, when nothing listens', async () => {
    const port = await freePort();
    await assert.rejects(
      openDatabase({ url: `postgres://relay:hunter2-password@127.0.0.1:${port}/relay`, dataDir: '/nonexistent/unused' }),
      (e: unknown) => {
        assert.ok(e instanceof DatabaseConnectionError, String(e));
        assert.match(e.message, new RegExp(`PostgreSQL at 127\\.0\\.0\\.1:${port}/relay.*ECONNREFUSED.*Check DATABASE_URL`));
        assert.doesNotMatch(e.message, /hunter2/);
        return true;
      },
    );
  });
});
