/**
 * The receiver: authenticate, validate and normalize a source's webhook, start its
 * workflow(s), answer. It never holds an event itself — 2xx means Temporal has it; anything
 * else means the sender still does.
 */
import { randomUUID } from 'node:crypto';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { ConfigStore } from '../config/store';
import type { SourceConfig } from '../model/source';
import { HOPS_HEADER } from '../model/canonical-event';
import {
  HttpError,
  InvalidHopCountError,
  PayloadTooLargeError,
  TooManyAuthFailuresError,
  TooManyHopsError,
  UnknownSourceError,
} from '../http/inbound/errors';
import type { Logger } from '../telemetry/logger';
import type { Metrics } from '../telemetry/metrics';
import { consoleSessionRouter } from '../api/console-session';
import { createConsoleSessions } from '../api/console-sessions';
import { managementRouter, type ManagementOptions } from '../api/management';
import { codecRouter, type CodecServerOptions } from '../payloads/codec-server';
import { sourceAdapters } from '../sources';
import { authenticateRequest, verifySignature } from './auth';
import { consoleAssetsRouter, defaultConsoleDir } from './console-assets';
import { clientAddress } from '../http/inbound/client-address';
import { errorHandler } from '../http/inbound/error-handler';
import { ingestBatch, ingestSingle, type Answer, type IngestDeps } from './ingest';
import { parseJsonBody, requireJsonType } from '../http/inbound/json';
import { readBody } from '../http/inbound/read-body';
import { oauthTokenRouter } from './oauth';
import type { EventStarter } from './starter';
import { createAuthThrottle, DEFAULT_AUTH_THROTTLE, type AuthThrottle } from '../http/inbound/throttle';
import { createTokenService, type TokenService } from './tokens';

export interface ReceiverOptions {
  store: ConfigStore;
  starter: EventStarter;
  logger: Logger;
  metrics: Metrics;
  maxBodyBytes: number;
  /** Deepest object/array nesting accepted in a body (default 32). */
  maxJsonDepth?: number;
  /** Event times further than this ahead of the receiver's clock are refused (default 300 s). */
  maxFutureSkewSeconds?: number;
  /** Requests whose `x-loyalty-relay-hops` header is at least this are refused, too_many_hops (default 3). */
  maxHops?: number;
  /** Signs and verifies OAuth bearer tokens; default: a key generated at start. */
  tokens?: TokenService;
  /** Injected for tests; defaults to the wall clock. */
  now?: () => Date;
  /** Failed-authentication throttle (ingestion and token endpoint); default: DEFAULT_AUTH_THROTTLE. */
  authThrottle?: AuthThrottle;
  /** Express `trust proxy`: which proxies' X-Forwarded-For names the client address; default none. */
  trustProxy?: boolean | number | string;
  /** The management API (/v1/destinations, /v1/credentials, /v1/sources…); absent = not served. */
  management?: Pick<ManagementOptions, 'admin' | 'adminToken' | 'documents' | 'wakeHeldRuns' | 'redelivery' | 'health'>;
  /** The OpenAPI document served at GET /v1/openapi.json. */
  openApi?: () => unknown;
  /** The web console at /console (its files, sign-in); its sessions need management.adminToken. */
  console?: { dir?: string; sessionSeconds: number };
  /** Temporal's remote codec endpoints at /codec (src/payloads/codec-server.ts); absent = not served. */
  codec?: Omit<CodecServerOptions, 'logger'>;
}

declare module 'express-serve-static-core' {
  interface Request {
    requestId: string;
    source?: SourceConfig;
  }
}

/**
 * A JSON answer written straight to the response: what `res.status().json()` sends for a plain
 * object, without Express's per-call charset parsing and freshness checks (the ingestion path
 * answers every event; the error handler still answers refusals through Express).
 */
function sendJson(res: Response, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.statusCode = status;
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.setHeader('content-length', Buffer.byteLength(text));
  res.end(text);
}

/**
 * The request's hop count (`x-loyalty-relay-hops`, set by a relay delivering to us; absent =
 * undefined): malformed is 400, at or over the limit is 422 too_many_hops (a loop).
 */
function readHops(req: Request, maxHops: number): number | undefined {
  const value = req.get(HOPS_HEADER);
  if (value === undefined) return undefined;
  if (!/^\d{1,3}$/.test(value.trim())) throw new InvalidHopCountError(HOPS_HEADER, value);
  const hops = Number(value.trim());
  if (hops >= maxHops) throw new TooManyHopsError(hops, maxHops);
  return hops;
}

export function createReceiverApp(options: ReceiverOptions): express.Express {
  const { store, starter, logger, metrics, maxBodyBytes } = options;
  const now = options.now ?? (() => new Date());
  const maxJsonDepth = options.maxJsonDepth ?? 32;
  const maxHops = options.maxHops ?? 3;
  const tokens = options.tokens ?? createTokenService({ now });
  const throttle = options.authThrottle ?? createAuthThrottle(DEFAULT_AUTH_THROTTLE);
  /** Refuse (429) a client address or source over its failure limit, before its credential is looked at. */
  const refuseThrottled = (req: Request, source: SourceConfig) => {
    const over = throttle.check(clientAddress(req), `ingest:${source.id}`);
    if (!over) return;
    metrics.authThrottled.inc({ endpoint: 'ingestion', limit: over.limit });
    throw new TooManyAuthFailuresError(over.limit, over.retryAfterSeconds);
  };
  /** Count a 401 from authentication, and say so once when an address or source reaches its limit. */
  const countFailure = (req: Request, source: SourceConfig, err: unknown) => {
    if (!(err instanceof HttpError) || err.status !== 401) return;
    const address = clientAddress(req);
    for (const limit of throttle.fail(address, `ingest:${source.id}`)) {
      logger.warn(
        { requestId: req.requestId, source: source.id, address, limit },
        `failed authentication: ${limit === 'address' ? `address ${address}` : `source ${source.id}`} reached its limit; refused (429) until its window ends`,
      );
    }
  };
  const ingestDeps: IngestDeps = { starter, metrics, logger, now, maxFutureSkewSeconds: options.maxFutureSkewSeconds ?? 300 };
  /** Everything that can be refused before reading the body: source, credentials, media type, declared length. */
  const admit = async (req: Request, res: Response, next: NextFunction) => {
    // Only ingestion counts in relay_events_rejected_total (the error handler reads this).
    res.locals.ingest = true;
    const source = await store.getSource(String(req.params.sourceId));
    if (!source) return next(new UnknownSourceError(String(req.params.sourceId)));
    // Route params are gone by the time the app-level error handler runs: keep the id for metrics
    // (only for configured sources: ids from the URL are unbounded label values).
    res.locals.sourceId = source.id;
    refuseThrottled(req, source);
    await authenticateRequest(source, req, tokens).catch((err: unknown) => {
      countFailure(req, source, err);
      throw err;
    });
    req.source = source;
    res.locals.hops = readHops(req, maxHops);
    requireJsonType(req);
    const declared = Number(req.get('content-length'));
    if (Number.isFinite(declared) && declared > maxBodyBytes) return next(new PayloadTooLargeError(maxBodyBytes));
    next();
  };

  const ingest = async (req: Request, res: Response) => {
    const source = req.source as SourceConfig;
    const started = process.hrtime.bigint();
    // Raw bytes, counted while streaming (cut off at the limit): signatures need them, and we want our own JSON errors.
    const raw = await readBody(req, maxBodyBytes);
    try {
      verifySignature(source, req, raw);
    } catch (err) {
      countFailure(req, source, err);
      throw err;
    }
    const body = parseJsonBody(raw, maxJsonDepth);
    const ctx = { sourceId: source.id, source, receivedAt: now().toISOString(), headers: req.headers };
    const adapter = sourceAdapters[source.kind];
    const hops = res.locals.hops as number | undefined;
    const answer: Answer = adapter.batch
      ? await ingestBatch(ingestDeps, adapter, body, ctx, req.requestId, hops)
      : await ingestSingle(ingestDeps, adapter, body, ctx, req.requestId, hops);
    metrics.ingestSeconds.observe({ status: String(answer.status) }, Number(process.hrtime.bigint() - started) / 1e9);
    for (const [k, v] of Object.entries(answer.headers ?? {})) res.setHeader(k, v);
    sendJson(res, answer.status, answer.body);
  };

  const app = express();
  app.disable('x-powered-by');
  if (options.trustProxy !== undefined) app.set('trust proxy', options.trustProxy);
  app.set('etag', false);

  app.use((req, res, next) => {
    const given = req.get('x-request-id');
    req.requestId = given && /^[\w.-]{1,128}$/.test(given) ? given : randomUUID();
    res.setHeader('x-request-id', req.requestId);
    next();
  });

  // Ingestion first: the hot path is matched before the management API's routes are walked.
  app.post('/v1/sources/:sourceId/events', admit, ingest);

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });

  app.get('/readyz', async (_req, res) => {
    const ready = await starter.ready();
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'temporal_unreachable' });
  });

  app.get('/metrics', async (_req, res) => {
    res.setHeader('content-type', metrics.registry.contentType);
    res.send(await metrics.registry.metrics());
  });

  if (options.openApi) {
    const openApi = options.openApi;
    app.get('/v1/openapi.json', (_req, res) => {
      res.json(openApi());
    });
  }

  const adminToken = options.management?.adminToken;
  const sessions = options.console && adminToken ? createConsoleSessions(adminToken, options.console.sessionSeconds) : undefined;
  if (options.console) {
    app.use('/console', consoleSessionRouter({ adminToken, sessions, throttle, metrics, logger, now }));
    app.use('/console', consoleAssetsRouter(options.console.dir ?? defaultConsoleDir()));
  }

  if (options.management) {
    app.use('/v1', managementRouter({ ...options.management, sessions, logger, metrics, maxBodyBytes, maxJsonDepth }));
  }

  if (options.codec) app.use('/codec', codecRouter({ ...options.codec, logger }));

  app.use('/v1/sources/:sourceId/oauth/token', oauthTokenRouter({ store, tokens, metrics, logger, throttle }));

  app.use((req, _res, next) => next(new HttpError(404, 'not_found', `no route for ${req.method} ${req.path}`)));
  app.use(errorHandler({ logger, metrics, maxBodyBytes }));
  return app;
}
