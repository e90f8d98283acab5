/**
 * Slow clients (issue 16): the receiver's HTTP server cuts off a client that trickles its
 * headers or its body, closes idle keep-alive connections, and the token endpoint refuses
 * wrong Basic client credentials before reading the body. Real HTTP on 127.0.0.1 with tiny
 * timeouts; every wait is bounded so a regression fails instead of hanging.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import { connect, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { EnvError, parseEnv, receiverServerOptions } from '../../../src/wiring/env';
import { fakeStarter, startReceiver } from '../../helpers/receiver';

const SOURCES = [
  { id: 'backend', kind: 'server', auth: { key: 'backend-key' } },
  {
    id: 'kognitiv',
    kind: 'kognitiv',
    auth: { type: 'oauth', clientId: 'kognitiv-client', clientSecret: 'k-secret' },
    eventName: 'RewardIssued',
    mapping: { id: '$.id', memberId: '$.memberId' },
  },
];

/** Longest any test waits for the server to act; far above the configured timeouts, far below Node's defaults. */
const BOUND_MS = 3000;

async function startServer(env: Record<string, string>): Promise<{ server: Server; port: number; close(): Promise<void> }> {
  const receiver = await startReceiver(SOURCES, fakeStarter(), {}, parseEnv(env));
  return { server: receiver.server, port: Number(new URL(receiver.url).port), close: () => receiver.close() };
}

/** A raw connection that records what the server sends and when it closes. */
function rawClient(port: number): { socket: Socket; received: () => string; closed: Promise<void>; waitFor(re: RegExp): Promise<string> } {
  const socket = connect(port, '127.0.0.1');
  let data = '';
  const listeners = new Set<() => void>();
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => {
    data += chunk;
    for (const l of listeners) l();
  });
  socket.on('error', () => undefined); // a reset after the server gives up counts as closed
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  return {
    socket,
    received: () => data,
    closed,
    waitFor: (re) =>
      new Promise<string>((resolve, reject) => {
        const check = () => {
          if (re.test(data)) {
            listeners.delete(check);
            clearTimeout(timer);
            resolve(data);
          }
        };
        const timer = setTimeout(() => {
          listeners.delete(check);
          reject(new Error(`no ${re} within ${BOUND_MS} ms; got ${JSON.stringify(data)}`));
        }, BOUND_MS);
        listeners.add(check);
        check();
      }),
  };
}

/** Resolves when the socket closes; rejects after BOUND_MS. */
function closedWithinBound(closed: Promise<void>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    closed,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`connection still open after ${BOUND_MS} ms`)), BOUND_MS);
    }),
  ]).finally(() => clearTimeout(timer));
}

/** Writes `piece` every 50 ms until the socket closes (or 200 pieces). */
function trickle(socket: Socket, piece: (i: number) => string): void {
  let i = 0;
  const timer = setInterval(() => {
    if (socket.destroyed || socket.writableEnded || i >= 200) return clearInterval(timer);
    socket.write(piece(i++));
  }, 50);
  socket.once('close', () => clearInterval(timer));
}

const event = () =>
  JSON.stringify({
    event_id: randomUUID(),
    event_name: 'purchaseCompleted',
    event_properties: { amount: 1250 },
    timestamp: '2024-06-10T06:13:20Z',
    user_id: 'cust-77',
  });

describe('receiver HTTP server timeouts', () => {
  let srv: Awaited<ReturnType<typeof startServer>>;
  before(async () => {
    srv = await startServer({ RELAY_HEADERS_TIMEOUT_MS: '300', RELAY_REQUEST_TIMEOUT_MS: '600', RELAY_KEEP_ALIVE_TIMEOUT_MS: '200' });
  });
  after(() => srv.close());

  it('applies the configured timeouts to the server', () => {
    assert.equal(srv.server.headersTimeout, 300);
    assert.equal(srv.server.requestTimeout, 600);
    assert.equal(srv.server.keepAliveTimeout, 200);
  });

  it('cuts off a client that sends its headers slowly', async () => {
    const c = rawClient(srv.port);
    c.socket.write('POST /v1/sources/backend/events HTTP/1.1\r\nHost: relay\r\n');
    trickle(c.socket, (i) => `X-Slow-${i}: a\r\n`);
    await closedWithinBound(c.closed);
    assert.match(c.received(), /^(HTTP\/1\.1 408|$)/);
  });

  it('cuts off a client that sends its body slowly (408 or closed)', async () => {
    const c = rawClient(srv.port);
    c.socket.write(
      'POST /v1/sources/backend/events HTTP/1.1\r\nHost: relay\r\nx-api-key: backend-key\r\n' +
        'Content-Type: application/json\r\nContent-Length: 10000\r\n\r\n{',
    );
    trickle(c.socket, () => ' ');
    await closedWithinBound(c.closed);
    assert.match(c.received(), /^(HTTP\/1\.1 408|$)/);
  });

  it('still answers a normal request', async () => {
    const res = await fetch(`http://127.0.0.1:${srv.port}/v1/sources/backend/events`, {
      method: 'POST',
      body: event(),
      headers: { 'content-type': 'application/json', 'x-api-key': 'backend-key' },
    });
    assert.equal(res.status, 202);
  });

  it('closes an idle keep-alive connection after the keep-alive timeout', async () => {
    const c = rawClient(srv.port);
    c.socket.write('GET /healthz HTTP/1.1\r\nHost: relay\r\nConnection: keep-alive\r\n\r\n');
    await c.waitFor(/HTTP\/1\.1 200[\s\S]*\r\n\r\n\{"status":"ok"\}/);
    await closedWithinBound(c.closed);
  });
});

describe('receiver timeout settings', () => {
  it('has documented defaults with headers ≤ request and keep-alive < headers', () => {
    const env = parseEnv({});
    assert.equal(env.RELAY_HEADERS_TIMEOUT_MS, 10_000);
    assert.equal(env.RELAY_REQUEST_TIMEOUT_MS, 30_000);
    assert.equal(env.RELAY_KEEP_ALIVE_TIMEOUT_MS, 5_000);
    const options = receiverServerOptions(env);
    assert.equal(options.headersTimeout, 10_000);
    assert.equal(options.requestTimeout, 30_000);
    assert.equal(options.keepAliveTimeout, 5_000);
  });

  it('refuses a headers timeout longer than the request timeout at start', () => {
    assert.throws(
      () => parseEnv({ RELAY_HEADERS_TIMEOUT_MS: '20000', RELAY_REQUEST_TIMEOUT_MS: '10000' }),
      (e: unknown) => e instanceof EnvError && /RELAY_HEADERS_TIMEOUT_MS/.test(e.message),
    );
    assert.throws(() => parseEnv({ RELAY_REQUEST_TIMEOUT_MS: '0' }), EnvError);
  });
});

describe('token endpoint with HTTP Basic client credentials', () => {
  let srv: Awaited<ReturnType<typeof startServer>>;
  // Long request timeout: a 401 must come from the credential check, not from the server giving up.
  before(async () => {
    srv = await startServer({ RELAY_HEADERS_TIMEOUT_MS: '10000', RELAY_REQUEST_TIMEOUT_MS: '30000' });
  });
  after(() => srv.close());

  const head = (authorization: string, length: number) =>
    'POST /v1/sources/kognitiv/oauth/token HTTP/1.1\r\nHost: relay\r\n' +
    `Authorization: ${authorization}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${length}\r\n\r\n`;
  const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;
  const body = 'grant_type=client_credentials';

  it('answers 401 to a wrong Basic credential before the body is sent', async () => {
    const c = rawClient(srv.port);
    c.socket.write(head(basic('kognitiv-client', 'wrong'), body.length)); // body held back
    const answer = await c.waitFor(/\r\n\r\n\{[^}]*\}/);
    assert.match(answer, /^HTTP\/1\.1 401 /);
    assert.match(answer, /www-authenticate: Basic/i);
    assert.match(answer, /"error":"invalid_client"/);
    // The unread body is not waited for: the connection is closed.
    await closedWithinBound(c.closed);
  });

  it('answers 401 to malformed Basic credentials before the body is sent', async () => {
    const c = rawClient(srv.port);
    c.socket.write(head('Basic !!!', body.length));
    assert.match(await c.waitFor(/\r\n\r\n\{[^}]*\}/), /^HTTP\/1\.1 401 /);
    await closedWithinBound(c.closed);
  });

  it('reads the body after right Basic credentials, and body-borne credentials still work', async () => {
    const c = rawClient(srv.port);
    c.socket.write(head(basic('kognitiv-client', 'k-secret'), body.length));
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(c.received(), '');
    c.socket.write(body);
    assert.match(await c.waitFor(/\r\n\r\n\{[^}]*\}/), /^HTTP\/1\.1 200 /);
    c.socket.destroy();

    const post = await fetch(`http://127.0.0.1:${srv.port}/v1/sources/kognitiv/oauth/token`, {
      method: 'POST',
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: 'kognitiv-client', client_secret: 'k-secret' }),
    });
    assert.equal(post.status, 200);
    const wrong = await fetch(`http://127.0.0.1:${srv.port}/v1/sources/kognitiv/oauth/token`, {
      method: 'POST',
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: 'kognitiv-client', client_secret: 'nope' }),
    });
    assert.equal(wrong.status, 401);
  });
});
