/**
 * The codec endpoints (Temporal's remote codec protocol) over real HTTP on 127.0.0.1, mounted
 * in the receiver app as the relay serves them: decode/encode round trips, the bearer token in
 * the header or the path, 401 without it, CORS for the UI's origin only, 413 over the body
 * limit, 400 for malformed bodies, 422 naming the key id of a payload it cannot open.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { defaultPayloadConverter } from '@temporalio/common';
import { keyIdOf } from '../../../src/db/secrets';
import { createLogger } from '../../../src/telemetry/logger';
import { createMetrics } from '../../../src/telemetry/metrics';
import { relayPayloadCodecs } from '../../../src/payloads/data-converter';
import { createReceiverApp } from '../../../src/receiver/app';
import type { EventStarter } from '../../../src/receiver/starter';
import { MemoryStore } from '../../helpers/activity-fakes';

const TOKEN = 'codec-token-of-at-least-24-characters';
const UI_TOKEN = 'embedded-ui-token-0123456789';
const UI_ORIGIN = 'http://localhost:8233';
const EMAIL = 'asha.rao@example.com';
const MAX_BODY = 64 * 1024;

const key = randomBytes(32);
const codecs = relayPayloadCodecs({ keys: { current: key } });
const starter: EventStarter = {
  start: () => Promise.reject(new Error('no events in this test')),
  ready: () => Promise.resolve(true),
};

function app(tokens: string[]) {
  return createReceiverApp({
    store: new MemoryStore(),
    starter,
    logger: createLogger('silent'),
    metrics: createMetrics(),
    maxBodyBytes: 1024,
    codec: { codecs, tokens, corsOrigins: [UI_ORIGIN], maxBodyBytes: MAX_BODY },
  });
}

async function listen(a: ReturnType<typeof app>): Promise<{ base: string; server: Server }> {
  const server = await new Promise<Server>((resolve) => {
    const s = a.listen(0, '127.0.0.1', () => resolve(s));
  });
  return { base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

/** A payload as the UI sends it: protobuf JSON, bytes in base64. */
function jsonPayload(value: unknown) {
  const p = defaultPayloadConverter.toPayload(value);
  return {
    metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
    data: Buffer.from(p.data ?? new Uint8Array()).toString('base64'),
  };
}

type JsonPayloads = { payloads: { metadata: Record<string, string>; data?: string }[] };

describe('codec endpoints', () => {
  let base: string;
  let server: Server;
  before(async () => {
    ({ base, server } = await listen(app([TOKEN, UI_TOKEN])));
  });
  after(() => server.close());

  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${base}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
  const auth = { authorization: `Bearer ${TOKEN}`, 'x-namespace': 'default' };

  it('encode seals, decode opens: the round trip the UI and CLI make', async () => {
    const enc = await post('/codec/encode', { payloads: [jsonPayload({ email: EMAIL })] }, auth);
    assert.equal(enc.status, 200);
    const sealed = (await enc.json()) as JsonPayloads;
    assert.equal(Buffer.from(sealed.payloads[0]?.metadata.encoding ?? '', 'base64').toString(), 'binary/encrypted');
    assert.equal(Buffer.from(sealed.payloads[0]?.metadata['encryption-key-id'] ?? '', 'base64').toString(), keyIdOf(key));
    assert.ok(!JSON.stringify(sealed).includes(Buffer.from(EMAIL).toString('base64').slice(0, 12)));

    const dec = await post('/codec/decode', sealed, auth);
    assert.equal(dec.status, 200);
    assert.equal(dec.headers.get('cache-control'), 'no-store');
    const opened = (await dec.json()) as JsonPayloads;
    assert.deepEqual(JSON.parse(Buffer.from(opened.payloads[0]?.data ?? '', 'base64').toString()), { email: EMAIL });
    assert.equal(Buffer.from(opened.payloads[0]?.metadata.encoding ?? '', 'base64').toString(), 'json/plain');
  });

  it('the token may be the path segment before the operation (the embedded UI endpoint URL)', async () => {
    const res = await post(`/codec/${UI_TOKEN}/decode`, { payloads: [jsonPayload(1)] });
    assert.equal(res.status, 200);
    assert.deepEqual(((await res.json()) as JsonPayloads).payloads.length, 1);
  });

  it('401 without a token or with a wrong one, on either route', async () => {
    for (const [path, headers] of [
      ['/codec/decode', {}],
      ['/codec/decode', { authorization: 'Bearer not-the-token-at-all-000000' }],
      ['/codec/not-the-token-at-all-000000/decode', {}],
      ['/codec/encode', { authorization: `Basic ${Buffer.from(`x:${TOKEN}`).toString('base64')}` }],
    ] as const) {
      const res = await post(path, { payloads: [] }, headers);
      assert.equal(res.status, 401, `${path} ${JSON.stringify(headers)}`);
      assert.equal(((await res.json()) as { code: string }).code, 'unauthorized');
      assert.match(res.headers.get('www-authenticate') ?? '', /^Bearer/);
    }
  });

  it('413 for a body over the limit', async () => {
    const big = JSON.stringify({ payloads: [{ data: 'A'.repeat(MAX_BODY) }] });
    const res = await post('/codec/decode', big, auth);
    assert.equal(res.status, 413);
    assert.equal(((await res.json()) as { code: string }).code, 'payload_too_large');
  });

  it('400 for malformed JSON and for bodies that are not payloads, with the offending path', async () => {
    const bad = await post('/codec/decode', '{"payloads": [', auth);
    assert.equal(bad.status, 400);
    assert.equal(((await bad.json()) as { code: string }).code, 'invalid_json');
    for (const [body, path] of [
      [{}, 'payloads'],
      [{ payloads: [{ data: 'not base64!' }] }, 'payloads[0].data'],
      [{ payloads: [{ metadata: { encoding: 7 } }] }, 'payloads[0].metadata.encoding'],
      [{ payloads: ['x'] }, 'payloads[0]'],
    ] as const) {
      const res = await post('/codec/decode', body, auth);
      assert.equal(res.status, 400, JSON.stringify(body));
      const answer = (await res.json()) as { code: string; issues: { path: string }[] };
      assert.equal(answer.code, 'invalid_payloads');
      assert.equal(answer.issues[0]?.path, path);
    }
  });

  it('422 naming the key id for a payload sealed under a key the relay does not have', async () => {
    const otherKey = randomBytes(32);
    const [sealed] = await relayPayloadCodecs({ keys: { current: otherKey } })[0]!.encode([defaultPayloadConverter.toPayload(1)]);
    const body = {
      payloads: [
        {
          metadata: Object.fromEntries(Object.entries(sealed?.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
          data: Buffer.from(sealed?.data ?? new Uint8Array()).toString('base64'),
        },
      ],
    };
    const res = await post('/codec/decode', body, auth);
    assert.equal(res.status, 422);
    const answer = (await res.json()) as { code: string; message: string };
    assert.equal(answer.code, 'undecodable_payload');
    assert.match(answer.message, new RegExp(`master key ${keyIdOf(otherKey)}, which is not configured`));
  });

  it('CORS: the UI origin gets a preflight answer without a token and credentialed access; other origins get neither', async () => {
    const pre = await fetch(`${base}/codec/decode`, {
      method: 'OPTIONS',
      headers: { origin: UI_ORIGIN, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,x-namespace' },
    });
    assert.equal(pre.status, 204);
    assert.equal(pre.headers.get('access-control-allow-origin'), UI_ORIGIN);
    assert.equal(pre.headers.get('access-control-allow-credentials'), 'true');
    assert.match(pre.headers.get('access-control-allow-headers') ?? '', /Authorization, Content-Type, X-Namespace/);
    assert.match(pre.headers.get('access-control-allow-methods') ?? '', /POST/);

    const ok = await post('/codec/decode', { payloads: [] }, { ...auth, origin: UI_ORIGIN });
    assert.equal(ok.headers.get('access-control-allow-origin'), UI_ORIGIN);
    // A refusal carries the CORS headers too, so the UI can read why.
    const refused = await post('/codec/decode', { payloads: [] }, { origin: UI_ORIGIN });
    assert.equal(refused.status, 401);
    assert.equal(refused.headers.get('access-control-allow-origin'), UI_ORIGIN);

    const evil = await fetch(`${base}/codec/decode`, {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
    });
    assert.equal(evil.headers.get('access-control-allow-origin'), null);
    assert.equal(evil.headers.get('access-control-allow-headers'), null);
  });

  it('405 for other methods, 404 for other paths (without echoing the path, which may hold a token)', async () => {
    const get = await fetch(`${base}/codec/decode`, { headers: auth });
    assert.equal(get.status, 405);
    const other = await post(`/codec/${UI_TOKEN}/x/decode`, { payloads: [] }, auth);
    assert.equal(other.status, 404);
    assert.ok(!(await other.text()).includes(UI_TOKEN));
  });
});

describe('codec endpoints without a token configured', () => {
  it('answer 404 codec_disabled and say how to enable them', async () => {
    const { base, server } = await listen(app([]));
    try {
      const res = await fetch(`${base}/codec/decode`, { method: 'POST', body: '{"payloads":[]}' });
      assert.equal(res.status, 404);
      const answer = (await res.json()) as { code: string; message: string };
      assert.equal(answer.code, 'codec_disabled');
      assert.match(answer.message, /RELAY_CODEC_TOKEN/);
    } finally {
      server.close();
    }
  });
});
