/**
 * Outbound HTTP for deliveries, token requests and enrichment, on undici: one connection
 * pool per destination (keep-alive, at most `maxConnections` sockets) behind a limiter (at
 * most `maxConnections` requests in flight: in this process by default, across every worker
 * with the PostgreSQL one, src/http/pg-limiter.ts), redirects never followed, response
 * bodies read only up to a cap, and — for `restricted` requests — the outbound guard on the
 * resolved address (src/http/outbound-guard.ts).
 */
import { createSecureContext, rootCertificates } from 'node:tls';
import { Agent, request, type Dispatcher } from 'undici';
import { createConcurrencyLimiter, type ConcurrencyLimiter } from './limiter';
import { createOutboundGuard } from './outbound-guard';

export interface HttpRequest {
  method: 'GET' | 'POST';
  url: string;
  headers: Record<string, string>;
  body?: string;
  /** The request itself (connect, send, headers, body), counted from when it holds its connection slot. */
  timeoutMs: number;
  /**
   * Pool key and its limit: requests with the same key share sockets and at most
   * `maxConnections` are in flight. `shared`: the limit holds across processes (the client's
   * `limiter`: destinations); otherwise in this process (token endpoints, the loyalty API).
   */
  pool?: { key: string; maxConnections: number; shared?: boolean };
  /**
   * How long to wait for a connection slot (with `pool`); default `timeoutMs`. When it runs
   * out, `send` rejects with ConcurrencyWaitAborted and nothing was sent.
   */
  slotWaitMs?: number;
  /** Apply the outbound guard (destinations and their token endpoints). Operator-configured APIs are not restricted. */
  restricted?: boolean;
  /** Told how long the request waited for a `pool` slot (ms), whether it got one or the wait timed out. */
  onSlotWait?: (waitMs: number) => void;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** The body as text, truncated at the client's cap. */
  body: string;
  truncated: boolean;
}

export interface HttpClient {
  send(req: HttpRequest): Promise<HttpResponse>;
  close(): Promise<void>;
}

export interface HttpClientOptions {
  /** Extra trusted CA certificates (PEM), added to Node's bundled roots. */
  extraCa?: string;
  /** Response bytes kept; the rest is discarded. */
  maxResponseBytes?: number;
  /** CIDR ranges restricted requests may reach although they are loopback/private/link-local. */
  allowPrivateNetworks?: string[];
  /** The limiter of `shared` pools (the PostgreSQL one: a cap across processes); an in-process one otherwise. */
  limiter?: ConcurrencyLimiter;
}

export function createHttpClient(options: HttpClientOptions = {}): HttpClient {
  const maxBytes = options.maxResponseBytes ?? 64 * 1024;
  // One secure context for every connection: building one from ~140 root certificates plus the
  // extra CA costs about a millisecond of CPU, which a `ca` option pays again on each new connection.
  const ca = options.extraCa ? { secureContext: createSecureContext({ ca: [...rootCertificates, options.extraCa] }) } : {};
  const guard = createOutboundGuard(options.allowPrivateNetworks ?? []);
  const local = createConcurrencyLimiter();
  const acrossProcesses = options.limiter ?? local;
  const pools = new Map<string, Agent>();
  const shared = new Agent({ connect: ca, connections: 32 });
  const sharedRestricted = new Agent({ connect: { ...ca, lookup: guard.lookup }, connections: 32 });

  function dispatcherFor(req: HttpRequest): Dispatcher {
    if (!req.pool) return req.restricted ? sharedRestricted : shared;
    const key = `${req.pool.key}\u0000${req.pool.maxConnections}\u0000${req.restricted ? 'r' : ''}`;
    let agent = pools.get(key);
    if (!agent) {
      const connect = req.restricted ? { ...ca, lookup: guard.lookup } : ca;
      agent = new Agent({ connect, connections: req.pool.maxConnections, keepAliveTimeout: 30_000 });
      pools.set(key, agent);
    }
    return agent;
  }

  async function readCapped(body: Dispatcher.ResponseData['body']): Promise<{ text: string; truncated: boolean }> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of body) {
      const buf = chunk as Buffer;
      if (size + buf.length > maxBytes) {
        chunks.push(buf.subarray(0, maxBytes - size));
        body.destroy();
        return { text: Buffer.concat(chunks).toString('utf8'), truncated: true };
      }
      chunks.push(buf);
      size += buf.length;
    }
    return { text: Buffer.concat(chunks).toString('utf8'), truncated: false };
  }

  return {
    async send(req) {
      if (req.restricted) guard.checkLiteral(new URL(req.url).hostname);
      // The wait for a slot has its own bound; the request's timeout starts once the slot is
      // held, so time spent queueing never aborts a request the destination already received.
      let release: (() => void) | undefined;
      if (req.pool) {
        const queuedAt = performance.now();
        try {
          release = await (req.pool.shared ? acrossProcesses : local).acquire(
            req.pool.key,
            req.pool.maxConnections,
            AbortSignal.timeout(req.slotWaitMs ?? req.timeoutMs),
          );
        } finally {
          req.onSlotWait?.(performance.now() - queuedAt);
        }
      }
      const signal = AbortSignal.timeout(req.timeoutMs);
      try {
        const res = await request(req.url, {
          method: req.method,
          headers: req.headers,
          body: req.body,
          dispatcher: dispatcherFor(req),
          headersTimeout: req.timeoutMs,
          bodyTimeout: req.timeoutMs,
          signal,
        });
        const { text, truncated } = await readCapped(res.body);
        return { status: res.statusCode, headers: res.headers, body: text, truncated };
      } finally {
        release?.();
      }
    },
    async close() {
      await Promise.all([shared.close(), sharedRestricted.close(), ...[...pools.values()].map((a) => a.close())]);
    },
  };
}
