/**
 * Who may call the management API: the admin bearer token (scripts, the CLI), or a console
 * session cookie — with, for unsafe methods, the session's CSRF token in X-CSRF-Token (the
 * cookie alone is sent by the browser on any request; the header only by the console).
 */
import type { Request } from 'express';
import { HttpError } from '../http/inbound/errors';
import { safeEqual } from '../http/inbound/safe-equal';
import { CSRF_HEADER, readCookie, SESSION_COOKIE, type ConsoleSessions } from './console-sessions';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export interface AdminAuthOptions {
  adminToken?: string | undefined;
  sessions?: ConsoleSessions | undefined;
  now?: () => Date;
}

/** How the request was let in; throws the HttpError to answer otherwise. */
export function authenticateAdmin(req: Request, o: AdminAuthOptions): 'bearer' | 'session' {
  if (!o.adminToken) {
    throw new HttpError(403, 'management_api_disabled', 'the management API is disabled: set RELAY_ADMIN_TOKEN to enable it');
  }
  const authorization = req.get('authorization');
  const cookie = o.sessions ? readCookie(req.get('cookie'), SESSION_COOKIE) : undefined;
  // A bearer token, when sent, decides alone: a wrong one is not rescued by a cookie.
  if (authorization === undefined && cookie !== undefined && o.sessions) {
    const now = o.now?.() ?? new Date();
    if (o.sessions.verify(cookie, now)) {
      if (!SAFE_METHODS.has(req.method)) {
        const given = req.get(CSRF_HEADER);
        if (given === undefined || !safeEqual(given, o.sessions.csrfFor(cookie))) {
          throw new HttpError(
            403,
            'csrf_token_invalid',
            `a console request that changes something needs its session's ${CSRF_HEADER} header`,
          );
        }
      }
      return 'session';
    }
    throw new HttpError(401, 'session_expired', 'the console session has expired or is not valid: sign in again');
  }
  const m = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
  if (!m?.[1] || !safeEqual(m[1], o.adminToken)) {
    throw new HttpError(401, 'unauthorized', 'send Authorization: Bearer <RELAY_ADMIN_TOKEN>', undefined, {
      'WWW-Authenticate': 'Bearer realm="loyalty-relay-admin"',
    });
  }
  return 'bearer';
}
