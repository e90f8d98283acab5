/** Console session cookies and CSRF tokens: stateless, bound to the admin token, expiring, tamper-evident. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createConsoleSessions, readCookie, SESSION_COOKIE, sessionCookie } from '../../../src/api/console-sessions';

const TOKEN = 'unit-admin-token-0123456789abcdef';
const T0 = new Date('2026-11-30T20:00:00Z');
const later = (seconds: number) => new Date(T0.getTime() + seconds * 1000);

describe('console sessions', () => {
  it('a session issued by one receiver is accepted by another with the same admin token, until it expires', () => {
    const issued = createConsoleSessions(TOKEN, 600).issue(T0);
    const other = createConsoleSessions(TOKEN, 600);
    assert.deepEqual(other.verify(issued.value, later(599)), later(600));
    assert.equal(other.verify(issued.value, later(600)), undefined);
    assert.equal(other.csrfFor(issued.value), issued.csrfToken);
  });

  it('another admin token (a rotated one) accepts none of the old sessions', () => {
    const issued = createConsoleSessions(TOKEN, 600).issue(T0);
    assert.equal(createConsoleSessions(`${TOKEN}-rotated`, 600).verify(issued.value, T0), undefined);
  });

  it('a changed expiry, nonce or MAC is refused', () => {
    const sessions = createConsoleSessions(TOKEN, 600);
    const { value } = sessions.issue(T0);
    const [v, exp, nonce, mac] = value.split('.') as [string, string, string, string];
    const flip = (s: string) => (s[0] === 'A' ? 'B' : 'A') + s.slice(1);
    assert.ok(sessions.verify(value, T0));
    assert.equal(sessions.verify([v, String(Number(exp) + 86_400), nonce, mac].join('.'), T0), undefined);
    assert.equal(sessions.verify([v, exp, flip(nonce), mac].join('.'), T0), undefined);
    assert.equal(sessions.verify([v, exp, nonce, flip(mac)].join('.'), T0), undefined);
    assert.equal(sessions.verify('', T0), undefined);
    assert.equal(sessions.verify(`${value}x`, T0), undefined);
  });

  it('each session has its own CSRF token', () => {
    const sessions = createConsoleSessions(TOKEN, 600);
    const a = sessions.issue(T0);
    const b = sessions.issue(T0);
    assert.notEqual(a.value, b.value);
    assert.notEqual(a.csrfToken, b.csrfToken);
  });

  it('the cookie is HttpOnly, SameSite=Strict, Secure only over HTTPS; sign-out sets Max-Age=0', () => {
    const plain = sessionCookie('abc', { secure: false, maxAgeSeconds: 600 });
    assert.equal(plain, `${SESSION_COOKIE}=abc; Path=/; HttpOnly; SameSite=Strict; Max-Age=600`);
    assert.match(sessionCookie('abc', { secure: true, maxAgeSeconds: 600 }), /; Secure$/);
    assert.match(sessionCookie(undefined, { secure: false, maxAgeSeconds: 600 }), /=; Path=\/; HttpOnly; SameSite=Strict; Max-Age=0$/);
  });

  it('reads its cookie among others', () => {
    assert.equal(readCookie(`a=1; ${SESSION_COOKIE}=v1.x.y.z; b=2`, SESSION_COOKIE), 'v1.x.y.z');
    assert.equal(readCookie('a=1', SESSION_COOKIE), undefined);
    assert.equal(readCookie(undefined, SESSION_COOKIE), undefined);
  });
});
