/**
 * The embedded engine (PGlite behind the wire protocol): migrated once, kept across restarts,
 * and locked to one process. Its first open runs initdb (seconds), so this file opens one
 * folder and walks it through its life.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { migrate, openDatabase, type Database } from '../../../src/db/database';
import { ALL_MIGRATIONS } from '../../helpers/database';

describe('embedded config database', () => {
  const dataDir = join(mkdtempSync(join(tmpdir(), 'relay-embedded-')), 'data');
  const lockFile = join(dataDir, 'config-db.lock');
  let db: Database | undefined;
  after(async () => {
    await db?.close();
    rmSync(join(dataDir, '..'), { recursive: true, force: true });
  });

  it('creates the database in <dataDir>/config-db and migrates it once', async (t) => {
    let started = Date.now();
    db = await openDatabase({ dataDir });
    t.diagnostic(`first open (initdb): ${Date.now() - started} ms`);
    assert.equal(db.engine, 'embedded');
    assert.equal(db.description, `embedded PGlite in ${join(dataDir, 'config-db')}`);
    assert.equal(readFileSync(lockFile, 'utf8').trim(), String(process.pid));
    started = Date.now();
    assert.deepEqual(await migrate(db.pool), ALL_MIGRATIONS);
    t.diagnostic(`first migrate: ${Date.now() - started} ms`);
    started = Date.now();
    assert.deepEqual(await migrate(db.pool), []);
    t.diagnostic(`migrate with nothing to do: ${Date.now() - started} ms`);
    await db.pool.query(`INSERT INTO credential_sets (name, type, config, secrets) VALUES ('kept', 'oauth', '{}', 'v1.x')`);
  });

  it('refuses a second open of the same folder while the first is open', async () => {
    await assert.rejects(
      openDatabase({ dataDir }),
      new RegExp(`the embedded config database in .*config-db is in use by process ${process.pid}.*stop it, or set DATABASE_URL`),
    );
    assert.ok(db);
    assert.deepEqual((await db.pool.query('SELECT 1 AS ok')).rows, [{ ok: 1 }], 'the first stays usable');
  });

  it('releases the lock at close, takes over a stale lock, and keeps its data across a reopen', async (t) => {
    assert.ok(db);
    await db.close();
    db = undefined;
    assert.equal(existsSync(lockFile), false);
    // A lock left by a process that died without closing: a pid that has exited.
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout;
    writeFileSync(lockFile, `${dead}\n`);
    const started = Date.now();
    db = await openDatabase({ dataDir });
    t.diagnostic(`reopen: ${Date.now() - started} ms`);
    assert.equal(readFileSync(lockFile, 'utf8').trim(), String(process.pid));
    assert.deepEqual(await migrate(db.pool), []);
    assert.deepEqual((await db.pool.query('SELECT name FROM credential_sets')).rows, [{ name: 'kept' }]);
  });
});
