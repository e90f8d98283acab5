/**
 * The receiver over HTTP (in process, fake starter): every auth scheme accepting the right
 * credential and refusing a wrong one, the OAuth token endpoint, hostile input answered with
 * precise 4xx codes and metrics, and the batch status rules.
 */
import assert from 'node:assert/strict';
import { createHmac, randomUUID } from 'node:crypto';
import { request } from 'node:http';
import { gzipSync } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import { InvalidTokenError } from '../../../src/http/inbound/errors';
import { webengageSecret } from '../../../src/receiver/auth';
import { createTokenService } from '../../../src/receiver/tokens';
import { fakeStarter, startReceiver, type TestReceiver } from '../../helpers/receiver';

const LIMIT = 64 * 1024;

function serverEvent(over: Record<string, unknown> = {}) {
  return {
    event_id: randomUUID(),
    event_name: 'purchaseCompleted',
    event_properties: { amount: 1250 },
    timestamp: '2024-06-10T06:13:20Z',
    user_id: 'cust-77',
    ...over,
  };
}

function moeEvent(uuid: string, over: Record<string, unknown> = {}) {
  return { event_name: 'Purchase', event_uuid: uuid, event_time: 1718000000, uid: 'cust-1', event_attributes: { amount: 5 }, ...over };
}

const SOURCES = [
  { id: 'backend', kind: 'server', auth: { key: 'backend-key' } },
  {
    id: 'capillary',
    kind: 'capillary',
    auth: {
      type: 'headers',
      headers: [
        { header: 'X-API-KEY', key: 'cap-key' },
        { header: 'X-Org', key: '50074' },
      ],
    },
  },
  { id: 'basic', kind: 'server', auth: { type: 'basic', username: 'capillary', password: 'p@ss:word' } },
  { id: 'segment', kind: 'segment', auth: { type: 'signature', secret: 'seg-secret' } },
  { id: 'webengage', kind: 'webengage', auth: { type: 'webengage', licenseCode: '~lic', secretKey: 'we-key' } },
  {
    id: 'kognitiv',
    kind: 'kognitiv',
    auth: { type: 'oauth', clientId: 'kognitiv-client', clientSecret: 'k-secret', tokenTtlSeconds: 120 },
    eventName: 'RewardIssued',
    mapping: { id: '$.id', memberId: '$.memberId' },
  },
  { id: 'moengage', kind: 'moengage', auth: { type: 'oauth', clientId: 'moe-client', clientSecret: 'm-secret' } },
];

const NOW = new Date('2024-06-10T06:15:00Z');

describe('receiver over HTTP', () => {
  let r: TestReceiver;
  const starter = fakeStarter();
  let clock = NOW;
  const tokens = createTokenService({ signingKey: 'test-signing-key-of-at-least-32-characters', now: () => clock });

  before(async () => {
    r = await startReceiver(SOURCES, starter, { now: () => clock, tokens, maxFutureSkewSeconds: 300, maxJsonDepth: 32 });
  });
  after(() => r.close());

  const post = (source: string, body: string | Buffer, headers: Record<string, string> = {}, query = '') =>
    fetch(`${r.url}/v1/sources/${source}/events${query}`, {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/json', ...headers },
    });

  async function expectCode(res: Response, status: number, code: string): Promise<Record<string, unknown>> {
    const body = (await res.json()) as Record<string, unknown>;
    assert.equal(res.status, status, JSON.stringify(body));
    assert.equal(body.code, code, JSON.stringify(body));
    assert.ok(body.requestId);
    return body;
  }

  describe('authentication', () => {
    it('static header', async () => {
      assert.equal((await post('backend', JSON.stringify(serverEvent()), { 'x-api-key': 'backend-key' })).status, 202);
      await expectCode(await post('backend', JSON.stringify(serverEvent()), { 'x-api-key': 'backend-kez' }), 401, 'unauthorized');
      await expectCode(await post('backend', JSON.stringify(serverEvent())), 401, 'unauthorized');
    });

    it('several static headers, all required', async () => {
      const body = JSON.stringify({ eventName: 'pointsIssued', eventId: randomUUID(), createdAt: 1718000000000, data: {} });
      assert.equal((await post('capillary', body, { 'x-api-key': 'cap-key', 'x-org': '50074' })).status, 202);
      await expectCode(await post('capillary', body, { 'x-api-key': 'cap-key', 'x-org': '50075' }), 401, 'unauthorized');
      await expectCode(await post('capillary', body, { 'x-api-key': 'cap-key' }), 401, 'unauthorized');
    });

    it('Authorization: Basic', async () => {
      const basic = (u: string, p: string) => ({ authorization: `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}` });
      assert.equal((await post('basic', JSON.stringify(serverEvent()), basic('capillary', 'p@ss:word'))).status, 202);
      const res = await post('basic', JSON.stringify(serverEvent()), basic('capillary', 'p@ss:wore'));
      assert.match(res.headers.get('www-authenticate') ?? '', /^Basic realm=/);
      await expectCode(res, 401, 'unauthorized');
    });

    it("Segment's X-Signature: HMAC-SHA1 hex of the raw body", async () => {
      const body = JSON.stringify({
        type: 'track',
        messageId: randomUUID(),
        userId: 'u1',
        event: 'Order Completed',
        timestamp: '2024-06-10T06:13:20Z',
      });
      const sig = createHmac('sha1', 'seg-secret').update(body).digest('hex');
      assert.equal((await post('segment', body, { 'x-signature': sig })).status, 202);
      // Same JSON, different bytes: the signature is over the raw body.
      await expectCode(await post('segment', ` ${body}`, { 'x-signature': sig }), 401, 'invalid_signature');
      await expectCode(
        await post('segment', body, { 'x-signature': createHmac('sha1', 'other').update(body).digest('hex') }),
        401,
        'invalid_signature',
      );
      await expectCode(await post('segment', body), 401, 'invalid_signature');
    });

    it("WebEngage's secret query parameter (MD5 hex of licenseCode:secretKey), answering 200", async () => {
      const body = JSON.stringify({
        event_name: 'cart_abandoned',
        event_time: '2024-06-10T06:13:20+0000',
        license_code: '~lic',
        user_id: 'u1',
        event_data: {},
      });
      const secret = webengageSecret('~lic', 'we-key');
      assert.equal(secret, 'b023c1fc5a76354fcd6b26befdead034'); // md5sum of '~lic:we-key'
      const ok = await post('webengage', body, { 'x-request-id': `we-${randomUUID()}` }, `?secret=${secret}`);
      assert.equal(ok.status, 200);
      await expectCode(await post('webengage', body, {}, `?secret=${webengageSecret('~lic', 'wrong')}`), 401, 'unauthorized');
      await expectCode(await post('webengage', body), 401, 'unauthorized');
    });
  });

  describe('OAuth 2.0 client credentials', () => {
    const tokenUrl = (source: string) => `${r.url}/v1/sources/${source}/oauth/token`;
    const form = (fields: Record<string, string>, headers: Record<string, string> = {}, source = 'kognitiv') =>
      fetch(tokenUrl(source), { method: 'POST', body: new URLSearchParams(fields), headers });
    const basic = (id: string, secret: string) => ({ authorization: `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}` });
    const reward = () => JSON.stringify({ id: randomUUID(), memberId: 'M-1' });

    it('issues a bearer token (client_secret_basic) that the ingestion endpoint accepts', async () => {
      const res = await form({ grant_type: 'client_credentials' }, basic('kognitiv-client', 'k-secret'));
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('cache-control'), 'no-store');
      const token = (await res.json()) as { access_token: string; token_type: string; expires_in: number };
      assert.equal(token.token_type, 'Bearer');
      assert.equal(token.expires_in, 120);
      assert.equal((await post('kognitiv', reward(), { authorization: `Bearer ${token.access_token}` })).status, 202);
    });

    it('accepts client_secret_post, form-encoded or JSON', async () => {
      const a = await form({ grant_type: 'client_credentials', client_id: 'kognitiv-client', client_secret: 'k-secret' });
      assert.equal(a.status, 200);
      const b = await fetch(tokenUrl('kognitiv'), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ grant_type: 'client_credentials', client_id: 'kognitiv-client', client_secret: 'k-secret' }),
      });
      assert.equal(b.status, 200);
    });

    it('answers RFC 6749 errors', async () => {
      const wrong = await form({ grant_type: 'client_credentials' }, basic('kognitiv-client', 'nope'));
      assert.equal(wrong.status, 401);
      assert.deepEqual(Object.keys((await wrong.json()) as object), ['error', 'error_description']);
      const cases: [Response, number, string][] = [
        [await form({ grant_type: 'client_credentials', client_id: 'kognitiv-client', client_secret: 'nope' }), 401, 'invalid_client'],
        [await form({ grant_type: 'client_credentials' }, basic('moe-client', 'm-secret')), 401, 'invalid_client'], // another source's client
        [await form({ grant_type: 'client_credentials' }, basic('x', 'y'), 'backend'), 401, 'invalid_client'], // not an OAuth source
        [await form({ grant_type: 'client_credentials' }, basic('x', 'y'), 'nobody'), 401, 'invalid_client'],
        [await form({ grant_type: 'password' }, basic('kognitiv-client', 'k-secret')), 400, 'unsupported_grant_type'],
        [await form({}, basic('kognitiv-client', 'k-secret')), 400, 'invalid_request'],
        [await form({ grant_type: 'client_credentials', scope: 'admin' }, basic('kognitiv-client', 'k-secret')), 400, 'invalid_scope'],
        [
          await fetch(tokenUrl('kognitiv'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"grant_' }),
          400,
          'invalid_request',
        ],
      ];
      for (const [res, status, error] of cases) {
        assert.equal(res.status, status, error);
        assert.equal(((await res.json()) as { error: string }).error, error);
      }
    });

    it('refuses missing, forged, foreign and expired tokens with 401 invalid_token', async () => {
      const issue = async (source: string, id: string, secret: string) =>
        ((await (await form({ grant_type: 'client_credentials' }, basic(id, secret), source)).json()) as { access_token: string })
          .access_token;
      const kognitivToken = await issue('kognitiv', 'kognitiv-client', 'k-secret');
      const moeToken = await issue('moengage', 'moe-client', 'm-secret');
      await expectCode(await post('kognitiv', reward()), 401, 'invalid_token');
      await expectCode(await post('kognitiv', reward(), { authorization: `Bearer ${moeToken}` }), 401, 'invalid_token');
      const forged = createTokenService({ signingKey: 'another-signing-key-of-32-characters-or-more', now: () => clock });
      const forgedToken = (
        await forged.issue({
          ...(SOURCES[5] as object),
          auth: { type: 'oauth', clientId: 'kognitiv-client', clientSecret: 'k-secret', tokenTtlSeconds: 120 },
        } as Parameters<typeof forged.issue>[0])
      ).access_token;
      await expectCode(await post('kognitiv', reward(), { authorization: `Bearer ${forgedToken}` }), 401, 'invalid_token');
      await expectCode(await post('kognitiv', reward(), { authorization: `Bearer ${kognitivToken}x` }), 401, 'invalid_token');
      assert.equal((await post('kognitiv', reward(), { authorization: `Bearer ${kognitivToken}` })).status, 202);
      clock = new Date(NOW.getTime() + 121_000);
      try {
        const expired = await expectCode(
          await post('kognitiv', reward(), { authorization: `Bearer ${kognitivToken}` }),
          401,
          'invalid_token',
        );
        assert.match(String(expired.message), /expired/);
      } finally {
        clock = NOW;
      }
    });
  });

  it('refuses a token issued before the client secret changed', async () => {
    const [source] = (await import('../../../src/config/load')).parseConfig({ sources: [SOURCES[5]] }, {}).sources;
    assert.ok(source?.auth.type === 'oauth');
    const before = { ...source, auth: source.auth };
    const { access_token } = await tokens.issue(before);
    await tokens.verify(access_token, before);
    await assert.rejects(
      tokens.verify(access_token, { ...before, auth: { ...before.auth, clientSecret: 'rotated' } }),
      (e: unknown) => e instanceof InvalidTokenError,
    );
  });

  describe('hostile input', () => {
    const key = { 'x-api-key': 'backend-key' };
    const cases: { name: string; body: string | Buffer; headers?: Record<string, string>; status: number; code: string }[] = [
      { name: 'malformed JSON', body: '{"event_id": ', status: 400, code: 'malformed_json' },
      { name: 'truncated JSON', body: JSON.stringify(serverEvent()).slice(0, 40), status: 400, code: 'malformed_json' },
      { name: 'empty body', body: '', status: 400, code: 'malformed_json' },
      {
        name: 'wrong content type',
        body: 'a=1',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        status: 415,
        code: 'unsupported_media_type',
      },
      { name: 'no content type', body: '{}', headers: { 'content-type': '' }, status: 415, code: 'unsupported_media_type' },
      { name: 'over the limit', body: JSON.stringify({ pad: 'x'.repeat(LIMIT) }), status: 413, code: 'payload_too_large' },
      { name: 'deep nesting', body: '['.repeat(10_000) + ']'.repeat(10_000), status: 400, code: 'nesting_too_deep' },
      {
        name: 'deep nesting in an object',
        body: JSON.stringify(serverEvent({ event_properties: JSON.parse('{"a":'.repeat(40) + '1' + '}'.repeat(40)) as object })),
        status: 400,
        code: 'nesting_too_deep',
      },
      { name: 'huge array', body: `[${'0,'.repeat(30_000)}0]`, status: 422, code: 'schema_violation' },
      {
        name: 'invalid UTF-8',
        body: Buffer.concat([Buffer.from('{"event_id":"'), Buffer.from([0xc3, 0x28]), Buffer.from('"}')]),
        status: 400,
        code: 'invalid_utf8',
      },
      {
        name: '__proto__ key',
        body: JSON.stringify(serverEvent()).replace('"event_properties":{', '"event_properties":{"__proto__":{"isAdmin":true},'),
        status: 400,
        code: 'forbidden_key',
      },
      { name: 'escaped __proto__ key', body: '{"\\u005f_proto__": {"x": 1}}', status: 400, code: 'forbidden_key' },
      {
        name: 'constructor.prototype',
        body: JSON.stringify(serverEvent({ event_properties: { constructor: { prototype: { x: 1 } } } })),
        status: 400,
        code: 'forbidden_key',
      },
      {
        name: 'future timestamp',
        body: JSON.stringify(serverEvent({ timestamp: '2024-06-10T07:00:00Z' })),
        status: 422,
        code: 'timestamp_in_future',
      },
      {
        name: 'unparseable timestamp',
        body: JSON.stringify(serverEvent({ timestamp: 'next tuesday' })),
        status: 422,
        code: 'invalid_timestamp',
      },
      { name: 'missing fields', body: '{}', status: 422, code: 'schema_violation' },
      // Found by the fuzz test: valid JSON, but Temporal refuses it as a workflow id (it was a 503 retried forever).
      {
        name: 'lone surrogate in the id',
        body: JSON.stringify(serverEvent({ event_id: 'ord-\ud800' })),
        status: 422,
        code: 'schema_violation',
      },
      { name: 'a JSON string', body: '"hello"', status: 422, code: 'schema_violation' },
    ];
    for (const c of cases) {
      it(`${c.name}: ${c.status} ${c.code}`, async () => {
        await expectCode(await post('backend', c.body, { ...key, ...c.headers }), c.status, c.code);
      });
    }

    it('brackets and escaped quotes inside strings do not count as nesting', async () => {
      const body = JSON.stringify(serverEvent({ event_properties: { note: `"${'['.repeat(100)}\\"{{{`, deep: { a: [1, [2, [3]]] } } }));
      assert.equal((await post('backend', body, key)).status, 202);
    });

    it('gzip bodies are decoded; a small gzip that inflates past the limit is refused', async () => {
      const ok = await post('backend', gzipSync(JSON.stringify(serverEvent())), { ...key, 'content-encoding': 'gzip' });
      assert.equal(ok.status, 202);
      const bomb = gzipSync(Buffer.alloc(LIMIT * 20, 0x20));
      assert.ok(bomb.length < LIMIT);
      await expectCode(await post('backend', bomb, { ...key, 'content-encoding': 'gzip' }), 413, 'payload_too_large');
      await expectCode(await post('backend', Buffer.from('not gzip'), { ...key, 'content-encoding': 'gzip' }), 400, 'invalid_encoding');
      await expectCode(await post('backend', '{}', { ...key, 'content-encoding': 'compress' }), 415, 'unsupported_encoding');
    });

    it('unsafe integer ids (Capillary customerId)', async () => {
      const body = `{"eventName":"pointsIssued","eventId":"${randomUUID()}","data":{"customerIdentifiers":{"customerId":12345678901234567890}}}`;
      const res = await expectCode(await post('capillary', body, { 'x-api-key': 'cap-key', 'x-org': '50074' }), 422, 'unsafe_integer');
      assert.deepEqual(res.issues, [{ path: 'data.customerIdentifiers.customerId', message: 'integer beyond Number.MAX_SAFE_INTEGER' }]);
    });

    // Issue 16: a NUL in an event name was accepted (202), then failed the store lookup (PostgreSQL 22021) forever.
    it('control characters in names, ids and customer ids: 422 control_character (server)', async () => {
      for (const [field, value] of [
        ['event_name', 'a\u0000b'],
        ['event_name', 'points\u001fIssued'],
        ['event_id', `ord-\u0000-${randomUUID()}`],
        ['event_id', `ord-\u007f-${randomUUID()}`],
        ['user_id', 'cust\n77'],
      ] as const) {
        const res = await expectCode(await post('backend', JSON.stringify(serverEvent({ [field]: value })), key), 422, 'control_character');
        assert.ok(Array.isArray(res.issues) && res.issues.length > 0, JSON.stringify(res));
      }
      // Tabs and other non-control characters in free-form properties are fine.
      const ok = await post('backend', JSON.stringify(serverEvent({ event_properties: { note: 'a\u0000b\tc' } })), key);
      assert.equal(ok.status, 202);
    });

    it('control characters in ids and customer identifiers: 422 control_character (capillary)', async () => {
      const cap = { 'x-api-key': 'cap-key', 'x-org': '50074' };
      const body = (eventId: string, customerIdentifiers: Record<string, unknown>) =>
        JSON.stringify({ eventName: 'pointsIssued', eventId, createdAt: 1718000000000, data: { customerIdentifiers } });
      await expectCode(await post('capillary', body(`e-\u0000-${randomUUID()}`, {}), cap), 422, 'control_character');
      await expectCode(await post('capillary', body(randomUUID(), { customerId: 'c\u00001' }), cap), 422, 'control_character');
      await expectCode(await post('capillary', body(randomUUID(), { instore: { mobile: '91\u00009' } }), cap), 422, 'control_character');
      assert.equal((await post('capillary', body(randomUUID(), { customerId: 'c-1' }), cap)).status, 202);
    });

    it('a chunked body over the limit is refused while streaming, before the sender finishes', async () => {
      const tooLarge = async () =>
        Number(
          /relay_events_rejected_total\{source="backend",code="payload_too_large"\} (\d+)/.exec(await r.metrics.registry.metrics())?.[1] ??
            0,
        );
      const tooLargeBefore = await tooLarge();
      const { port } = new URL(r.url);
      const result = await new Promise<{ status: number; code: string; written: number }>((resolve, reject) => {
        let written = 0;
        let answered = false;
        const req = request(
          {
            host: '127.0.0.1',
            port,
            method: 'POST',
            path: '/v1/sources/backend/events',
            headers: { 'content-type': 'application/json', 'x-api-key': 'backend-key', 'transfer-encoding': 'chunked' },
          },
          (res) => {
            answered = true;
            let text = '';
            res.on('data', (c: Buffer) => (text += c.toString()));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, code: (JSON.parse(text) as { code: string }).code, written }));
          },
        );
        // The receiver may close the connection under the rest of the upload (a reset can overtake the 413
        // on the wire): that is a refusal while streaming too, told apart below by the metric.
        req.on('error', (e) =>
          answered ? undefined : written > LIMIT ? resolve({ status: 0, code: 'connection closed', written }) : reject(e),
        );
        const chunk = Buffer.alloc(8 * 1024, 0x20);
        // Never end the request: only a receiver that cuts off at the limit can answer. Give up at 200x the limit.
        const pump = () => {
          if (answered) return req.destroy();
          if (written > 200 * LIMIT) return reject(new Error('no answer while streaming 200x the limit'));
          written += chunk.length;
          if (req.write(chunk)) setTimeout(pump, 1);
          else req.once('drain', pump);
        };
        req.write('{"pad":"');
        // Writes before the socket connects are buffered in this process: start pumping once connected.
        req.once('socket', (socket) => (socket.connecting ? socket.once('connect', pump) : pump()));
      });
      if (result.status !== 0) {
        assert.equal(result.status, 413);
        assert.equal(result.code, 'payload_too_large');
      }
      assert.equal(await tooLarge(), tooLargeBefore + 1);
    });

    it('counts rejections by source and code; unknown source ids do not become label values', async () => {
      await expectCode(await post('no-such-source-123', '{}', key), 404, 'unknown_source');
      const metrics = await r.metrics.registry.metrics();
      assert.match(metrics, /relay_events_rejected_total\{source="backend",code="forbidden_key"\} 3/);
      assert.match(metrics, /relay_events_rejected_total\{source="none",code="unknown_source"\} 1/);
      assert.doesNotMatch(metrics, /no-such-source-123/);
    });
  });

  describe('loops: the x-loyalty-relay-hops header', () => {
    const key = { 'x-api-key': 'backend-key' };
    const rejected = async (code: string) =>
      Number(
        new RegExp(`relay_events_rejected_total\\{source="backend",code="${code}"\\} (\\d+)`).exec(
          await r.metrics.registry.metrics(),
        )?.[1] ?? 0,
      );

    it('accepts a request below the limit (default 3) and carries its hop count on the started event', async () => {
      const id = randomUUID();
      assert.equal(
        (await post('backend', JSON.stringify(serverEvent({ event_id: id })), { ...key, 'x-loyalty-relay-hops': '2' })).status,
        202,
      );
      assert.equal(starter.started.get(`relay:backend:${id}`)?.hops, 2);
      const plain = randomUUID();
      assert.equal((await post('backend', JSON.stringify(serverEvent({ event_id: plain })), key)).status, 202);
      assert.equal(starter.started.get(`relay:backend:${plain}`)?.hops, undefined);
    });

    it('refuses a request at the limit with 422 too_many_hops, counted, nothing started', async () => {
      const before = await rejected('too_many_hops');
      const id = randomUUID();
      const body = await expectCode(
        await post('backend', JSON.stringify(serverEvent({ event_id: id })), { ...key, 'x-loyalty-relay-hops': '3' }),
        422,
        'too_many_hops',
      );
      assert.match(String(body.message), /RELAY_MAX_HOPS|loop/);
      assert.equal(starter.started.has(`relay:backend:${id}`), false);
      assert.equal(await rejected('too_many_hops'), before + 1);
    });

    for (const bad of ['-1', 'two', '1.5', '', '99999', '1, 2']) {
      it(`refuses a malformed hop header (${JSON.stringify(bad)}) with 400 invalid_hop_count`, async () => {
        await expectCode(
          await post('backend', JSON.stringify(serverEvent()), { ...key, 'x-loyalty-relay-hops': bad }),
          400,
          'invalid_hop_count',
        );
      });
    }
  });

  describe('batches (MoEngage Streams)', () => {
    let token: string;
    before(async () => {
      const res = await fetch(`${r.url}/v1/sources/moengage/oauth/token`, {
        method: 'POST',
        body: new URLSearchParams({ grant_type: 'client_credentials', client_id: 'moe-client', client_secret: 'm-secret' }),
      });
      token = ((await res.json()) as { access_token: string }).access_token;
    });
    const send = (events: unknown[]) =>
      post('moengage', JSON.stringify({ app_name: 'Brand', source: 'MOENGAGE', moe_request_id: randomUUID(), events }), {
        authorization: `Bearer ${token}`,
      });
    type BatchAnswer = {
      accepted: number;
      duplicates: number;
      rejected: number;
      unavailable: number;
      results: { index: number; status: string; code?: string; workflowId?: string }[];
    };

    it('answers 200 with a result per event; a bad event does not lose the good ones; a resend is all duplicates', async () => {
      const ids = [randomUUID(), randomUUID(), randomUUID()];
      const events = [
        moeEvent(ids[0]!),
        moeEvent(ids[1]!, { event_time: 'never' }),
        moeEvent(ids[2]!),
        moeEvent(randomUUID(), { event_time: 1718003600 }),
      ];
      const res = await send(events);
      assert.equal(res.status, 200);
      const body = (await res.json()) as BatchAnswer;
      assert.deepEqual(
        body.results.map((x) => [x.index, x.status, x.code]),
        [
          [0, 'accepted', undefined],
          [1, 'rejected', 'invalid_timestamp'],
          [2, 'accepted', undefined],
          [3, 'rejected', 'timestamp_in_future'],
        ],
      );
      assert.deepEqual([body.accepted, body.duplicates, body.rejected, body.unavailable], [2, 0, 2, 0]);
      assert.ok(starter.started.has(`relay:moengage:${ids[0]}`) && starter.started.has(`relay:moengage:${ids[2]}`));
      const again = (await (await send(events)).json()) as BatchAnswer;
      assert.deepEqual([again.accepted, again.duplicates, again.rejected], [0, 2, 2]);
    });

    it('answers 503 + Retry-After when any event could not be started; the resend is safe', async () => {
      const ids = [randomUUID(), randomUUID()];
      starter.unavailable.add(ids[1]!);
      const first = await send(ids.map((id) => moeEvent(id)));
      assert.equal(first.status, 503);
      assert.equal(first.headers.get('retry-after'), '7');
      const body = (await first.json()) as BatchAnswer & { code: string };
      assert.equal(body.code, 'temporal_unavailable');
      assert.deepEqual(
        body.results.map((x) => x.status),
        ['accepted', 'unavailable'],
      );
      starter.unavailable.clear();
      const resend = (await (await send(ids.map((id) => moeEvent(id)))).json()) as BatchAnswer;
      assert.deepEqual(
        resend.results.map((x) => x.status),
        ['duplicate', 'accepted'],
      );
    });

    it('refuses the whole request only when it is not a batch at all', async () => {
      await expectCode(await post('moengage', '{"events": {}}', { authorization: `Bearer ${token}` }), 422, 'schema_violation');
      await expectCode(await send(Array.from({ length: 101 }, () => moeEvent(randomUUID()))), 413, 'batch_too_large');
      const empty = await send([]);
      assert.equal(empty.status, 200);
    });
  });
});
