/**
 * Outbound HTTP for deliveries, token requests and enrichment, on undici: one connection
 * pool per destination (keep-alive, at most `maxConnections` sockets) behind an in-process
 * limiter (at most `maxConnections` requests in flight), redirects never followed, response
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
  timeoutMs: number;
  /** Pool key and its limit: requests with the same key share sockets and at most `maxConnections` are in flight. */
  pool?: { key: string; maxConnections: number };
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
  /** Shared limiter (tests inspect it); one per client otherwise. */
  limiter?: ConcurrencyLimiter;
}

export function createHttpClient(options: HttpClientOptions = {}): HttpClient {
  const maxBytes = options.maxResponseBytes ?? 64 * 1024;
  // One secure context for every connection: building one from ~140 root certificates plus the
  // extra CA costs about a millisecond of CPU, which a `ca` option pays again on each new connection.
  const ca = options.extraCa ? { secureContext: createSecureContext({ ca: [...rootCertificates, options.extraCa] }) } : {};
  const guard = createOutboundGuard(options.allowPrivateNetworks ?? []);
  const limiter = options.limiter ?? createConcurrencyLimiter();
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
      const signal = AbortSignal.timeout(req.timeoutMs);
      let release: (() => void) | undefined;
      if (req.pool) {
        const queuedAt = performance.now();
        try {
          release = await limiter.acquire(req.pool.key, req.pool.maxConnections, signal);
        } finally {
          req.onSlotWait?.(performance.now() - queuedAt);
        }
      }
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
