/**
 * The OAuth 2.0 token endpoint for sources that authenticate as clients (RFC 6749 §4.4,
 * client credentials): `POST /v1/sources/:sourceId/oauth/token`, form-encoded or JSON,
 * client authentication by HTTP Basic (client_secret_basic) or in the body
 * (client_secret_post). Errors are RFC 6749 §5.2 bodies (`{ error, error_description }`).
 */
import express, { type NextFunction, type Request, type Response } from 'express';
import type { OAuthError } from '../api/schemas';
import type { ConfigStore } from '../config/store';
import type { SourceConfig } from '../model/source';
import type { Logger } from '../telemetry/logger';
import type { Metrics } from '../telemetry/metrics';
import { basicAuthorization } from './auth';
import { safeEqual } from '../http/inbound/safe-equal';
import type { AuthThrottle } from '../http/inbound/throttle';
import { clientAddress } from '../http/inbound/client-address';
import type { TokenService } from './tokens';

type OAuthErrorCode = OAuthError['error'];

function fail(res: Response, status: number, error: OAuthErrorCode | 'too_many_auth_failures', description: string, basic = false): void {
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('Pragma', 'no-cache');
  if (basic) res.setHeader('WWW-Authenticate', 'Basic realm="oauth"');
  res.status(status).json({ error, error_description: description });
}

function basicCredentials(req: Request): { id: string; secret: string } | undefined {
  const decoded = basicAuthorization(req);
  if (decoded === undefined) return undefined;
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  // RFC 6749 §2.3.1: client id and secret are form-urlencoded before Basic encoding.
  const unescape = (s: string) => {
    try {
      return decodeURIComponent(s.replace(/\+/g, ' '));
    } catch {
      return s;
    }
  };
  return { id: unescape(decoded.slice(0, colon)), secret: unescape(decoded.slice(colon + 1)) };
}

export function oauthTokenRouter(deps: {
  store: ConfigStore;
  tokens: TokenService;
  metrics: Metrics;
  logger: Logger;
  /** Failed client authentications per address and per source (its one client id): 429 over the limit. */
  throttle: AuthThrottle;
}): express.Router {
  // Said once, when a token is first issued: only then does the ephemeral key matter.
  let warnedEphemeral = false;
  const router = express.Router({ mergeParams: true });
  /** The source of the URL (looked up once per request) and a `deny` that counts the refusal under its label. */
  const lookup = async (req: Request, res: Response) => {
    const sourceId = String((req.params as Record<string, string>).sourceId);
    if (!('oauthSource' in res.locals)) res.locals.oauthSource = await deps.store.getSource(sourceId);
    const source = res.locals.oauthSource as SourceConfig | undefined;
    // Metric labels only for configured sources: ids from the URL are unbounded.
    const label = source ? sourceId : '(unknown)';
    const address = clientAddress(req);
    // Scopes only for configured sources (ids from the URL are unbounded); unknown ones count per address.
    const scope = source ? `token:${sourceId}` : undefined;
    const deny = (status: number, error: OAuthErrorCode, description: string, basic = false) => {
      deps.metrics.tokens.inc({ source: label, outcome: error });
      if (status === 401) {
        for (const limit of deps.throttle.fail(address, scope)) {
          deps.logger.warn(
            { requestId: req.requestId, source: sourceId, address, limit },
            `failed client authentication: ${limit === 'address' ? `address ${address}` : `source ${sourceId}`} reached its limit; refused (429) until its window ends`,
          );
        }
      }
      fail(res, status, error, description, basic);
    };
    /** Answers 429 (and returns true) when the address or the source is over its failure limit. */
    const throttled = () => {
      const over = deps.throttle.check(address, scope);
      if (!over) return false;
      deps.metrics.tokens.inc({ source: label, outcome: 'too_many_auth_failures' });
      deps.metrics.authThrottled.inc({ endpoint: 'token', limit: over.limit });
      res.setHeader('Retry-After', String(over.retryAfterSeconds));
      res.setHeader('Connection', 'close');
      fail(
        res,
        429,
        'too_many_auth_failures',
        `too many failed client authentications ${over.limit === 'address' ? 'from this address' : 'for this client'}; retry after ${over.retryAfterSeconds} s`,
      );
      return true;
    };
    // Unknown source, a source without OAuth, a wrong id or secret: one answer, so nothing is disclosed.
    const auth = source?.auth.type === 'oauth' ? source.auth : undefined;
    const verify = (clientId: string, clientSecret: string) => {
      const ok = [safeEqual(clientId, auth?.clientId ?? ''), safeEqual(clientSecret, auth?.clientSecret ?? '')].every(Boolean);
      if (!ok) deps.logger.warn({ requestId: req.requestId, source: sourceId }, 'token request with wrong client credentials');
      return ok;
    };
    return { source, label, auth, deny, verify, throttled };
  };

  /**
   * HTTP Basic client credentials are checked before the body is read: a wrong or malformed
   * Authorization header gets its 401 at once, and the connection is closed rather than
   * drained, so a client cannot hold it by sending the body slowly.
   */
  const basicBeforeBody = async (req: Request, res: Response, next: NextFunction) => {
    const { deny, verify, throttled } = await lookup(req, res);
    if (throttled()) return;
    if (req.get('authorization') === undefined) return next();
    const basic = basicCredentials(req);
    if (!basic || !verify(basic.id, basic.secret)) {
      res.setHeader('Connection', 'close');
      return deny(401, 'invalid_client', basic ? 'client authentication failed' : 'malformed Basic credentials', true);
    }
    next();
  };

  router.post(
    '/',
    basicBeforeBody,
    express.urlencoded({ extended: false, limit: '8kb', parameterLimit: 20 }),
    express.json({ limit: '8kb', strict: true }),
    async (req, res) => {
      const body: Record<string, unknown> = req.body !== null && typeof req.body === 'object' ? (req.body as Record<string, unknown>) : {};
      const field = (k: string) => (typeof body[k] === 'string' ? body[k] : undefined);
      const { source, label, auth, deny, verify } = await lookup(req, res);

      // Basic credentials, when given, were checked (and found right) by basicBeforeBody.
      const basic = basicCredentials(req);
      const clientId = basic?.id ?? field('client_id');
      const clientSecret = basic?.secret ?? field('client_secret');
      if (basic && field('client_secret') !== undefined) {
        return deny(400, 'invalid_request', 'use one client authentication method, not Basic and client_secret both');
      }
      if (field('grant_type') === undefined) return deny(400, 'invalid_request', 'grant_type is required');
      if (clientId === undefined || clientSecret === undefined) {
        return deny(401, 'invalid_client', 'client authentication is required', true);
      }
      if (!source || !auth || (!basic && !verify(clientId, clientSecret))) {
        return deny(401, 'invalid_client', 'client authentication failed', basic !== undefined);
      }
      if (field('grant_type') !== 'client_credentials') {
        return deny(400, 'unsupported_grant_type', 'only client_credentials is supported');
      }
      const scope = field('scope');
      if (scope !== undefined && scope.trim() !== '' && scope.trim() !== 'events:write') {
        return deny(400, 'invalid_scope', 'the only scope is events:write');
      }
      const token = await deps.tokens.issue({ ...source, auth });
      deps.metrics.tokens.inc({ source: label, outcome: 'issued' });
      if (deps.tokens.ephemeralKey && !warnedEphemeral) {
        warnedEphemeral = true;
        deps.logger.warn(
          'RELAY_TOKEN_SIGNING_KEY is not set: OAuth bearer tokens are signed with a key made at start (they stop working on restart and across replicas)',
        );
      }
      res.setHeader('Cache-Control', 'no-store');
      res.setHeader('Pragma', 'no-cache');
      res.status(200).json({ ...token, scope: 'events:write' });
    },
  );
  // Unparseable bodies get an RFC 6749 answer too, not the ingestion error format.
  router.use((err: unknown, _req: Request, res: Response, next: NextFunction) => {
    const status = (err as { status?: number }).status;
    if (typeof status === 'number' && status >= 400 && status < 500)
      return fail(res, 400, 'invalid_request', 'the request body cannot be parsed');
    next(err);
  });
  return router;
}
