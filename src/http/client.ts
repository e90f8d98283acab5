/**
 * Outbound HTTP for deliveries and enrichment, on undici: one connection pool per
 * destination (keep-alive, at most `maxConnections` sockets), redirects never followed,
 * response bodies read only up to a cap.
 */
import { rootCertificates } from 'node:tls';
import { Agent, request, type Dispatcher } from 'undici';

export interface HttpRequest {
  method: 'GET' | 'POST';
  url: string;
  headers: Record<string, string>;
  body?: string;
  timeoutMs: number;
  /** Pool key and its socket limit; requests with the same key share connections. */
  pool?: { key: string; maxConnections: number };
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
}

export function createHttpClient(options: HttpClientOptions = {}): HttpClient {
  const maxBytes = options.maxResponseBytes ?? 64 * 1024;
  const connect = options.extraCa ? { ca: [...rootCertificates, options.extraCa] } : undefined;
  const pools = new Map<string, Agent>();
  const shared = new Agent({ connect, connections: 32 });

  function dispatcherFor(pool: HttpRequest['pool']): Dispatcher {
    if (!pool) return shared;
    const key = `${pool.key}\u0000${pool.maxConnections}`;
    let agent = pools.get(key);
    if (!agent) {
      agent = new Agent({ connect, connections: pool.maxConnections, keepAliveTimeout: 30_000 });
      pools.set(key, agent);
    }
    return agent;
  }

  return {
    async send(req) {
      const res = await request(req.url, {
        method: req.method,
        headers: req.headers,
        body: req.body,
        dispatcher: dispatcherFor(req.pool),
        headersTimeout: req.timeoutMs,
        bodyTimeout: req.timeoutMs,
        signal: AbortSignal.timeout(req.timeoutMs),
      });
      const chunks: Buffer[] = [];
      let size = 0;
      let truncated = false;
      for await (const chunk of res.body) {
        const buf = chunk as Buffer;
        if (size + buf.length > maxBytes) {
          chunks.push(buf.subarray(0, maxBytes - size));
          truncated = true;
          res.body.destroy();
          break;
        }
        chunks.push(buf);
        size += buf.length;
      }
      return { status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks).toString('utf8'), truncated };
    },
    async close() {
      await Promise.all([shared.close(), ...[...pools.values()].map((a) => a.close())]);
    },
  };
}
