/**
 * The receiver: authenticate, validate and normalize a source's webhook, start its workflow,
 * answer. It never holds an event itself — 202 means Temporal has it; anything else means
 * the sender still does.
 */
import { randomUUID, timingSafeEqual, createHash } from 'node:crypto';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { ConfigStore, SourceConfig } from '../config/store';
import {
  HttpError,
  MalformedJsonError,
  PayloadTooLargeError,
  UnauthorizedError,
  UnknownSourceError,
  UnsupportedMediaTypeError,
} from '../errors';
import type { Logger } from '../logger';
import type { Metrics } from '../metrics';
import { sourceAdapters } from '../sources';
import { errorHandler } from './error-handler';
import type { EventStarter } from './starter';

export interface ReceiverOptions {
  store: ConfigStore;
  starter: EventStarter;
  logger: Logger;
  metrics: Metrics;
  maxBodyBytes: number;
  /** Injected for tests; defaults to the wall clock. */
  now?: () => Date;
}

declare module 'express-serve-static-core' {
  interface Request {
    requestId: string;
    source?: SourceConfig;
  }
}

/** Constant-time comparison that does not leak the expected length. */
export function safeEqual(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b) && given.length === expected.length;
}

const JSON_TYPE = /^application\/([\w.+-]+\+)?json$/i;
const utf8 = new TextDecoder('utf-8', { fatal: true });

export function createReceiverApp(options: ReceiverOptions): express.Express {
  const { store, starter, logger, metrics, maxBodyBytes } = options;
  const now = options.now ?? (() => new Date());
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);

  app.use((req, res, next) => {
    const given = req.get('x-request-id');
    req.requestId = given && /^[\w.-]{1,128}$/.test(given) ? given : randomUUID();
    res.setHeader('x-request-id', req.requestId);
    next();
  });

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

  const findSource = async (req: Request, res: Response, next: NextFunction) => {
    // Route params are gone by the time the app-level error handler runs: keep the id for metrics.
    res.locals.sourceId = String(req.params.sourceId);
    const source = await store.getSource(String(req.params.sourceId));
    if (!source) return next(new UnknownSourceError(String(req.params.sourceId)));
    const given = req.get(source.auth.header);
    if (given === undefined) return next(new UnauthorizedError(`missing ${source.auth.header} header`));
    if (!safeEqual(given, source.auth.key)) return next(new UnauthorizedError(`wrong ${source.auth.header}`));
    req.source = source;
    const type = req.get('content-type')?.split(';')[0]?.trim();
    if (!type || !JSON_TYPE.test(type)) return next(new UnsupportedMediaTypeError(type));
    const declared = Number(req.get('content-length'));
    if (Number.isFinite(declared) && declared > maxBodyBytes) return next(new PayloadTooLargeError(maxBodyBytes));
    next();
  };

  app.post(
    '/v1/sources/:sourceId/events',
    findSource,
    // Raw bytes first: signatures (later source kinds) need them, and we want our own JSON errors.
    express.raw({ type: () => true, limit: maxBodyBytes }),
    async (req, res) => {
      const source = req.source as SourceConfig;
      const started = process.hrtime.bigint();
      const raw: Buffer = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      let text: string;
      try {
        text = utf8.decode(raw);
      } catch {
        throw new HttpError(400, 'invalid_utf8', 'body is not valid UTF-8');
      }
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch (e) {
        throw new MalformedJsonError((e as Error).message);
      }
      const event = sourceAdapters[source.kind].normalize(body, { sourceId: source.id, receivedAt: now().toISOString() });
      const result = await starter.start(event);
      metrics.accepted.inc({ source: source.id, outcome: result.duplicate ? 'duplicate' : 'started' });
      const status = result.duplicate ? 200 : 202;
      metrics.ingestSeconds.observe({ status: String(status) }, Number(process.hrtime.bigint() - started) / 1e9);
      logger.info(
        {
          requestId: req.requestId,
          source: source.id,
          eventId: event.id,
          event: event.name,
          workflowId: result.workflowId,
          duplicate: result.duplicate,
        },
        result.duplicate ? 'duplicate event' : 'event accepted',
      );
      res.status(status).json({ eventId: event.id, workflowId: result.workflowId, ...(result.duplicate ? { duplicate: true } : {}) });
    },
  );

  app.use((req, _res, next) => next(new HttpError(404, 'not_found', `no route for ${req.method} ${req.path}`)));
  app.use(errorHandler({ logger, metrics, maxBodyBytes }));
  return app;
}
