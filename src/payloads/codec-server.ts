/**
 * Temporal's remote codec protocol, served by the receiver at /codec: `POST /codec/decode`
 * and `POST /codec/encode` take and answer `{ "payloads": [Payload…] }` (protobuf JSON:
 * metadata values and data in base64), running the relay's codec chain — so the Temporal Web
 * UI and CLI show decoded payloads to people holding the codec token, while Temporal itself
 * only ever stores sealed ones.
 *
 * - Authentication: `Authorization: Bearer <RELAY_CODEC_TOKEN>` (the CLI's --codec-auth), or
 *   the token as the path segment before the operation, `/codec/<token>/decode`: the protocol
 *   only looks at the last segment, and a UI without single sign-on cannot send a header, so
 *   the token rides in the endpoint URL it is configured with. Anything else is 401.
 * - CORS for the configured UI origins (credentials allowed; `Authorization`, `Content-Type`
 *   and `X-Namespace` headers), preflights answered without authentication, as browsers send them.
 * - Bodies over the limit are 413 (counted while streaming); malformed ones 400; a payload
 *   that cannot be opened (unknown key id, altered) is 422 naming the key id.
 */
import { timingSafeEqual, createHash } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type NextFunction, type Request, type Response } from 'express';
import { ApplicationFailure, type Payload, type PayloadCodec } from '@temporalio/common';
import { HttpError, PayloadTooLargeError, UnauthorizedError } from '../http/inbound/errors';
import type { Logger } from '../telemetry/logger';
import { sendHttpError } from '../http/inbound/error-handler';
import { readBody } from '../http/inbound/read-body';
import { FailureType } from '../model/failure-types';
import { PAYLOAD_DECODE_FAILURE } from './encryption';

export interface CodecServerOptions {
  /** The relay's codec chain, in encode order. */
  codecs: PayloadCodec[];
  /** Accepted bearer tokens (RELAY_CODEC_TOKEN, the embedded UI's per-process token). None: the endpoints answer 404. */
  tokens: string[];
  /** Browser origins allowed to call (scheme://host[:port]). */
  corsOrigins: string[];
  maxBodyBytes: number;
  logger: Logger;
}

const ALLOWED_HEADERS = 'Authorization, Content-Type, X-Namespace';
const BASE64 = /^[A-Za-z0-9+/_-]*={0,2}$/;

/** JSON form of a Payload (protobuf JSON mapping): bytes as base64. */
interface JsonPayload {
  metadata?: Record<string, string>;
  data?: string;
}

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

/** Constant-time comparison against each accepted token (digests: equal lengths, nothing learned from timing). */
function tokenMatches(given: string, tokens: string[]): boolean {
  const d = digest(given);
  let ok = false;
  for (const t of tokens) ok = timingSafeEqual(d, digest(t)) || ok;
  return ok;
}

function badPayloads(message: string, path: string): HttpError {
  return new HttpError(400, 'invalid_payloads', message, [{ path, message }]);
}

function fromJson(body: unknown): Payload[] {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw badPayloads('the body must be an object { "payloads": [...] }', '');
  }
  const list = (body as { payloads?: unknown }).payloads;
  if (!Array.isArray(list)) throw badPayloads('payloads must be an array', 'payloads');
  return list.map((item: unknown, i): Payload => {
    const at = `payloads[${i}]`;
    if (typeof item !== 'object' || item === null || Array.isArray(item)) throw badPayloads('a payload must be an object', at);
    const { metadata, data } = item as { metadata?: unknown; data?: unknown };
    const out: Payload = { metadata: {} };
    if (metadata !== undefined && metadata !== null) {
      if (typeof metadata !== 'object' || Array.isArray(metadata)) throw badPayloads('metadata must be an object', `${at}.metadata`);
      for (const [k, v] of Object.entries(metadata)) {
        if (typeof v !== 'string' || !BASE64.test(v)) throw badPayloads('metadata values must be base64 strings', `${at}.metadata.${k}`);
        out.metadata![k] = Buffer.from(v, 'base64');
      }
    }
    if (data !== undefined && data !== null) {
      if (typeof data !== 'string' || !BASE64.test(data)) throw badPayloads('data must be a base64 string', `${at}.data`);
      out.data = Buffer.from(data, 'base64');
    }
    return out;
  });
}

function toJson(payloads: Payload[]): { payloads: JsonPayload[] } {
  return {
    payloads: payloads.map((p) => ({
      metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
      ...(p.data ? { data: Buffer.from(p.data).toString('base64') } : {}),
    })),
  };
}

export function codecRouter(options: CodecServerOptions): express.Router {
  const { codecs, tokens, maxBodyBytes, logger } = options;
  const origins = new Set(options.corsOrigins);
  const router = express.Router();

  router.use((req: Request, res: Response, next: NextFunction) => {
    const origin = req.get('origin');
    if (origin && origins.has(origin)) {
      res.setHeader('Access-Control-Allow-Origin', origin);
      res.setHeader('Access-Control-Allow-Credentials', 'true');
    }
    res.vary('Origin');
    if (req.method === 'OPTIONS') {
      // A preflight carries no credentials: answer it for allowed origins without authentication.
      if (origin && origins.has(origin)) {
        res.setHeader('Access-Control-Allow-Methods', 'POST, OPTIONS');
        res.setHeader('Access-Control-Allow-Headers', ALLOWED_HEADERS);
        res.setHeader('Access-Control-Max-Age', '600');
      }
      res.status(204).end();
      return;
    }
    next();
  });

  router.use(async (req: Request, res: Response, next: NextFunction) => {
    try {
      // The last segment names the operation; one segment before it may carry the token.
      const match = /^\/(?:([^/]+)\/)?(decode|encode)\/?$/.exec(req.path);
      if (!match) throw new HttpError(404, 'not_found', 'the codec endpoints are POST /codec/decode and POST /codec/encode');
      if (req.method !== 'POST') {
        throw new HttpError(405, 'method_not_allowed', `${req.method} is not allowed here: use POST`, undefined, {
          Allow: 'POST, OPTIONS',
        });
      }
      if (tokens.length === 0) {
        throw new HttpError(404, 'codec_disabled', 'the codec endpoints are disabled: set RELAY_CODEC_TOKEN to enable them');
      }
      const header = req.get('authorization');
      const bearer = header && /^Bearer\s+(\S+)\s*$/i.exec(header)?.[1];
      const given = bearer ?? (match[1] !== undefined ? decodeURIComponent(match[1]) : undefined);
      if (given === undefined || !tokenMatches(given, tokens)) {
        throw new UnauthorizedError(
          given === undefined ? 'the codec endpoints need a bearer token (RELAY_CODEC_TOKEN)' : 'the codec token is not valid',
          'Bearer realm="loyalty-relay codec"',
        );
      }
      const type = req.get('content-type');
      if (type !== undefined && !/^application\/json\b/i.test(type)) {
        throw new HttpError(415, 'unsupported_media_type', `content-type must be application/json, got ${type.slice(0, 80)}`);
      }
      const declared = Number(req.get('content-length'));
      if (Number.isFinite(declared) && declared > maxBodyBytes) throw new PayloadTooLargeError(maxBodyBytes);
      const raw = await readBody(req, maxBodyBytes);
      let body: unknown;
      try {
        body = JSON.parse(raw.toString('utf8'));
      } catch (e) {
        throw new HttpError(400, 'invalid_json', `body is not valid JSON: ${(e as Error).message}`);
      }
      let payloads = fromJson(body);
      const op = match[2] as 'decode' | 'encode';
      try {
        if (op === 'decode') for (const codec of [...codecs].reverse()) payloads = await codec.decode(payloads);
        else for (const codec of codecs) payloads = await codec.encode(payloads);
      } catch (e) {
        // Sealed with an unknown key or altered; or a claim-check reference whose stored payload is gone.
        if (e instanceof ApplicationFailure && (e.type === PAYLOAD_DECODE_FAILURE || e.type === FailureType.PayloadUnavailable)) {
          throw new HttpError(422, 'undecodable_payload', e.message);
        }
        throw e;
      }
      logger.debug({ op, namespace: req.get('x-namespace'), payloads: payloads.length }, 'codec request');
      res.setHeader('cache-control', 'no-store');
      res.json(toJson(payloads));
    } catch (e) {
      next(e);
    }
  });
  return router;
}

/**
 * The codec endpoints alone on a loopback port (scripts/ui-check.ts and the browser test; the
 * relay itself serves them from the receiver). `url` is the endpoint URL without a token.
 */
export async function serveCodec(options: CodecServerOptions, port = 0): Promise<{ url: string; close(): Promise<void> }> {
  const app = express();
  app.use('/codec', codecRouter(options));
  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    if (err instanceof HttpError) return sendHttpError(req, res, err);
    options.logger.error({ err }, 'codec endpoint failed');
    if (!res.headersSent) res.status(500).json({ code: 'internal_error', message: 'internal error' });
  });
  const server = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(port, '127.0.0.1', () => resolve(s));
    s.once('error', reject);
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/codec`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
