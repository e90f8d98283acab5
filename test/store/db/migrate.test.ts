/** Migrations on a real PostgreSQL server: applied once, then nothing to do, also when two processes start together. */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import pg from 'pg';
import { migrate } from '../../../src/db/database';
import { ALL_MIGRATIONS, createTestDatabase } from '../../helpers/database';

async function tables(pool: pg.Pool): Promise<string[]> {
  const { rows } = await pool.query<{ table_name: string }>(
    "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name",
  );
  return rows.map((r) => r.table_name);
}

describe('migrate (PostgreSQL)', () => {
  const drops: (() => Promise<void>)[] = [];
  after(async () => {
    for (const drop of drops) await drop();
  });

  it('applies the pending migrations once, then reports nothing to do', async (t) => {
    const db = await createTestDatabase({ migrate: false });
    drops.push(() => db.drop());
    assert.deepEqual(await tables(db.pool), []);
    const logged: string[] = [];
    let started = Date.now();
    assert.deepEqual(await migrate(db.pool, (m) => logged.push(m)), ALL_MIGRATIONS);
    t.diagnostic(`first migrate: ${Date.now() - started} ms`);
    assert.deepEqual(await tables(db.pool), [
      'alert_outbox',
      'claim_payloads',
      'credential_sets',
      'delivery_stats',
      'destination_health',
      'destination_versions',
      'destinations',
      'pgmigrations',
      'sources',
    ]);
    assert.match(logged.join('\n'), new RegExp(`applied migrations ${ALL_MIGRATIONS.join(', ')}`));
    started = Date.now();
    assert.deepEqual(await migrate(db.pool, (m) => logged.push(m)), []);
    t.diagnostic(`migrate with nothing to do: ${Date.now() - started} ms`);
    assert.equal(logged.length, 1, 'nothing logged when up to date');
  });

  it('lets two processes migrate the same database at once: one applies, the other waits and finds nothing to do', async () => {
    const db = await createTestDatabase({ migrate: false });
    drops.push(() => db.drop());
    const other = new pg.Pool({ connectionString: db.url, max: 1 });
    try {
      const results = await Promise.all([migrate(db.pool), migrate(other)]);
      assert.deepEqual(results.flat(), ALL_MIGRATIONS);
    } finally {
      await other.end();
    }
  });
});
