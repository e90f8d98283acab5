/**
 * The claim-check codec and its store, on a real PostgreSQL database (and once on the embedded
 * PGlite): large payloads leave the payload for a reference, come back byte for byte, are stored
 * once, encrypted, under a keyed id; missing or altered rows are clear non-retryable failures;
 * the cleanup deletes what is past its retention and nothing else.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { ApplicationFailure, defaultPayloadConverter, type Payload } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import {
  CLAIM_CHECK_ENCODING,
  ClaimCheckCodec,
  claimCheckReferenceIds,
  isClaimCheckReference,
  PAYLOAD_UNAVAILABLE,
} from '../../../src/payloads/claim-check';
import { cleanupClaimPayloads, startClaimCleanupJob, type CleanupReport } from '../../../src/payloads/claim-cleanup';
import { ClaimStore, claimCheckKeepSeconds } from '../../../src/payloads/claim-store';
import { keyIdOf } from '../../../src/db/secrets';
import { createEmbeddedTestDatabase, createTestDatabase } from '../../helpers/database';

const THRESHOLD = 16 * 1024;
const keyA = randomBytes(32);
const keyB = randomBytes(32);
const EMAIL = 'asha.claimcheck@example.com';

/** A JSON payload of about `kb` KiB: small fields (an email) and one large string. */
function bigPayload(kb: number, salt = ''): Payload {
  return defaultPayloadConverter.toPayload({ email: EMAIL, salt, filler: `${salt}:${'x'.repeat(kb * 1024)}` });
}

/** A binary payload of `kb` KiB holding the email: stored whole. */
function binaryPayload(kb: number, salt = ''): Payload {
  const data = Buffer.concat([Buffer.from(`${EMAIL}:${salt}:`), randomBytes(kb * 1024)]);
  return { metadata: { encoding: Buffer.from('binary/plain') }, data };
}

/** The single stored id a reference names. */
function idOf(ref: Payload | undefined): string {
  const ids = claimCheckReferenceIds(ref!);
  assert.equal(ids.length, 1, `one stored id expected, got ${ids.length}`);
  return ids[0]!;
}

const serialized = (p: Payload) => Buffer.from(temporal.api.common.v1.Payload.encode(p).finish());

async function expectUnavailable(promise: Promise<unknown>, pattern: RegExp): Promise<void> {
  await assert.rejects(promise, (e: unknown) => {
    assert.ok(e instanceof ApplicationFailure, `expected an ApplicationFailure, got ${String(e)}`);
    assert.equal(e.type, PAYLOAD_UNAVAILABLE);
    assert.equal(e.nonRetryable, true);
    assert.match(e.message, pattern);
    assert.ok(!e.message.includes(EMAIL));
    return true;
  });
}

describe('claim check on PostgreSQL', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let store: ClaimStore;
  let codec: ClaimCheckCodec;

  before(async () => {
    db = await createTestDatabase();
    store = new ClaimStore(db.pool, { current: keyA });
    codec = new ClaimCheckCodec({ store, thresholdBytes: THRESHOLD });
  });
  after(async () => {
    await db?.drop();
  });

  const count = async () => Number((await db.pool.query<{ n: string }>('SELECT count(*) AS n FROM claim_payloads')).rows[0]!.n);

  it('leaves payloads at or under the threshold as they are', async () => {
    const small = defaultPayloadConverter.toPayload({ email: EMAIL, points: 250 });
    const [out] = await codec.encode([small]);
    assert.equal(out, small);
    // Just under the threshold once serialized: still inline.
    const justUnder = defaultPayloadConverter.toPayload('y'.repeat(THRESHOLD - 64));
    assert.ok(temporal.api.common.v1.Payload.encode(justUnder).finish().length <= THRESHOLD);
    assert.equal((await codec.encode([justUnder]))[0], justUnder);
    assert.equal(await count(), 0);
  });

  it('stores a large binary payload whole and gives it back byte for byte', async () => {
    const payload = binaryPayload(100);
    const [ref] = await codec.encode([payload]);
    assert.ok(ref && isClaimCheckReference(ref));
    assert.equal(Buffer.from(ref.metadata!.encoding!).toString(), CLAIM_CHECK_ENCODING);
    assert.ok(serialized(ref).length < 200, 'the reference is small');
    assert.ok(!serialized(ref).includes(Buffer.from(EMAIL)));
    const [back] = await codec.decode([ref]);
    assert.deepEqual(serialized(back!), serialized(payload));
  });

  it("keeps a large JSON payload's shape and small values, its large strings stored apart, and gives it back byte for byte", async () => {
    const payload = bigPayload(100);
    const [ref] = await codec.encode([payload]);
    assert.ok(ref && isClaimCheckReference(ref));
    assert.ok(serialized(ref).length < 1024, `the reference is small (${serialized(ref).length} bytes)`);
    assert.equal(claimCheckReferenceIds(ref).length, 1);
    const [back] = await codec.decode([ref]);
    assert.deepEqual(serialized(back!), serialized(payload));
    assert.deepEqual(defaultPayloadConverter.fromPayload(back!), defaultPayloadConverter.fromPayload(payload));
    // Several large strings, nested in arrays and objects, a "__proto__" key among them.
    const nested = defaultPayloadConverter.toPayload(
      JSON.parse(
        JSON.stringify({ a: [{ big: 'a'.repeat(20_000) }, 'b'.repeat(9000)], ['__proto__']: { c: 'c'.repeat(12_000) }, n: 1.5, t: true }),
      ),
    );
    const [nestedRef] = await codec.encode([nested]);
    assert.ok(isClaimCheckReference(nestedRef!));
    assert.deepEqual(serialized((await codec.decode([nestedRef!]))[0]!), serialized(nested));
    // A bare large JSON string has no shape to keep: stored whole.
    const bare = defaultPayloadConverter.toPayload('s'.repeat(40_000));
    const [bareRef] = await codec.encode([bare]);
    assert.equal(claimCheckReferenceIds(bareRef!).length, 1);
    assert.deepEqual(serialized((await codec.decode([bareRef!]))[0]!), serialized(bare));
  });

  it('stores a JSON of very many small values whole, without writing its large strings apart first', async () => {
    await db.pool.query('DELETE FROM claim_payloads');
    const many = defaultPayloadConverter.toPayload({ big: 'g'.repeat(20_000), many: Array.from({ length: 3000 }, (_, i) => `item-${i}`) });
    const [ref] = await codec.encode([many]);
    assert.ok(isClaimCheckReference(ref!));
    assert.ok(serialized(ref!).length < 200, 'a whole-payload reference');
    assert.equal(await count(), 1);
    assert.deepEqual(serialized((await codec.decode([ref!]))[0]!), serialized(many));
  });

  it('stores one row for the same payload written by ten deliveries, one per different payload', async () => {
    await db.pool.query('DELETE FROM claim_payloads');
    const payload = binaryPayload(40, 'same');
    const refs = await codec.encode(Array.from({ length: 10 }, () => payload));
    assert.equal(new Set(refs.map((r) => idOf(r))).size, 1);
    // Written again later (a retry scheduling the same input): still one row.
    await codec.encode([payload]);
    assert.equal(await count(), 1);
    await codec.encode([binaryPayload(40, 'other')]);
    assert.equal(await count(), 2);
  });

  it('stores one row for one large body in ten different activity results (each its own URL and key)', async () => {
    await db.pool.query('DELETE FROM claim_payloads');
    const body = JSON.stringify({ email: EMAIL, receipt: 'r'.repeat(60_000) });
    const results = Array.from({ length: 10 }, (_, i) =>
      defaultPayloadConverter.toPayload({
        requests: [{ request: { method: 'POST', url: `https://hook-${i}.example/in`, body }, idempotencyKey: `evt-1:hook-${i}` }],
        destinationVersion: String(i),
      }),
    );
    const refs = await codec.encode(results);
    assert.equal(new Set(refs.map((r) => idOf(r))).size, 1);
    assert.equal(await count(), 1);
    const back = await codec.decode(refs);
    back.forEach((p, i) => assert.deepEqual(serialized(p), serialized(results[i]!)));
  });

  it('stores the payload encrypted, under a keyed id that is no bare hash of the content', async () => {
    const payload = binaryPayload(30, 'enc');
    const bytes = serialized(payload);
    const [ref] = await codec.encode([payload]);
    const id = idOf(ref);
    const { rows } = await db.pool.query<{ key_id: string; sealed: Buffer; size_bytes: number }>(
      'SELECT key_id, sealed, size_bytes FROM claim_payloads WHERE id = $1',
      [id],
    );
    assert.equal(rows.length, 1);
    assert.equal(rows[0]!.key_id, keyIdOf(keyA));
    assert.equal(rows[0]!.size_bytes, bytes.length);
    assert.ok(!rows[0]!.sealed.includes(Buffer.from(EMAIL)), 'no plaintext in the row');
    assert.ok(!rows[0]!.sealed.includes(bytes.subarray(200, 232)), 'no plaintext bytes in the row');
    for (const algorithm of ['sha256', 'sha512', 'sha1', 'md5']) {
      const digest = createHash(algorithm).update(bytes).digest();
      assert.notEqual(id, digest.toString('base64url'));
      assert.notEqual(id, digest.toString('hex'));
    }
    // Another master key gives another id for the same content.
    assert.notEqual(new ClaimStore(db.pool, { current: keyB }).idOf(bytes), id);
    // A stored JSON leaf is encrypted too.
    const [leafRef] = await codec.encode([bigPayload(30, 'leaf-enc')]);
    const leaf = await db.pool.query<{ sealed: Buffer }>('SELECT sealed FROM claim_payloads WHERE id = $1', [idOf(leafRef)]);
    assert.ok(!leaf.rows[0]!.sealed.includes(Buffer.from('xxxxxxxxxxxxxxxx')));
  });

  it('fails clearly, without retrying, on a reference whose row is missing', async () => {
    const [ref] = await codec.encode([bigPayload(20, 'missing')]);
    const id = idOf(ref);
    await db.pool.query('DELETE FROM claim_payloads WHERE id = $1', [id]);
    await expectUnavailable(codec.decode([ref!]), new RegExp(`${id}.*not in the configuration database`));
  });

  it('fails clearly on an altered row, a row moved to another id, and a malformed reference', async () => {
    const [ref] = await codec.encode([bigPayload(20, 'tamper')]);
    const id = idOf(ref);
    await db.pool.query(`UPDATE claim_payloads SET sealed = overlay(sealed placing '\\x00'::bytea from 40 for 1) WHERE id = $1`, [id]);
    await expectUnavailable(codec.decode([ref!]), new RegExp(`${id}.*failed authentication`));

    const [other] = await codec.encode([bigPayload(20, 'moved')]);
    const otherId = idOf(other);
    await db.pool.query('UPDATE claim_payloads SET sealed = (SELECT sealed FROM claim_payloads WHERE id = $1) WHERE id = $2', [
      otherId,
      id,
    ]);
    await expectUnavailable(codec.decode([ref!]), /failed authentication/);

    const broken: Payload = { metadata: { encoding: Buffer.from(CLAIM_CHECK_ENCODING) }, data: Buffer.from('{"v":7,"id":"nope"}') };
    const missingLeaf: Payload = {
      metadata: { encoding: Buffer.from(CLAIM_CHECK_ENCODING) },
      data: Buffer.from(JSON.stringify({ v: 1, metadata: {}, json: { a: '' }, leaves: [{ path: ['a'], id: 'A'.repeat(43), bytes: 5 }] })),
    };
    await expectUnavailable(codec.decode([missingLeaf]), new RegExp(`${'A'.repeat(43)}.*not in the configuration database`));
    await expectUnavailable(codec.decode([broken]), /unknown form.*reference nope/);
    const notJson: Payload = { metadata: { encoding: Buffer.from(CLAIM_CHECK_ENCODING) }, data: Buffer.from('not json') };
    await expectUnavailable(codec.decode([notJson]), /not JSON/);
  });

  it('names the master key a row needs when it is not configured, and reads it once it is a previous key', async () => {
    const [ref] = await codec.encode([bigPayload(20, 'rotation')]);
    const rotatedAway = new ClaimCheckCodec({ store: new ClaimStore(db.pool, { current: keyB }), thresholdBytes: THRESHOLD });
    await expectUnavailable(rotatedAway.decode([ref!]), new RegExp(`master key ${keyIdOf(keyA)}.*RELAY_MASTER_KEY_PREVIOUS`));
    const rotated = new ClaimCheckCodec({ store: new ClaimStore(db.pool, { current: keyB, previous: [keyA] }), thresholdBytes: THRESHOLD });
    const [back] = await rotated.decode([ref!]);
    assert.equal(defaultPayloadConverter.fromPayload<{ salt: string }>(back!).salt, 'rotation');
  });

  it('cleanup deletes payloads unreferenced past the retention plus the longest run, and keeps the rest', async () => {
    await db.pool.query('DELETE FROM claim_payloads');
    const [oldRef, freshRef, readRef] = await codec.encode([bigPayload(20, 'old'), bigPayload(20, 'fresh'), bigPayload(20, 'read')]);
    const retention = 24 * 3600;
    // No destination yet: the defaults (1-day retry window + 7-day parking) count.
    const keep = await claimCheckKeepSeconds(db.pool, retention);
    assert.equal(keep, 8 * 86400 + retention);
    const age = async (ref: Payload, seconds: number) =>
      db.pool.query(`UPDATE claim_payloads SET last_referenced_at = now() - make_interval(secs => $2) WHERE id = $1`, [idOf(ref), seconds]);
    await age(oldRef!, keep + 60);
    await age(freshRef!, keep - 3600);
    await age(readRef!, keep + 60);
    // A run that reads its payload again (a replay after a worker restart) keeps it.
    await codec.decode([readRef!]);
    const report = await cleanupClaimPayloads(db.pool, store, retention);
    assert.deepEqual(report, { deleted: 1, keepSeconds: keep, namespaceRetentionSeconds: retention });
    await expectUnavailable(codec.decode([oldRef!]), /not in the configuration database/);
    await codec.decode([freshRef!, readRef!]);
  });

  it('counts the longest retry window + parking period of any destination version', async () => {
    await db.pool.query(
      `INSERT INTO destination_versions (name, version, config, input, secrets) VALUES
         ('long', 1, '{"retryWindowSeconds": 172800, "parkingPeriodSeconds": 2592000}', '{}', 'x'),
         ('short', 1, '{"retryWindowSeconds": 60, "parkingPeriodSeconds": 60}', '{}', 'x')`,
    );
    assert.equal(await claimCheckKeepSeconds(db.pool, 3600), 172800 + 2592000 + 3600);
  });

  it('`relay payloads cleanup` deletes what is past the retention and says how much is left', async () => {
    await db.pool.query('DELETE FROM claim_payloads');
    const [oldRef] = await codec.encode([binaryPayload(20, 'cli-old'), binaryPayload(20, 'cli-fresh')]);
    const keep = await claimCheckKeepSeconds(db.pool, 3600);
    await db.pool.query(`UPDATE claim_payloads SET last_referenced_at = now() - make_interval(secs => $2) WHERE id = $1`, [
      idOf(oldRef),
      keep + 60,
    ]);
    const dataDir = mkdtempSync(join(tmpdir(), 'relay-cli-'));
    try {
      const run = (args: string[]) =>
        promisify(execFile)(process.execPath, ['--import', 'tsx', join(__dirname, '../../../src/entry/relay.ts'), ...args], {
          env: {
            ...process.env,
            DATABASE_URL: db.url,
            RELAY_DATA_DIR: dataDir,
            RELAY_MASTER_KEY: keyA.toString('base64'),
            LOG_LEVEL: 'error',
          },
        });
      const { stdout } = await run(['payloads', 'cleanup', '--retention-hours', '1']);
      assert.match(stdout, /^deleted 1 stored payload\(s\) unreferenced for over [\d.]+ h .* 1 left \(\d+ bytes\)/);
      assert.equal(await count(), 1);
      await assert.rejects(run(['payloads', 'cleanup', '--retention-hours', 'soon']), (e: { code?: number; stderr?: string }) => {
        assert.equal(e.code, 2);
        assert.match(e.stderr ?? '', /--retention-hours must be a positive number of hours/);
        return true;
      });
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('the worker job runs a round at once and reports it; stop() ends it', async () => {
    const reports: CleanupReport[] = [];
    const errors: unknown[] = [];
    let resolveFirst: () => void;
    const first = new Promise<void>((r) => (resolveFirst = r));
    const job = startClaimCleanupJob({
      pool: db.pool,
      store,
      intervalMs: 3600_000,
      retentionSeconds: () => Promise.resolve(60),
      onReport: (r) => {
        reports.push(r);
        resolveFirst();
      },
      onError: (e) => errors.push(e),
    });
    await first;
    await job.stop();
    assert.equal(reports.length, 1);
    assert.deepEqual(errors, []);
  });
});

describe('claim check on the embedded store (PGlite)', () => {
  let embedded: Awaited<ReturnType<typeof createEmbeddedTestDatabase>>;
  before(async () => {
    embedded = await createEmbeddedTestDatabase();
  });
  after(async () => {
    await embedded?.drop();
  });

  it('stores once, round-trips and cleans up', async () => {
    const store = new ClaimStore(embedded.db.pool, { current: keyA });
    const codec = new ClaimCheckCodec({ store, thresholdBytes: THRESHOLD });
    const payload = bigPayload(300, 'pglite');
    const refs = await codec.encode([payload, payload, payload]);
    assert.equal(new Set(refs.map((r) => idOf(r))).size, 1);
    const stats = await store.stats();
    assert.equal(stats.rows, 1);
    assert.ok(stats.bytes > 300 * 1024 && stats.bytes < 301 * 1024, `the large string only: ${stats.bytes} bytes`);
    const [back] = await codec.decode([refs[0]!]);
    assert.deepEqual(defaultPayloadConverter.fromPayload(back!), defaultPayloadConverter.fromPayload(payload));
    await embedded.db.pool.query(`UPDATE claim_payloads SET last_referenced_at = now() - interval '100 days'`);
    assert.equal((await cleanupClaimPayloads(embedded.db.pool, store, 3600)).deleted, 1);
  });
});
