/** Sealed secrets (AES-256-GCM envelopes bound to their row) and where the master keys come from. */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { aadCredential, aadDestinationVersion, aadSource } from '../../../src/db/aad';
import { createSecretBox, keyIdOf, MasterKeyError, masterKeysFromEnv, SecretBoxError } from '../../../src/db/secrets';

const keyA = randomBytes(32);
const keyB = randomBytes(32);
const AAD = aadCredential('my-oauth');
const PLAINTEXT = JSON.stringify({ clientSecret: 'very-secret-value' });

/** Replace one character of part `index` (0 = "v1") with another valid base64url character. */
function alter(sealed: string, index: number): string {
  const parts = sealed.split('.');
  const part = parts[index]!;
  parts[index] = (part[0] === 'A' ? 'B' : 'A') + part.slice(1);
  return parts.join('.');
}

function assertOpenFails(fn: () => unknown, pattern: RegExp) {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof SecretBoxError, `expected SecretBoxError, got ${String(e)}`);
    assert.match(e.message, pattern);
    assert.doesNotMatch(e.message, /very-secret-value/);
    return true;
  });
}

describe('secret box', () => {
  const box = createSecretBox({ current: keyA });

  it('round-trips, with a fresh IV each time and the key id in the envelope', () => {
    const sealed = box.seal(PLAINTEXT, AAD);
    assert.match(sealed, /^v1\.[0-9a-f]{8}\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]+$/);
    assert.equal(box.keyId, keyIdOf(keyA));
    assert.equal(box.sealedWith(sealed), box.keyId);
    assert.ok(!sealed.includes('very-secret'));
    assert.equal(box.open(sealed, AAD), PLAINTEXT);
    assert.notEqual(box.seal(PLAINTEXT, AAD), sealed);
    assert.equal(box.open(box.seal('', AAD), AAD), '');
  });

  it('refuses an altered ciphertext, tag or IV', () => {
    const sealed = box.seal(PLAINTEXT, AAD);
    for (const part of [2, 3, 4]) assertOpenFails(() => box.open(alter(sealed, part), AAD), /failed authentication/);
  });

  it("refuses a value copied into another row (the AAD is the row's identity)", () => {
    const sealed = box.seal(PLAINTEXT, aadSource('capillary'));
    assertOpenFails(() => box.open(sealed, aadSource('webengage')), /sources:webengage .*failed authentication/);
    const version1 = box.seal(PLAINTEXT, aadDestinationVersion('crm', 1));
    assertOpenFails(() => box.open(version1, aadDestinationVersion('crm', 2)), /failed authentication/);
  });

  it('names the missing key when the envelope needs one it does not have', () => {
    const sealedWithB = createSecretBox({ current: keyB }).seal(PLAINTEXT, AAD);
    assertOpenFails(() => box.open(sealedWithB, AAD), new RegExp(`master key ${keyIdOf(keyB)}.*RELAY_MASTER_KEY_PREVIOUS`));
  });

  it('refuses what is not an envelope', () => {
    assertOpenFails(() => box.open('plain text', AAD), /not a sealed secret/);
    assertOpenFails(() => box.open(box.seal(PLAINTEXT, AAD).replace(/^v1/, 'v2'), AAD), /not a sealed secret/);
    assertOpenFails(() => box.sealedWith('v1.abc.!!.x.y'), /not a sealed secret/);
  });

  it('opens values sealed with a previous key and seals new ones with the current key (rotation)', () => {
    const sealedWithA = box.seal(PLAINTEXT, AAD);
    const rotated = createSecretBox({ current: keyB, previous: [keyA] });
    assert.equal(rotated.open(sealedWithA, AAD), PLAINTEXT);
    const resealed = rotated.seal(PLAINTEXT, AAD);
    assert.equal(rotated.sealedWith(resealed), keyIdOf(keyB));
    assert.equal(createSecretBox({ current: keyB }).open(resealed, AAD), PLAINTEXT);
  });

  it('refuses keys that are not 32 bytes', () => {
    assert.throws(() => createSecretBox({ current: randomBytes(16) }), /32 bytes/);
  });
});

describe('masterKeysFromEnv', () => {
  const dirs: string[] = [];
  const tempDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'relay-master-key-'));
    dirs.push(dir);
    return dir;
  };
  after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
  const noDir = { dataDir: '/nonexistent/never-written' };

  it('reads 32 bytes as base64 (openssl rand -base64 32), base64url or hex', () => {
    for (const text of [
      keyA.toString('base64'),
      keyA.toString('base64url'),
      keyA.toString('hex'),
      ` ${keyA.toString('hex').toUpperCase()}\n`,
    ]) {
      const keys = masterKeysFromEnv({ RELAY_MASTER_KEY: text, NODE_ENV: 'production' }, noDir);
      assert.deepEqual(keys, { current: keyA, previous: [], source: 'env' });
    }
  });

  it('reads the comma-separated previous keys', () => {
    const keys = masterKeysFromEnv(
      { RELAY_MASTER_KEY: keyB.toString('base64'), RELAY_MASTER_KEY_PREVIOUS: `${keyA.toString('hex')}, ${keyB.toString('base64')},` },
      noDir,
    );
    assert.deepEqual(keys.previous, [keyA, keyB]);
  });

  it('names the variable and how to make a key when one is malformed, without echoing it', () => {
    const cases: [Record<string, string>, RegExp][] = [
      [
        { RELAY_MASTER_KEY: randomBytes(16).toString('base64') },
        /^RELAY_MASTER_KEY must be 32 random bytes.*24 characters.*openssl rand -base64 32/,
      ],
      [{ RELAY_MASTER_KEY: 'correct horse battery staple' }, /^RELAY_MASTER_KEY must be/],
      [{ RELAY_MASTER_KEY: keyA.toString('hex').slice(2) + 'zz' }, /^RELAY_MASTER_KEY must be/],
      [{ RELAY_MASTER_KEY: keyA.toString('hex'), RELAY_MASTER_KEY_PREVIOUS: 'short' }, /^RELAY_MASTER_KEY_PREVIOUS must be/],
      [
        { RELAY_MASTER_KEY: keyA.toString('hex'), RELAY_MASTER_KEY_PREVIOUS: `${keyB.toString('hex')},oops-not-a-key` },
        /^RELAY_MASTER_KEY_PREVIOUS \(entry 2\) must be/,
      ],
    ];
    for (const [env, pattern] of cases) {
      assert.throws(
        () => masterKeysFromEnv(env, noDir),
        (e: unknown) =>
          e instanceof MasterKeyError && pattern.test(e.message) && !e.message.includes('horse') && !e.message.includes('oops'),
        JSON.stringify(Object.keys(env)),
      );
    }
  });

  it('refuses to start without RELAY_MASTER_KEY in production, and writes no file', () => {
    const dir = tempDir();
    assert.throws(
      () => masterKeysFromEnv({ NODE_ENV: 'production' }, { dataDir: dir }),
      (e: unknown) => e instanceof MasterKeyError && /refusing to start without RELAY_MASTER_KEY outside development/.test(e.message),
    );
    assert.throws(() => statSync(join(dir, 'master-key')), /ENOENT/);
  });

  it('in development and test, makes a key file once (mode 0600), reuses it, and warns once', () => {
    const dir = join(tempDir(), 'data');
    const warnings: string[] = [];
    const log = (m: string) => warnings.push(m);
    const first = masterKeysFromEnv({}, { dataDir: dir, log });
    assert.equal(first.source, 'development-file');
    assert.equal(first.current.length, 32);
    const file = join(dir, 'master-key');
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.deepEqual(Buffer.from(readFileSync(file, 'utf8').trim(), 'base64'), first.current);
    const again = masterKeysFromEnv({ NODE_ENV: 'test', RELAY_MASTER_KEY_PREVIOUS: keyA.toString('hex') }, { dataDir: dir, log });
    assert.deepEqual(again.current, first.current);
    assert.deepEqual(again.previous, [keyA]);
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!, /RELAY_MASTER_KEY is not set.*development key created now in .*master-key/);
    assert.ok(!warnings[0]!.includes(first.current.toString('base64')), 'the warning does not show the key');
  });

  it('reports a damaged development key file by its path', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'master-key'), 'not a key\n');
    assert.throws(
      () => masterKeysFromEnv({}, { dataDir: dir, log: () => undefined }),
      /development master key file .*master-key must be 32 random bytes/,
    );
  });
});
