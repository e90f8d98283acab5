/**
 * The console over HTTP, on a throwaway database: its files under a strict CSP with the SPA
 * fallback, sign-in with the admin token (throttled like other credentials), the session cookie
 * accepted by the management API, and the CSRF token required with it for anything unsafe.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { SESSION_COOKIE } from '../../../src/api/console-sessions';
import { ConfigAdmin } from '../../../src/config/admin';
import { PgConfigStore } from '../../../src/config/pg-store';
import { createSecretBox } from '../../../src/db/secrets';
import { createAuthThrottle } from '../../../src/http/inbound/throttle';
import { createTestDatabase } from '../../helpers/database';
import { callManagement } from '../../helpers/management-client';
import { fakeStarter, startReceiver, type TestReceiver } from '../../helpers/receiver';

const ADMIN_TOKEN = 'console-store-admin-token-0123456789';
let db: Awaited<ReturnType<typeof createTestDatabase>>;
let receiver: TestReceiver;
let disabled: TestReceiver;
let dir: string;

interface Session {
  cookie: string;
  csrf: string;
  setCookie: string;
}

async function signIn(url = receiver.url, token = ADMIN_TOKEN, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${url}/console/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ token }),
  });
}

async function session(headers: Record<string, string> = {}): Promise<Session> {
  const res = await signIn(receiver.url, ADMIN_TOKEN, headers);
  assert.equal(res.status, 201, await res.clone().text());
  const setCookie = res.headers.get('set-cookie') ?? '';
  const value = new RegExp(`^${SESSION_COOKIE}=([^;]+)`).exec(setCookie)?.[1];
  assert.ok(value, setCookie);
  const body = (await res.json()) as { csrfToken: string; expiresAt: string };
  return { cookie: `${SESSION_COOKIE}=${value}`, csrf: body.csrfToken, setCookie };
}

const withCookie = (s: Session, method: string, path: string, headers: Record<string, string> = {}) =>
  fetch(`${receiver.url}${path}`, { method, headers: { cookie: s.cookie, ...headers } });

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'relay-console-'));
  mkdirSync(join(dir, 'assets'));
  writeFileSync(
    join(dir, 'index.html'),
    '<!doctype html><title>console</title><script type="module" src="/console/assets/app.js"></script>',
  );
  writeFileSync(join(dir, 'assets', 'app.js'), 'console.log(1)');
  db = await createTestDatabase();
  const box = createSecretBox({ current: randomBytes(32) });
  const admin = new ConfigAdmin(db.pool, box, { allowPrivateNetworks: ['10.0.0.0/8'] });
  receiver = await startReceiver([], fakeStarter(), {
    store: new PgConfigStore(db.pool, box),
    management: { admin, adminToken: ADMIN_TOKEN },
    console: { dir, sessionSeconds: 600 },
    authThrottle: createAuthThrottle({ perAddress: 3, perSource: 1000, windowSeconds: 60, maxAddresses: 100 }),
    trustProxy: 'loopback',
  });
  disabled = await startReceiver([], fakeStarter(), {
    store: new PgConfigStore(db.pool, box),
    management: { admin },
    console: { dir, sessionSeconds: 600 },
  });
  const created = await callManagement(receiver.url, ADMIN_TOKEN, 'POST', '/destinations', {
    name: 'crm',
    kind: 'webhook',
    events: ['pointsIssued'],
    url: 'https://crm.example.com/hook',
  });
  assert.equal(created.status, 201, created.text);
});

after(async () => {
  await receiver?.close();
  await disabled?.close();
  await db?.drop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('console files', () => {
  it('serves index.html at /console/ and at any screen path, under a strict CSP and uncached', async () => {
    for (const path of ['/console', '/console/', '/console/destinations', '/console/event-types/pointsIssued']) {
      const res = await fetch(`${receiver.url}${path}`);
      assert.equal(res.status, 200, path);
      assert.match(await res.text(), /<title>console<\/title>/);
      const csp = res.headers.get('content-security-policy') ?? '';
      assert.match(csp, /default-src 'none'/);
      assert.match(csp, /script-src 'self'(;|$)/);
      assert.match(csp, /frame-ancestors 'none'/);
      assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
      assert.equal(res.headers.get('cache-control'), 'no-cache');
    }
  });

  it('serves hashed assets cached for good, and 404 for a missing one', async () => {
    const res = await fetch(`${receiver.url}/console/assets/app.js`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /javascript/);
    assert.match(res.headers.get('cache-control') ?? '', /immutable/);
    assert.equal(await res.text(), 'console.log(1)');
    assert.equal((await fetch(`${receiver.url}/console/assets/missing.js`)).status, 404);
  });
});

describe('console sign-in', () => {
  it('a wrong token is 401; the right one sets an HttpOnly SameSite=Strict cookie (not Secure over HTTP) and answers a CSRF token', async () => {
    assert.equal((await signIn(receiver.url, 'not-the-admin-token-at-all-00000')).status, 401);
    const s = await session();
    assert.match(s.setCookie, /; Path=\/; HttpOnly; SameSite=Strict; Max-Age=600$/);
    assert.doesNotMatch(s.setCookie, /Secure/);
    assert.match(s.csrf, /^[A-Za-z0-9_-]{43}$/);
  });

  it('the cookie is Secure when the request came over HTTPS (a trusted proxy says so)', async () => {
    const s = await session({ 'x-forwarded-proto': 'https' });
    assert.match(s.setCookie, /; Secure$/);
  });

  it('takes only a JSON body (no sign-in from a cross-site form) and names the missing token', async () => {
    const form = await fetch(`${receiver.url}/console/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `token=${ADMIN_TOKEN}`,
    });
    assert.equal(form.status, 415);
    const empty = await fetch(`${receiver.url}/console/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    assert.equal(empty.status, 422);
    const body = (await empty.json()) as { code: string; issues: { path: string }[] };
    assert.equal(body.code, 'validation_failed');
    assert.equal(body.issues[0]?.path, 'token');
  });

  it('GET /console/session gives the CSRF token again for the cookie, and 401 without one', async () => {
    const s = await session();
    const res = await withCookie(s, 'GET', '/console/session');
    assert.equal(res.status, 200);
    assert.equal(((await res.json()) as { csrfToken: string }).csrfToken, s.csrf);
    assert.equal(res.headers.get('cache-control'), 'no-store');
    const none = await fetch(`${receiver.url}/console/session`);
    assert.equal(none.status, 401);
    assert.equal(((await none.json()) as { code: string }).code, 'no_session');
  });

  it('with RELAY_ADMIN_TOKEN unset, sign-in answers 403 management_api_disabled', async () => {
    const res = await signIn(disabled.url);
    assert.equal(res.status, 403);
    assert.equal(((await res.json()) as { code: string }).code, 'management_api_disabled');
  });

  it('failed sign-ins count in the auth throttle: past the limit even the right token is refused (429)', async () => {
    // Another client address (a proxy's X-Forwarded-For) than the other tests'.
    const from = { 'x-forwarded-for': '203.0.113.9' };
    for (let i = 0; i < 3; i++) assert.equal((await signIn(receiver.url, 'wrong-token-wrong-token-0000', from)).status, 401);
    const res = await signIn(receiver.url, ADMIN_TOKEN, from);
    assert.equal(res.status, 429);
    assert.ok(Number(res.headers.get('retry-after')) > 0);
    assert.equal((await signIn(receiver.url, ADMIN_TOKEN, { 'x-forwarded-for': '203.0.113.10' })).status, 201);
  });
});

describe('the management API with a console session', () => {
  it('reads with the cookie alone', async () => {
    const s = await session();
    const res = await withCookie(s, 'GET', '/v1/destinations');
    assert.equal(res.status, 200);
    assert.equal(((await res.json()) as { items: { name: string }[] }).items[0]?.name, 'crm');
  });

  it('refuses a change without the CSRF token, or with another session’s, and accepts it with its own', async () => {
    const s = await session();
    const other = await session();
    const none = await withCookie(s, 'POST', '/v1/destinations/crm/pause');
    assert.equal(none.status, 403);
    assert.equal(((await none.json()) as { code: string }).code, 'csrf_token_invalid');
    assert.equal((await withCookie(s, 'POST', '/v1/destinations/crm/pause', { 'x-csrf-token': other.csrf })).status, 403);
    const paused = await withCookie(s, 'POST', '/v1/destinations/crm/pause', { 'x-csrf-token': s.csrf });
    assert.equal(paused.status, 200, await paused.clone().text());
    assert.equal(((await paused.json()) as { paused: boolean }).paused, true);
    const resumed = await withCookie(s, 'POST', '/v1/destinations/crm/resume', { 'x-csrf-token': s.csrf });
    assert.equal(resumed.status, 200);
  });

  it('a forged or expired cookie is 401 session_expired; a wrong bearer token is not rescued by a good cookie', async () => {
    const s = await session();
    const forged = await fetch(`${receiver.url}/v1/destinations`, { headers: { cookie: `${s.cookie.slice(0, -2)}AA` } });
    assert.equal(forged.status, 401);
    assert.equal(((await forged.json()) as { code: string }).code, 'session_expired');
    const wrongBearer = await withCookie(s, 'GET', '/v1/destinations', { authorization: 'Bearer wrong-wrong-wrong-wrong-wrong' });
    assert.equal(wrongBearer.status, 401);
    assert.equal(((await wrongBearer.json()) as { code: string }).code, 'unauthorized');
  });

  it('sign-out needs the CSRF token and clears the cookie', async () => {
    const s = await session();
    assert.equal((await withCookie(s, 'DELETE', '/console/session')).status, 403);
    const out = await withCookie(s, 'DELETE', '/console/session', { 'x-csrf-token': s.csrf });
    assert.equal(out.status, 204);
    assert.match(out.headers.get('set-cookie') ?? '', new RegExp(`^${SESSION_COOKIE}=; .*Max-Age=0`));
  });
});
