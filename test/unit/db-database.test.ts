/** openDatabase with a DATABASE_URL: the engine, a description without the password, and a clear error when the server is not there. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DatabaseConnectionError, openDatabase } from '../../src/db/database';
import { createTestDatabase } from '../helpers/database';
import { freePort } from '../helpers/ports';

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
