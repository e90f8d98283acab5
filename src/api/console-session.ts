/**
 * /console/session: sign in with the admin token (POST: a session cookie and its CSRF token),
 * read the session (GET: the CSRF token again, after a reload) and sign out (DELETE: the
 * cookie removed; stateless, so a copied cookie stays valid until it expires — change
 * RELAY_ADMIN_TOKEN to end every session). Wrong tokens count in the receiver's
 * failed-authentication throttle (per client address, and for all console sign-ins together).
 */
import express, { type Response } from 'express';
import { z } from 'zod';
import { HttpError, TooManyAuthFailuresError } from '../http/inbound/errors';
import type { Logger } from '../telemetry/logger';
import type { Metrics } from '../telemetry/metrics';
import { safeEqual } from '../http/inbound/safe-equal';
import { parseJsonBody, requireJsonType } from '../http/inbound/json';
import { readBody } from '../http/inbound/read-body';
import type { AuthThrottle } from '../http/inbound/throttle';
import { clientAddress } from '../http/inbound/client-address';
import { authenticateAdmin } from './admin-auth';
import { readCookie, SESSION_COOKIE, sessionCookie, type ConsoleSessions } from './console-sessions';

export interface ConsoleSessionOptions {
  adminToken?: string | undefined;
  sessions?: ConsoleSessions | undefined;
  throttle: AuthThrottle;
  metrics: Metrics;
  logger: Logger;
  now: () => Date;
}

const signInSchema = z.strictObject({ token: z.string().min(1).max(1024) });
const SCOPE = 'console';
/** Sign-in bodies are one short token: no reason to read more. */
const MAX_SIGN_IN_BYTES = 4096;

export function consoleSessionRouter(o: ConsoleSessionOptions): express.Router {
  const router = express.Router();
  const answer = (res: Response, expiresAt: Date, csrfToken: string) => {
    res.setHeader('cache-control', 'no-store');
    res.json({ expiresAt: expiresAt.toISOString(), csrfToken });
  };

  router.post('/session', async (req, res) => {
    const over = o.throttle.check(clientAddress(req), SCOPE);
    if (over) {
      o.metrics.authThrottled.inc({ endpoint: 'console', limit: over.limit });
      throw new TooManyAuthFailuresError(over.limit, over.retryAfterSeconds);
    }
    if (!o.adminToken || !o.sessions) {
      throw new HttpError(403, 'management_api_disabled', 'the console needs the management API: set RELAY_ADMIN_TOKEN to enable it');
    }
    // JSON only: a cross-site form cannot send it without a preflight (no login CSRF).
    requireJsonType(req);
    const parsed = signInSchema.safeParse(parseJsonBody(await readBody(req, MAX_SIGN_IN_BYTES), 4));
    if (!parsed.success) {
      throw new HttpError(422, 'validation_failed', 'send {"token": "<RELAY_ADMIN_TOKEN>"}', [
        { path: 'token', message: 'the admin token is required' },
      ]);
    }
    if (!safeEqual(parsed.data.token, o.adminToken)) {
      for (const limit of o.throttle.fail(clientAddress(req), SCOPE)) {
        o.logger.warn(
          { requestId: req.requestId, address: clientAddress(req), limit },
          'console sign-in failures reached their limit; refused (429) until the window ends',
        );
      }
      throw new HttpError(401, 'unauthorized', 'that is not the admin token');
    }
    const issued = o.sessions.issue(o.now());
    res.setHeader('set-cookie', sessionCookie(issued.value, { secure: req.secure, maxAgeSeconds: o.sessions.ttlSeconds }));
    o.logger.info({ requestId: req.requestId, address: clientAddress(req), expiresAt: issued.expiresAt }, 'console session started');
    res.status(201);
    answer(res, issued.expiresAt, issued.csrfToken);
  });

  router.get('/session', (req, res) => {
    const value = readCookie(req.get('cookie'), SESSION_COOKIE);
    const expiresAt = value !== undefined && o.sessions ? o.sessions.verify(value, o.now()) : undefined;
    if (value === undefined || expiresAt === undefined || !o.sessions) {
      res.setHeader('cache-control', 'no-store');
      throw new HttpError(401, 'no_session', 'not signed in');
    }
    answer(res, expiresAt, o.sessions.csrfFor(value));
  });

  router.delete('/session', (req, res) => {
    // With a live session, the CSRF token too: another site cannot sign the operator out.
    if (readCookie(req.get('cookie'), SESSION_COOKIE) !== undefined && o.sessions) {
      try {
        authenticateAdmin(req, o);
      } catch (err) {
        if (!(err instanceof HttpError) || err.code !== 'session_expired') throw err;
      }
    }
    res.setHeader('set-cookie', sessionCookie(undefined, { secure: req.secure, maxAgeSeconds: 0 }));
    res.setHeader('cache-control', 'no-store');
    res.status(204).end();
  });

  return router;
}
