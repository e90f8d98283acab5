/**
 * Secrets at rest in the config store: AES-256-GCM (node:crypto) with the master key. A sealed
 * value is one text, `v1.<keyId>.<iv>.<tag>.<ciphertext>` (base64url parts), so it names the
 * key it needs: after a key rotation the old key stays readable (RELAY_MASTER_KEY_PREVIOUS)
 * until src/db/rotate.ts has re-sealed every row. The row's identity (src/db/aad.ts) is bound
 * as additional authenticated data: a sealed value copied into another row does not open.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

export { masterKeysFromEnv, MasterKeyError } from './master-key';

const VERSION = 'v1';
const ALGORITHM = 'aes-256-gcm';
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** A sealed value cannot be opened (unknown key, altered, another row's, or not an envelope). Never carries the plaintext. */
export class SecretBoxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SecretBoxError';
  }
}

export interface SecretBox {
  /** Id of the key new values are sealed with. */
  readonly keyId: string;
  seal(plaintext: string, aad: string): string;
  open(sealed: string, aad: string): string;
  /** Id of the key a sealed value names in its envelope. */
  sealedWith(sealed: string): string;
}

/** First 8 hex characters of the key's SHA-256: identifies a key without revealing it. */
export function keyIdOf(key: Buffer): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 8);
}

interface Envelope {
  keyId: string;
  iv: Buffer;
  tag: Buffer;
  ciphertext: Buffer;
}

const BASE64URL = /^[A-Za-z0-9_-]*$/;

function parse(sealed: string): Envelope {
  const parts = sealed.split('.');
  const [version, keyId, iv, tag, ciphertext] = parts;
  if (parts.length !== 5 || version !== VERSION || !keyId || iv === undefined || tag === undefined || ciphertext === undefined) {
    throw new SecretBoxError(`not a sealed secret: expected "${VERSION}.<keyId>.<iv>.<tag>.<ciphertext>"`);
  }
  if (![iv, tag, ciphertext].every((p) => BASE64URL.test(p))) throw new SecretBoxError('not a sealed secret: a part is not base64url');
  const envelope = {
    keyId,
    iv: Buffer.from(iv, 'base64url'),
    tag: Buffer.from(tag, 'base64url'),
    ciphertext: Buffer.from(ciphertext, 'base64url'),
  };
  if (envelope.iv.length !== IV_BYTES || envelope.tag.length !== TAG_BYTES) {
    throw new SecretBoxError(`not a sealed secret: the IV must be ${IV_BYTES} bytes and the tag ${TAG_BYTES}`);
  }
  return envelope;
}

export function createSecretBox(keys: { current: Buffer; previous?: Buffer[] }): SecretBox {
  for (const key of [keys.current, ...(keys.previous ?? [])]) {
    if (key.length !== KEY_BYTES) throw new RangeError(`a master key must be ${KEY_BYTES} bytes, got ${key.length}`);
  }
  const keyId = keyIdOf(keys.current);
  const byId = new Map<string, Buffer>();
  // The current key wins should an old one share its id (the same key listed twice).
  for (const key of [...(keys.previous ?? [])].reverse()) byId.set(keyIdOf(key), key);
  byId.set(keyId, keys.current);

  return {
    keyId,
    seal(plaintext, aad) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv(ALGORITHM, keys.current, iv, { authTagLength: TAG_BYTES });
      cipher.setAAD(Buffer.from(aad, 'utf8'));
      const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      const parts = [iv, cipher.getAuthTag(), ciphertext].map((b) => b.toString('base64url'));
      return [VERSION, keyId, ...parts].join('.');
    },
    open(sealed, aad) {
      const envelope = parse(sealed);
      const key = byId.get(envelope.keyId);
      if (!key) {
        throw new SecretBoxError(
          `the secret of ${aad} was sealed with master key ${envelope.keyId}, which is not configured ` +
            `(RELAY_MASTER_KEY is key ${keyId}${byId.size > 1 ? `; RELAY_MASTER_KEY_PREVIOUS has ${[...byId.keys()].filter((k) => k !== keyId).join(', ')}` : ''}). ` +
            `Add the key ${envelope.keyId} to RELAY_MASTER_KEY_PREVIOUS.`,
        );
      }
      const decipher = createDecipheriv(ALGORITHM, key, envelope.iv, { authTagLength: TAG_BYTES });
      decipher.setAAD(Buffer.from(aad, 'utf8'));
      decipher.setAuthTag(envelope.tag);
      try {
        return Buffer.concat([decipher.update(envelope.ciphertext), decipher.final()]).toString('utf8');
      } catch {
        throw new SecretBoxError(
          `the secret of ${aad} (master key ${envelope.keyId}) failed authentication: it was altered, or it was sealed for another row`,
        );
      }
    },
    sealedWith(sealed) {
      return parse(sealed).keyId;
    },
  };
}
