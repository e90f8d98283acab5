/**
 * The payload encryption codec: every payload the relay's client and worker write to Temporal
 * (workflow and activity inputs and results, update and signal arguments, memo, user metadata,
 * failure details and — with the failure converter in ./failure-converter — failure messages
 * and stack traces) is sealed with AES-256-GCM (node:crypto) before it leaves the process.
 *
 * The payload key is derived (HKDF-SHA256) from the master key that seals the config store's
 * secrets (src/db/master-key.ts), so there is one key to keep and to rotate: a payload names
 * the id of the master key it was sealed under (the store's key id, `keyIdOf`), and the keys
 * in RELAY_MASTER_KEY_PREVIOUS stay readable after a rotation. Histories are never rewritten:
 * an old run keeps its key until the namespace's retention removes it (README "Payloads and PII").
 *
 * A sealed payload: metadata `encoding: binary/encrypted`, `encryption-key-id: <id>`,
 * `encryption-cipher: AES-256-GCM`; data = 12-byte IV ‖ ciphertext ‖ 16-byte tag, where the
 * plaintext is the original Payload as protobuf (its metadata included, so the encoding
 * `json/plain` is hidden too). The key id and format are bound as additional authenticated
 * data: changing the metadata breaks the tag.
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { ApplicationFailure, type Payload, type PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { keyIdOf } from '../db/secrets';

export const ENCRYPTED_ENCODING = 'binary/encrypted';
export const KEY_ID_KEY = 'encryption-key-id';
export const CIPHER_KEY = 'encryption-cipher';
const CIPHER = 'AES-256-GCM';
const ALGORITHM = 'aes-256-gcm';
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
/** HKDF `info`: a payload key is never the master key itself, nor the key of any other use of it. */
const HKDF_INFO = 'loyalty-relay temporal payload codec v1';

/** The failure type of a payload that cannot be opened: stable, for dashboards and tests. */
export const PAYLOAD_DECODE_FAILURE = 'PayloadDecodeFailed';

const utf8 = (s: string) => Buffer.from(s, 'utf8');
const text = (b: Uint8Array | null | undefined) => (b ? Buffer.from(b).toString('utf8') : undefined);

export interface PayloadKey {
  /** Id of the master key this payload key is derived from (the config store names keys the same way). */
  id: string;
  key: Buffer;
}

/** The payload key of a master key: HKDF-SHA256 with a purpose label, named by the master key's id. */
export function payloadKeyOf(masterKey: Buffer): PayloadKey {
  if (masterKey.length !== KEY_BYTES) throw new RangeError(`a master key must be ${KEY_BYTES} bytes, got ${masterKey.length}`);
  const key = Buffer.from(hkdfSync('sha256', masterKey, Buffer.alloc(0), HKDF_INFO, KEY_BYTES));
  return { id: keyIdOf(masterKey), key };
}

export interface EncryptionCodecOptions {
  /** The master key new payloads are sealed with. */
  current: Buffer;
  /** Older master keys: their payloads stay readable (RELAY_MASTER_KEY_PREVIOUS). */
  previous?: Buffer[];
  /**
   * false: write payloads in plaintext (a bench and diagnostic switch, RELAY_PAYLOAD_ENCRYPTION);
   * sealed payloads are still opened, so turning it off never strands a run.
   */
  encrypt?: boolean;
}

/** A decode failure: names the key id, never the plaintext; non-retryable (another attempt cannot open it). */
function decodeFailure(message: string): ApplicationFailure {
  return ApplicationFailure.nonRetryable(message, PAYLOAD_DECODE_FAILURE);
}

export class EncryptionCodec implements PayloadCodec {
  readonly keyId: string;
  private readonly current: PayloadKey;
  private readonly byId = new Map<string, PayloadKey>();
  private readonly encrypt: boolean;

  constructor(options: EncryptionCodecOptions) {
    this.current = payloadKeyOf(options.current);
    this.keyId = this.current.id;
    // The current key wins should an old one share its id (the same key listed twice).
    for (const k of [...(options.previous ?? [])].reverse().map(payloadKeyOf)) this.byId.set(k.id, k);
    this.byId.set(this.current.id, this.current);
    this.encrypt = options.encrypt ?? true;
  }

  encode(payloads: Payload[]): Promise<Payload[]> {
    if (!this.encrypt) return Promise.resolve(payloads);
    return Promise.resolve(payloads.map((p) => this.seal(p)));
  }

  decode(payloads: Payload[]): Promise<Payload[]> {
    try {
      return Promise.resolve(payloads.map((p) => this.open(p)));
    } catch (e) {
      return Promise.reject(e instanceof Error ? e : new Error(String(e)));
    }
  }

  /** True when the payload is one this codec sealed (whatever the key). */
  static isSealed(p: Payload): boolean {
    return text(p.metadata?.encoding) === ENCRYPTED_ENCODING;
  }

  private seal(p: Payload): Payload {
    const plaintext = temporal.api.common.v1.Payload.encode(p).finish();
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv(ALGORITHM, this.current.key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(aad(this.current.id));
    const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    return {
      metadata: {
        encoding: utf8(ENCRYPTED_ENCODING),
        [KEY_ID_KEY]: utf8(this.current.id),
        [CIPHER_KEY]: utf8(CIPHER),
      },
      data: Buffer.concat([iv, ciphertext, cipher.getAuthTag()]),
    };
  }

  private open(p: Payload): Payload {
    // Plaintext payloads (written before encryption, or with it switched off) pass through.
    if (!EncryptionCodec.isSealed(p)) return p;
    const keyId = text(p.metadata?.[KEY_ID_KEY]);
    if (!keyId) throw decodeFailure('an encrypted payload has no encryption-key-id: it was altered or not written by the relay');
    const cipherName = text(p.metadata?.[CIPHER_KEY]);
    if (cipherName !== undefined && cipherName !== CIPHER) {
      throw decodeFailure(`payload sealed with master key ${keyId} uses cipher ${cipherName}; this relay reads ${CIPHER} only`);
    }
    const key = this.byId.get(keyId);
    if (!key) {
      const previous = [...this.byId.keys()].filter((k) => k !== this.keyId);
      throw decodeFailure(
        `payload sealed with master key ${keyId}, which is not configured (RELAY_MASTER_KEY is key ${this.keyId}` +
          `${previous.length > 0 ? `; RELAY_MASTER_KEY_PREVIOUS has ${previous.join(', ')}` : ''}). ` +
          `Add the master key ${keyId} to RELAY_MASTER_KEY_PREVIOUS to read it.`,
      );
    }
    const data = Buffer.from(p.data ?? new Uint8Array());
    if (data.length < IV_BYTES + TAG_BYTES) {
      throw decodeFailure(`payload sealed with master key ${keyId} is too short to be a sealed payload: it was altered`);
    }
    const decipher = createDecipheriv(ALGORITHM, key.key, data.subarray(0, IV_BYTES), { authTagLength: TAG_BYTES });
    decipher.setAAD(aad(keyId));
    decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
    let plaintext: Buffer;
    try {
      plaintext = Buffer.concat([decipher.update(data.subarray(IV_BYTES, data.length - TAG_BYTES)), decipher.final()]);
    } catch {
      throw decodeFailure(`payload sealed with master key ${keyId} failed authentication: it was altered`);
    }
    const inner = temporal.api.common.v1.Payload.decode(plaintext);
    return { metadata: inner.metadata, data: inner.data };
  }
}

function aad(keyId: string): Buffer {
  return utf8(`${ENCRYPTED_ENCODING};${CIPHER};${keyId}`);
}
