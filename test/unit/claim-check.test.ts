/**
 * The claim-check codec and its store, on a real PostgreSQL database (and once on the embedded
 * PGlite): large payloads leave the payload for a reference, come back byte for byte, are stored
 * once, encrypted, under a keyed id; missing or altered rows are clear non-retryable failures;
 * the cleanup deletes what is past its retention and nothing else.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { ApplicationFailure, defaultPayloadConverter, type Payload } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import {
  CLAIM_CHECK_ENCODING,
  ClaimCheckCodec,
  claimCheckReferenceId,
  isClaimCheckReference,
  PAYLOAD_UNAVAILABLE,
} from '../../src/payloads/claim-check';
import { cleanupClaimPayloads, startClaimCleanupJob, type CleanupReport } from '../../src/payloads/claim-cleanup';
import { ClaimStore, claimCheckKeepSeconds } from '../../src/payloads/claim-store';
import { keyIdOf } from '../../src/db/secrets';
import { createEmbeddedTestDatabase, createTestDatabase } from '../helpers/database';

const THRESHOLD = 16 * 1024;
const keyA = randomBytes(32);
const keyB = randomBytes(32);
const EMAIL = 'asha.claimcheck@example.com';

/** A JSON payload of about `kb` KiB carrying an email address. */
function bigPayload(kb: number, salt = ''): Payload {
  return defaultPayloadConverter.toPayload({ email: EMAIL, salt, filler: 'x'.repeat(kb * 1024) });
}

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

  it('replaces a large payload by a small reference and gives it back byte for byte', async () => {
    const payload = bigPayload(100);
    const [ref] = await codec.encode([payload]);
    assert.ok(ref && isClaimCheckReference(ref));
    assert.equal(Buffer.from(ref.metadata!.encoding!).toString(), CLAIM_CHECK_ENCODING);
    assert.ok(temporal.api.common.v1.Payload.encode(ref).finish().length < 200, 'the reference is small');
    assert.ok(!Buffer.from(ref.data!).toString().includes(EMAIL));
    const [back] = await codec.decode([ref]);
    assert.deepEqual(
      Buffer.from(temporal.api.common.v1.Payload.encode(back!).finish()),
      Buffer.from(temporal.api.common.v1.Payload.encode(payload).finish()),
    );
    assert.deepEqual(defaultPayloadConverter.fromPayload(back!), defaultPayloadConverter.fromPayload(payload));
  });

  it('stores one row for the same payload written by ten deliveries, one per different payload', async () => {
    await db.pool.query('DELETE FROM claim_payloads');
    const payload = bigPayload(40, 'same');
    const refs = await codec.encode(Array.from({ length: 10 }, () => payload));
    const ids = new Set(refs.map((r) => claimCheckReferenceId(r)));
    assert.equal(ids.size, 1);
    // Written again later (a retry scheduling the same input): still one row.
    await codec.encode([payload]);
    assert.equal(await count(), 1);
    await codec.encode([bigPayload(40, 'other')]);
    assert.equal(await count(), 2);
  });

  it('stores the payload encrypted, under a keyed id that is no bare hash of the content', async () => {
    const payload = bigPayload(30, 'enc');
    const bytes = temporal.api.common.v1.Payload.encode(payload).finish();
    const [ref] = await codec.encode([payload]);
    const id = claimCheckReferenceId(ref!)!;
    const { rows } = await db.pool.query<{ key_id: string; sealed: Buffer; size_bytes: number }>(
      'SELECT key_id, sealed, size_bytes FROM claim_payloads WHERE id = $1',
      [id],
    );
    assert.equal(rows.length, 1);
    assert.equal(rows[0]!.key_id, keyIdOf(keyA));
    assert.equal(rows[0]!.size_bytes, bytes.length);
    assert.ok(!rows[0]!.sealed.includes(Buffer.from(EMAIL)), 'no plaintext in the row');
    assert.ok(!rows[0]!.sealed.includes(Buffer.from('xxxxxxxxxxxxxxxx')), 'no plaintext filler in the row');
    for (const algorithm of ['sha256', 'sha512', 'sha1', 'md5']) {
      const digest = createHash(algorithm).update(bytes).digest();
      assert.notEqual(id, digest.toString('base64url'));
      assert.notEqual(id, digest.toString('hex'));
    }
    // Another master key gives another id for the same content.
    assert.notEqual(new ClaimStore(db.pool, { current: keyB }).idOf(bytes), id);
  });

  it('fails clearly, without retrying, on a reference whose row is missing', async () => {
    const [ref] = await codec.encode([bigPayload(20, 'missing')]);
    const id = claimCheckReferenceId(ref!)!;
    await db.pool.query('DELETE FROM claim_payloads WHERE id = $1', [id]);
    await expectUnavailable(codec.decode([ref!]), new RegExp(`${id}.*not in the configuration database`));
  });

  it('fails clearly on an altered row, a row moved to another id, and a malformed reference', async () => {
    const [ref] = await codec.encode([bigPayload(20, 'tamper')]);
    const id = claimCheckReferenceId(ref!)!;
    await db.pool.query(`UPDATE claim_payloads SET sealed = overlay(sealed placing '\\x00'::bytea from 40 for 1) WHERE id = $1`, [id]);
    await expectUnavailable(codec.decode([ref!]), new RegExp(`${id}.*failed authentication`));

    const [other] = await codec.encode([bigPayload(20, 'moved')]);
    const otherId = claimCheckReferenceId(other!)!;
    await db.pool.query('UPDATE claim_payloads SET sealed = (SELECT sealed FROM claim_payloads WHERE id = $1) WHERE id = $2', [otherId, id]);
    await expectUnavailable(codec.decode([ref!]), /failed authentication/);

    const broken: Payload = { metadata: { encoding: Buffer.from(CLAIM_CHECK_ENCODING) }, data: Buffer.from('{"v":7,"id":"nope"}') };
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
    assert.equal((defaultPayloadConverter.fromPayload(back!) as { salt: string }).salt, 'rotation');
  });

  it('cleanup deletes payloads unreferenced past the retention plus the longest run, and keeps the rest', async () => {
    await db.pool.query('DELETE FROM claim_payloads');
    const [oldRef, freshRef, readRef] = await codec.encode([bigPayload(20, 'old'), bigPayload(20, 'fresh'), bigPayload(20, 'read')]);
    const retention = 24 * 3600;
    // No destination yet: the defaults (1-day retry window + 7-day parking) count.
    const keep = await claimCheckKeepSeconds(db.pool, retention);
    assert.equal(keep, 8 * 86400 + retention);
    const age = async (ref: Payload, seconds: number) =>
      db.pool.query(`UPDATE claim_payloads SET last_referenced_at = now() - make_interval(secs => $2) WHERE id = $1`, [
        claimCheckReferenceId(ref),
        seconds,
      ]);
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
    assert.equal(new Set(refs.map((r) => claimCheckReferenceId(r))).size, 1);
    assert.deepEqual(await store.stats(), { rows: 1, bytes: temporal.api.common.v1.Payload.encode(payload).finish().length });
    const [back] = await codec.decode([refs[0]!]);
    assert.deepEqual(defaultPayloadConverter.fromPayload(back!), defaultPayloadConverter.fromPayload(payload));
    await embedded.db.pool.query(`UPDATE claim_payloads SET last_referenced_at = now() - interval '100 days'`);
    assert.equal((await cleanupClaimPayloads(embedded.db.pool, store, 3600)).deleted, 1);
  });
});
