/** Master key rotation on a real PostgreSQL database: every sealed row moves to the new key, in one transaction. */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type pg from 'pg';
import { aadCredential, aadDestinationVersion, aadSource } from '../../../src/db/aad';
import { reencryptSecrets } from '../../../src/db/rotate';
import { createSecretBox, type SecretBox } from '../../../src/db/secrets';
import { createTestDatabase } from '../../helpers/database';

const keyA = randomBytes(32);
const keyB = randomBytes(32);
const keyC = randomBytes(32);

async function insertRows(pool: pg.Pool, box: SecretBox, suffix: string): Promise<void> {
  const secret = (s: string) => JSON.stringify({ value: `${s}-secret` });
  await pool.query(`INSERT INTO credential_sets (name, type, config, secrets) VALUES ($1, 'oauth', '{}', $2)`, [
    `cred-${suffix}`,
    box.seal(secret(`cred-${suffix}`), aadCredential(`cred-${suffix}`)),
  ]);
  await pool.query(`INSERT INTO sources (id, kind, config, secrets) VALUES ($1, 'capillary', '{}', $2)`, [
    `src-${suffix}`,
    box.seal(secret(`src-${suffix}`), aadSource(`src-${suffix}`)),
  ]);
  for (const version of [1, 2]) {
    await pool.query(`INSERT INTO destination_versions (name, version, config, input, secrets) VALUES ($1, $2, '{}', '{}', $3)`, [
      `dest-${suffix}`,
      version,
      box.seal(secret(`dest-${suffix}-${version}`), aadDestinationVersion(`dest-${suffix}`, version)),
    ]);
  }
}

async function openEveryRow(pool: pg.Pool, box: SecretBox): Promise<string[]> {
  const opened: string[] = [];
  for (const r of (await pool.query<{ name: string; secrets: string }>('SELECT name, secrets FROM credential_sets ORDER BY name')).rows) {
    opened.push(box.open(r.secrets, aadCredential(r.name)));
  }
  for (const r of (await pool.query<{ id: string; secrets: string }>('SELECT id, secrets FROM sources ORDER BY id')).rows) {
    opened.push(box.open(r.secrets, aadSource(r.id)));
  }
  const versions = await pool.query<{ name: string; version: number; secrets: string }>(
    'SELECT name, version, secrets FROM destination_versions ORDER BY name, version',
  );
  for (const r of versions.rows) opened.push(box.open(r.secrets, aadDestinationVersion(r.name, r.version)));
  return opened.map((s) => (JSON.parse(s) as { value: string }).value);
}

describe('reencryptSecrets', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  before(async () => {
    db = await createTestDatabase();
  });
  after(() => db?.drop());

  it('re-seals every row sealed with an old key, so the new key alone opens them; a second run has nothing to do', async () => {
    await insertRows(db.pool, createSecretBox({ current: keyA }), 'a');
    await insertRows(db.pool, createSecretBox({ current: keyB }), 'b'); // already on the new key
    const rotating = createSecretBox({ current: keyB, previous: [keyA] });
    const expected = await openEveryRow(db.pool, rotating);
    assert.equal(expected.length, 8);
    await assert.rejects(openEveryRow(db.pool, createSecretBox({ current: keyB })), /sealed with master key/);

    assert.deepEqual(await reencryptSecrets(db.pool, rotating), [
      { table: 'credential_sets', rows: 1 },
      { table: 'sources', rows: 1 },
      { table: 'destination_versions', rows: 2 },
    ]);
    assert.deepEqual(await openEveryRow(db.pool, createSecretBox({ current: keyB })), expected);
    assert.deepEqual(
      (await reencryptSecrets(db.pool, rotating)).map((c) => c.rows),
      [0, 0, 0],
    );
  });

  it('changes nothing when one row cannot be opened (one transaction)', async () => {
    await insertRows(db.pool, createSecretBox({ current: keyA }), 'a2');
    await insertRows(db.pool, createSecretBox({ current: keyC }), 'c'); // a key nobody configured
    const before = (await db.pool.query<{ secrets: string }>('SELECT secrets FROM credential_sets ORDER BY name')).rows;
    await assert.rejects(reencryptSecrets(db.pool, createSecretBox({ current: keyB, previous: [keyA] })), /not configured/);
    const after = (await db.pool.query<{ secrets: string }>('SELECT secrets FROM credential_sets ORDER BY name')).rows;
    assert.deepEqual(after, before);
  });
});
