/**
 * The one place errors become HTTP answers: `{ code, message, issues?, requestId }`.
 * Client mistakes are 4xx with a precise code; internals never leak into a response.
 */
import type { ErrorRequestHandler, Request, Response } from 'express';
import { configStoreHttpError } from './config-store-errors';
import { HttpError, MalformedJsonError, PayloadTooLargeError, storeUnavailable } from './errors';
import type { Logger } from '../../telemetry/logger';
import type { Metrics } from '../../telemetry/metrics';

interface BodyParserError extends Error {
  type?: string;
  status?: number;
}

/**
 * What a route's code throws, as an HTTP answer: an HttpError as it is, a domain error by its
 * mapping (the configuration store's: ./config-store-errors.ts), a store outage as 503.
 * Undefined for anything else (a bug: 500, logged). The management router answers with it too.
 */
export function knownHttpError(err: unknown): HttpError | undefined {
  if (err instanceof HttpError) return err;
  return configStoreHttpError(err) ?? storeUnavailable(err);
}

function toHttpError(err: unknown, maxBodyBytes: number): HttpError | undefined {
  if (err instanceof HttpError) return err;
  const e = err as BodyParserError;
  switch (e?.type) {
    case 'entity.too.large':
      return new PayloadTooLargeError(maxBodyBytes);
    case 'request.aborted':
      return new HttpError(400, 'request_aborted', 'the client aborted the request');
    case 'request.size.invalid':
      return new HttpError(400, 'body_length_mismatch', 'request body length does not match Content-Length');
    case 'encoding.unsupported':
      return new HttpError(415, 'unsupported_encoding', e.message);
    case 'charset.unsupported':
      return new HttpError(415, 'unsupported_charset', e.message);
    case 'entity.parse.failed':
      return new MalformedJsonError(e.message);
  }
  if (typeof e?.status === 'number' && e.status >= 400 && e.status < 500) return new HttpError(e.status, 'bad_request', e.message);
  // A refusal of the configuration store, or the store is down (the sender keeps the event and retries).
  return knownHttpError(err);
}

/**
 * Each refusal is counted once, where it belongs: an ingestion request in
 * relay_events_rejected_total; a management request in relay_management_requests_total (its
 * router counts it when answered, with the code set here); any other request (a path no route
 * serves) in relay_http_other_errors_total — never as a refused event.
 */
function count(metrics: Metrics, req: Request, res: Response, code: string): void {
  if (res.locals.ingest === true) {
    metrics.rejected.inc({ source: typeof res.locals.sourceId === 'string' ? res.locals.sourceId : 'none', code });
  } else if (res.locals.management === true) res.locals.managementCode = code;
  else metrics.otherErrors.inc({ method: req.method, code });
}

export function errorHandler(deps: { logger: Logger; metrics: Metrics; maxBodyBytes: number }): ErrorRequestHandler {
  return (err, req, res, _next) => {
    const known = toHttpError(err, deps.maxBodyBytes);
    const source = typeof res.locals.sourceId === 'string' ? res.locals.sourceId : 'none';
    if (!known) {
      deps.logger.error({ err, requestId: req.requestId, path: req.path }, 'unexpected error');
      count(deps.metrics, req, res, 'internal_error');
      if (!res.headersSent) res.status(500).json({ code: 'internal_error', message: 'internal error', requestId: req.requestId });
      return;
    }
    count(deps.metrics, req, res, known.code);
    deps.logger.warn({ requestId: req.requestId, source, status: known.status, code: known.code, issues: known.issues }, known.message);
    sendHttpError(req, res, known);
  };
}

/** The answer to a client error, `{ code, message, issues?, requestId }`: the receiver's and the management API's. */
export function sendHttpError(req: Request, res: Response, known: HttpError): void {
  if (res.headersSent) return;
  for (const [k, v] of Object.entries(known.headers ?? {})) res.setHeader(k, v);
  // The body may not have been read (early refusal): close rather than drain a huge upload.
  if (!req.complete) res.setHeader('connection', 'close');
  res.status(known.status).json({
    code: known.code,
    message: known.message,
    ...(known.issues ? { issues: known.issues } : {}),
    requestId: req.requestId,
  });
}
