/**
 * The payload encryption codec and the relay's data converter, in memory: sealed payloads
 * hide their content and encoding, open again with the same key, refuse altered data and
 * unknown keys with a non-retryable failure naming the key id, stay readable after a key
 * rotation; failure messages and stack traces are encoded and sealed too.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { ApplicationFailure, defaultPayloadConverter, type Payload } from '@temporalio/common';
import {
  decodeFromPayloadsAtIndex,
  decodeOptionalFailureToOptionalError,
  encodeErrorToFailure,
  encodeToPayloads,
  loadDataConverter,
} from '@temporalio/common/lib/internal-non-workflow';
import { keyIdOf } from '../../../src/db/secrets';
import { EncryptionCodec, ENCRYPTED_ENCODING, KEY_ID_KEY, PAYLOAD_DECODE_FAILURE } from '../../../src/payloads/encryption';
import { relayDataConverter } from '../../../src/payloads/data-converter';

const EMAIL = 'asha.rao@example.com';
const MOBILE = '919999000001';
const event = { customer: { id: '412345678', identifiers: { email: EMAIL, mobile: MOBILE } }, name: 'pointsIssued' };

const text = (b: Uint8Array | null | undefined) => Buffer.from(b ?? new Uint8Array()).toString('utf8');
const plain = (value: unknown): Payload => defaultPayloadConverter.toPayload(value);

/** The failure `p` rejects with: a non-retryable PayloadDecodeFailed. */
async function decodeFailure(p: Promise<unknown>): Promise<ApplicationFailure> {
  const e = await p.then(
    () => assert.fail('expected the decode to fail'),
    (err: unknown) => err,
  );
  assert.ok(e instanceof ApplicationFailure, `expected an ApplicationFailure, got ${String(e)}`);
  assert.equal(e.type, PAYLOAD_DECODE_FAILURE);
  assert.equal(e.nonRetryable, true);
  assert.ok(!e.message.includes(EMAIL), 'the failure never carries the plaintext');
  return e;
}

describe('encryption codec', () => {
  const key = randomBytes(32);
  const codec = new EncryptionCodec({ current: key });

  it('seals a payload: content and encoding hidden, the key id in the metadata', async () => {
    const [sealed] = await codec.encode([plain(event)]);
    assert.ok(sealed);
    assert.equal(text(sealed.metadata?.encoding), ENCRYPTED_ENCODING);
    assert.equal(text(sealed.metadata?.[KEY_ID_KEY]), keyIdOf(key));
    assert.deepEqual(Object.keys(sealed.metadata ?? {}).sort(), ['encoding', 'encryption-cipher', KEY_ID_KEY].sort());
    const raw = Buffer.from(sealed.data ?? new Uint8Array());
    for (const secret of [EMAIL, MOBILE, 'json/plain']) {
      assert.ok(!raw.includes(secret), `${secret} not in the sealed bytes`);
      assert.ok(!raw.toString('base64').includes(Buffer.from(secret).toString('base64')), `${secret} not in base64 either`);
    }
  });

  it('opens what it sealed, metadata included; each seal uses a fresh IV', async () => {
    const original = plain(event);
    const [a, b] = await codec.encode([original, original]);
    assert.notDeepEqual(a?.data, b?.data);
    const [opened] = await codec.decode([a as Payload]);
    assert.equal(text(opened?.metadata?.encoding), 'json/plain');
    assert.deepEqual(defaultPayloadConverter.fromPayload(opened as Payload), event);
  });

  it('passes plaintext payloads through on decode (histories written before encryption)', async () => {
    const original = plain(event);
    assert.deepEqual(await codec.decode([original]), [original]);
  });

  it('tamper: a changed byte of the ciphertext fails authentication, naming the key id', async () => {
    const [sealed] = await codec.encode([plain(event)]);
    const data = Buffer.from(sealed?.data ?? new Uint8Array());
    data[20] = (data[20] ?? 0) ^ 0x01;
    const failure = await decodeFailure(codec.decode([{ ...sealed, data }]));
    assert.match(failure.message, new RegExp(`master key ${keyIdOf(key)} failed authentication: it was altered`));
  });

  it('tamper: a changed tag or a truncated payload fails too', async () => {
    const [sealed] = await codec.encode([plain(event)]);
    const data = Buffer.from(sealed?.data ?? new Uint8Array());
    const tag = Buffer.from(data);
    tag[tag.length - 1] = (tag[tag.length - 1] ?? 0) ^ 0x80;
    await decodeFailure(codec.decode([{ ...sealed, data: tag }]));
    const short = await decodeFailure(codec.decode([{ ...sealed, data: data.subarray(0, 10) }]));
    assert.match(short.message, /too short/);
  });

  it('tamper: metadata is authenticated (a payload relabelled with another configured key id does not open)', async () => {
    const other = randomBytes(32);
    const both = new EncryptionCodec({ current: key, previous: [other] });
    const [sealed] = await both.encode([plain(event)]);
    const relabelled = { ...sealed, metadata: { ...sealed?.metadata, [KEY_ID_KEY]: Buffer.from(keyIdOf(other)) } };
    const failure = await decodeFailure(both.decode([relabelled]));
    assert.match(failure.message, new RegExp(`master key ${keyIdOf(other)} failed authentication`));
  });

  it('wrong key: a payload sealed under a key that is not configured is refused, naming that key id and the way out', async () => {
    const [sealed] = await codec.encode([plain(event)]);
    const stranger = new EncryptionCodec({ current: randomBytes(32) });
    const failure = await decodeFailure(stranger.decode([sealed as Payload]));
    assert.match(failure.message, new RegExp(`payload sealed with master key ${keyIdOf(key)}, which is not configured`));
    assert.match(failure.message, new RegExp(`RELAY_MASTER_KEY is key ${stranger.keyId}`));
    assert.match(failure.message, new RegExp(`Add the master key ${keyIdOf(key)} to RELAY_MASTER_KEY_PREVIOUS`));
  });

  it('an encrypted payload without a key id is refused', async () => {
    const failure = await decodeFailure(codec.decode([{ metadata: { encoding: Buffer.from(ENCRYPTED_ENCODING) }, data: randomBytes(40) }]));
    assert.match(failure.message, /no encryption-key-id/);
  });

  it('rotation: new payloads are sealed with the new key; the previous key still opens the old ones', async () => {
    const oldKey = randomBytes(32);
    const newKey = randomBytes(32);
    const before = new EncryptionCodec({ current: oldKey });
    const [old] = await before.encode([plain(event)]);
    const after = new EncryptionCodec({ current: newKey, previous: [oldKey] });
    const [fresh] = await after.encode([plain(event)]);
    assert.equal(text(fresh?.metadata?.[KEY_ID_KEY]), keyIdOf(newKey));
    const [a, b] = await after.decode([old as Payload, fresh as Payload]);
    assert.deepEqual(defaultPayloadConverter.fromPayload(a as Payload), event);
    assert.deepEqual(defaultPayloadConverter.fromPayload(b as Payload), event);
    // Once the old key is dropped from RELAY_MASTER_KEY_PREVIOUS, its payloads no longer open.
    const failure = await decodeFailure(new EncryptionCodec({ current: newKey }).decode([old as Payload]));
    assert.match(failure.message, new RegExp(keyIdOf(oldKey)));
  });

  it('encrypt: false (the bench switch) writes plaintext but still opens sealed payloads', async () => {
    const off = new EncryptionCodec({ current: key, encrypt: false });
    const original = plain(event);
    assert.deepEqual(await off.encode([original]), [original]);
    const [sealed] = await codec.encode([original]);
    const [opened] = await off.decode([sealed as Payload]);
    assert.deepEqual(defaultPayloadConverter.fromPayload(opened as Payload), event);
  });

  it('refuses a master key of the wrong size', () => {
    assert.throws(() => new EncryptionCodec({ current: randomBytes(16) }), /32 bytes/);
  });
});

describe('the relay data converter', () => {
  const converter = loadDataConverter(relayDataConverter({ keys: { current: randomBytes(32) } }));

  it('values go through the payload converter and the codec: sealed on the way out, the same value back', async () => {
    const payloads = (await encodeToPayloads(converter, event)) ?? [];
    assert.equal(payloads.length, 1);
    assert.equal(text(payloads[0]?.metadata?.encoding), ENCRYPTED_ENCODING);
    assert.deepEqual(await decodeFromPayloadsAtIndex(converter, 0, payloads), event);
  });

  it('failure messages, stack traces and details are encoded and sealed', async () => {
    const error = ApplicationFailure.create({
      message: `destination refused ${EMAIL}`,
      type: 'DestinationRejected',
      details: [{ responseSnippet: `unknown mobile ${MOBILE}` }],
      nonRetryable: true,
    });
    const failure = await encodeErrorToFailure(converter, error);
    const wire = JSON.stringify(failure, (_k, v: unknown) => (v instanceof Uint8Array ? Buffer.from(v).toString('utf8') : v));
    assert.ok(!wire.includes(EMAIL), 'no email in the failure as written');
    assert.ok(!wire.includes(MOBILE), 'no mobile in the failure as written');
    assert.equal(failure.message, 'Encoded failure');
    assert.equal(text(failure.encodedAttributes?.metadata?.encoding), ENCRYPTED_ENCODING);
    const back = await decodeOptionalFailureToOptionalError(converter, failure);
    assert.ok(back instanceof ApplicationFailure);
    assert.equal(back.message, `destination refused ${EMAIL}`);
    assert.deepEqual(back.details, [{ responseSnippet: `unknown mobile ${MOBILE}` }]);
  });
});
