/**
 * Throttling of failed authentication: the failure windows (unit, injected clock) and the
 * receiver over HTTP (real server on 127.0.0.1, fake starter): wrong source keys, signatures,
 * bearer tokens and token-endpoint client secrets, counted per client address and per source,
 * answered 429 with Retry-After and a code once over the limit, with a metric; successes
 * neither counted nor refused below the limit. Also the keyed credential fingerprint of tokens.
 */
import assert from 'node:assert/strict';
import { createHash, createHmac, randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { SignJWT } from 'jose';
import { pino } from 'pino';
import { parseEnv } from '../../../../src/wiring/env';
import { InvalidTokenError } from '../../../../src/http/inbound/errors';
import { createAuthThrottle } from '../../../../src/http/inbound/throttle';
import { createTokenService } from '../../../../src/receiver/tokens';
import { fakeStarter, startReceiver, type TestReceiver } from '../../../helpers/receiver';

const SETTINGS = { perAddress: 3, perSource: 5, windowSeconds: 60, maxAddresses: 100 };

describe('createAuthThrottle', () => {
  it('refuses a key once it reaches its limit, until its window ends', () => {
    let now = 1_000_000;
    const t = createAuthThrottle(SETTINGS, () => now);
    for (let i = 0; i < 2; i++) assert.deepEqual(t.fail('203.0.113.1', 'ingest:a'), []);
    assert.equal(t.check('203.0.113.1', 'ingest:a'), undefined);
    assert.deepEqual(t.fail('203.0.113.1', 'ingest:a'), ['address']);
    assert.deepEqual(t.check('203.0.113.1', 'ingest:a'), { limit: 'address', retryAfterSeconds: 60 });
    assert.deepEqual(t.check('203.0.113.1', 'ingest:b'), { limit: 'address', retryAfterSeconds: 60 }, 'an address is refused everywhere');
    assert.equal(t.check('203.0.113.2', 'ingest:a'), undefined, 'another address is not');
    now += 59_500;
    assert.equal(t.check('203.0.113.1', 'ingest:a')?.retryAfterSeconds, 1);
    now += 500;
    assert.equal(t.check('203.0.113.1', 'ingest:a'), undefined, 'the window ended');
  });

  it('refuses a source whose failures from many addresses reach its limit', () => {
    const t = createAuthThrottle(SETTINGS, () => 0);
    for (let i = 0; i < 4; i++) t.fail(`198.51.100.${i}`, 'ingest:a');
    assert.equal(t.check('198.51.100.200', 'ingest:a'), undefined);
    assert.deepEqual(t.fail('198.51.100.4', 'ingest:a'), ['source']);
    assert.equal(t.check('198.51.100.200', 'ingest:a')?.limit, 'source');
    assert.equal(t.check('198.51.100.200', 'token:a'), undefined, 'the token endpoint of the source is counted apart');
  });

  it('keeps at most maxAddresses addresses, forgetting the oldest first', () => {
    const t = createAuthThrottle({ ...SETTINGS, maxAddresses: 100 }, () => 0);
    for (let i = 0; i < 5000; i++) t.fail(`2001:db8::${i.toString(16)}`, undefined);
    assert.ok(t.size() <= 100, `tracked ${t.size()}`);
  });
});

describe('failed authentication over HTTP', () => {
  let r: TestReceiver;
  let now = Date.UTC(2024, 5, 10);
  const SOURCES = [
    { id: 'backend', kind: 'server', auth: { key: 'backend-key' } },
    { id: 'other', kind: 'server', auth: { key: 'other-key' } },
    { id: 'segment', kind: 'segment', auth: { type: 'signature', secret: 'seg-secret' } },
    {
      id: 'kognitiv',
      kind: 'kognitiv',
      auth: { type: 'oauth', clientId: 'k-client', clientSecret: 'k-secret' },
      eventName: 'R',
      mapping: { id: '$.id', memberId: '$.m' },
    },
  ];
  const logged: { msg: string; address?: string; limit?: string; source?: string }[] = [];
  const logger = pino(
    { level: 'warn' },
    new Writable({
      write(chunk: Buffer, _enc, done) {
        logged.push(JSON.parse(chunk.toString()) as { msg: string });
        done();
      },
    }),
  );
  const reached = () => logged.filter((l) => l.msg.includes('reached its limit'));
  before(async () => {
    r = await startReceiver(SOURCES, fakeStarter(), {
      logger,
      authThrottle: createAuthThrottle(SETTINGS, () => now),
      // X-Forwarded-For from the test (on loopback) names the client address.
      trustProxy: 'loopback',
    });
  });
  after(() => r.close());

  const event = () =>
    JSON.stringify({
      event_id: randomUUID(),
      event_name: 'purchaseCompleted',
      event_properties: { amount: 1 },
      timestamp: '2024-06-10T06:13:20Z',
      user_id: 'c',
    });
  const post = (source: string, from: string, headers: Record<string, string>, body = event()) =>
    fetch(`${r.url}/v1/sources/${source}/events`, {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/json', 'x-forwarded-for': from, ...headers },
    });
  const token = (from: string, secret: string) =>
    fetch(`${r.url}/v1/sources/kognitiv/oauth/token`, {
      method: 'POST',
      body: new URLSearchParams({ grant_type: 'client_credentials' }),
      headers: { 'x-forwarded-for': from, authorization: `Basic ${Buffer.from(`k-client:${secret}`).toString('base64')}` },
    });
  const throttled = async (metric: string) => {
    const text = await (await fetch(`${r.url}/metrics`)).text();
    return Number(new RegExp(`^relay_auth_throttled_total\\{${metric}\\} (\\d+)`, 'm').exec(text)?.[1] ?? 0);
  };

  it('answers 429 with Retry-After and too_many_auth_failures once an address has failed N times, even with the right key', async () => {
    const from = '203.0.113.10';
    for (let i = 0; i < 3; i++) assert.equal((await post('backend', from, { 'x-api-key': 'wrong' })).status, 401);
    const refused = await post('backend', from, { 'x-api-key': 'backend-key' });
    assert.equal(refused.status, 429);
    assert.equal(refused.headers.get('retry-after'), '60');
    const body = (await refused.json()) as { code: string; message: string };
    assert.equal(body.code, 'too_many_auth_failures');
    assert.match(body.message, /failed authentication/);
    assert.equal(await throttled('endpoint="ingestion",limit="address"'), 1);
    assert.deepEqual(
      reached().map((l) => [l.address, l.limit, l.source]),
      [[from, 'address', 'backend']],
      'one warning, when the address reached its limit',
    );
    // Another address is not refused, and the address is let in again when its window ends.
    assert.equal((await post('backend', '203.0.113.11', { 'x-api-key': 'backend-key' })).status, 202);
    now += 60_000;
    assert.equal((await post('backend', from, { 'x-api-key': 'backend-key' })).status, 202);
  });

  it('never counts successful requests', async () => {
    for (let i = 0; i < 20; i++) assert.equal((await post('backend', '203.0.113.20', { 'x-api-key': 'backend-key' })).status, 202);
  });

  it('counts wrong signatures (checked after the body) and refuses the source once many addresses failed', async () => {
    const body = event();
    const sign = (secret: string) => createHmac('sha1', secret).update(body).digest('hex');
    for (let i = 0; i < 5; i++)
      assert.equal((await post('segment', `198.51.100.${i}`, { 'x-signature': sign('wrong') }, body)).status, 401);
    const refused = await post('segment', '198.51.100.99', { 'x-signature': sign('seg-secret') }, body);
    assert.equal(refused.status, 429);
    assert.equal(((await refused.json()) as { code: string }).code, 'too_many_auth_failures');
    assert.equal(await throttled('endpoint="ingestion",limit="source"'), 1);
    assert.equal((await post('other', '198.51.100.99', { 'x-api-key': 'other-key' })).status, 202, 'other sources are not refused');
    now += 60_000;
  });

  it('throttles wrong client secrets on the token endpoint before reading the body, in the RFC 6749 error shape', async () => {
    const from = '203.0.113.30';
    for (let i = 0; i < 3; i++) assert.equal((await token(from, `guess-${i}`)).status, 401);
    const refused = await token(from, 'k-secret');
    assert.equal(refused.status, 429);
    assert.equal(refused.headers.get('retry-after'), '60');
    assert.equal(refused.headers.get('cache-control'), 'no-store');
    assert.equal(((await refused.json()) as { error: string }).error, 'too_many_auth_failures');
    assert.equal(await throttled('endpoint="token",limit="address"'), 1);
    assert.equal((await token('203.0.113.31', 'k-secret')).status, 200);
    now += 60_000;
  });

  it('counts invalid bearer tokens on ingestion', async () => {
    const from = '203.0.113.40';
    for (let i = 0; i < 3; i++) {
      const res = await post('kognitiv', from, { authorization: 'Bearer not.a.token' }, JSON.stringify({ id: randomUUID(), m: 'M' }));
      assert.equal(res.status, 401);
    }
    assert.equal((await post('kognitiv', from, { authorization: 'Bearer not.a.token' }, '{}')).status, 429);
    now += 60_000;
  });
});

describe('the token credential fingerprint (cfp)', () => {
  const source = {
    id: 'kognitiv',
    kind: 'kognitiv',
    auth: { type: 'oauth' as const, clientId: 'k-client', clientSecret: 'weak', tokenTtlSeconds: 300 },
  } as Parameters<ReturnType<typeof createTokenService>['issue']>[0];
  const claims = (jwt: string) => JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString()) as Record<string, unknown>;
  const unkeyed = createHash('sha256').update(`kognitiv\0k-client\0weak`).digest('base64url').slice(0, 22);

  it('is a keyed MAC: not the SHA-256 of the credentials, and different under another signing key', async () => {
    const a = createTokenService({ signingKey: 'a'.repeat(40) });
    const b = createTokenService({ signingKey: 'b'.repeat(40) });
    const cfpA = claims((await a.issue(source)).access_token).cfp;
    const cfpB = claims((await b.issue(source)).access_token).cfp;
    assert.notEqual(cfpA, unkeyed);
    assert.notEqual(cfpA, cfpB);
    await a.verify((await a.issue(source)).access_token, source);
  });

  it('refuses a token carrying the old unkeyed fingerprint, saying why', async () => {
    const key = 'c'.repeat(40);
    const service = createTokenService({ signingKey: key });
    const iat = Math.floor(Date.now() / 1000);
    const old = await new SignJWT({ cfp: unkeyed })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setIssuer('loyalty-relay')
      .setAudience('source:kognitiv')
      .setSubject('k-client')
      .setJti(randomUUID())
      .setIssuedAt(iat)
      .setExpirationTime(iat + 300)
      .sign(new TextEncoder().encode(key));
    await assert.rejects(service.verify(old, source), (e: unknown) => {
      assert.ok(e instanceof InvalidTokenError);
      assert.match(e.message, /issued before .* request a new token/);
      return true;
    });
  });
});

describe('environment', () => {
  it('reads the throttle settings, with defaults', () => {
    const d = parseEnv({});
    assert.equal(d.RELAY_AUTH_FAILURES_PER_ADDRESS, 20);
    assert.equal(d.RELAY_AUTH_FAILURES_PER_SOURCE, 100);
    assert.equal(d.RELAY_AUTH_FAILURE_WINDOW_SECONDS, 60);
    assert.equal(d.RELAY_AUTH_THROTTLE_MAX_ADDRESSES, 10_000);
    assert.equal(parseEnv({ RELAY_AUTH_FAILURES_PER_ADDRESS: '5' }).RELAY_AUTH_FAILURES_PER_ADDRESS, 5);
    assert.throws(() => parseEnv({ RELAY_AUTH_FAILURE_WINDOW_SECONDS: '0' }));
  });
});
