/**
 * Console sessions, stateless: the cookie is `v1.<expiry>.<nonce>.<mac>`, the MAC an
 * HMAC-SHA256 under a key derived (HKDF) from the admin token, so every receiver that has the
 * token accepts every session, nothing is stored, and changing RELAY_ADMIN_TOKEN ends them all.
 * The CSRF token is an HMAC of the cookie under the same key: bound to its session, checked
 * without state (a cross-site page can neither read the cookie nor compute it).
 */
import { createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { safeEqual } from '../http/inbound/safe-equal';

/** The session cookie's name (the console sends it with every same-origin request). */
export const SESSION_COOKIE = 'relay_console_session';
/** The header unsafe requests signed in with the cookie must carry. */
export const CSRF_HEADER = 'x-csrf-token';

export interface IssuedSession {
  /** The cookie's value. */
  value: string;
  csrfToken: string;
  expiresAt: Date;
}

export interface ConsoleSessions {
  readonly ttlSeconds: number;
  issue(now: Date): IssuedSession;
  /** The session's expiry when `value` is one this key issued and it has not expired; else undefined. */
  verify(value: string, now: Date): Date | undefined;
  /** The CSRF token of the session `value`. */
  csrfFor(value: string): string;
}

const b64url = (b: Buffer) => b.toString('base64url');

export function createConsoleSessions(adminToken: string, ttlSeconds: number): ConsoleSessions {
  const key = Buffer.from(hkdfSync('sha256', adminToken, 'loyalty-relay', 'console session v1', 32));
  const mac = (data: string) => b64url(createHmac('sha256', key).update(data).digest());
  const csrfFor = (value: string) => mac(`csrf.${value}`);
  return {
    ttlSeconds,
    issue(now) {
      const expiresAt = new Date(Math.floor(now.getTime() / 1000) * 1000 + ttlSeconds * 1000);
      const body = `v1.${expiresAt.getTime() / 1000}.${b64url(randomBytes(16))}`;
      const value = `${body}.${mac(body)}`;
      return { value, csrfToken: csrfFor(value), expiresAt };
    },
    verify(value, now) {
      const m = /^(v1\.(\d{1,12})\.[A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{43})$/.exec(value);
      if (!m?.[1] || !m[2] || !m[3]) return undefined;
      if (!safeEqual(m[3], mac(m[1]))) return undefined;
      const expiresAt = new Date(Number(m[2]) * 1000);
      return expiresAt.getTime() > now.getTime() ? expiresAt : undefined;
    },
    csrfFor,
  };
}

/** The value of cookie `name` in a Cookie header, or undefined. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** The Set-Cookie header of a session (`value` undefined: the one that deletes it). */
export function sessionCookie(value: string | undefined, options: { secure: boolean; maxAgeSeconds: number }): string {
  const attributes = [
    `${SESSION_COOKIE}=${value ?? ''}`,
    'Path=/',
    'HttpOnly',
    'SameSite=Strict',
    `Max-Age=${value === undefined ? 0 : options.maxAgeSeconds}`,
    ...(options.secure ? ['Secure'] : []),
  ];
  return attributes.join('; ');
}
