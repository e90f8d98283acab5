/**
 * A real HTTPS server standing in for a webhook destination: records every request and
 * answers as each test scripts it (status, headers, body, delay), so delivery code is
 * exercised over TLS, keep-alive and concurrency limits rather than against a mock.
 */
import { listenLocal } from './ports';
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { createTestCertificate } from './tls';

export interface RecordedRequest {
  method: string;
  /** Path and query, e.g. `/hooks/points?x=1`. */
  url: string;
  /** Lowercased names; repeated headers joined with ", ". */
  headers: Record<string, string>;
  body: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  json: unknown;
  /** Date.now() when the whole body had arrived. */
  receivedAt: number;
}

export interface SinkResponse {
  status: number;
  headers?: Record<string, string>;
  body?: string;
  /** Wait this long before answering (to test timeouts, SLA timers, concurrency). */
  delayMs?: number;
}

export interface HttpsSinkOptions {
  /** Answer for the request with this 0-based arrival index; default 200 `{"ok":true}`. */
  respond?: (req: RecordedRequest, index: number) => SinkResponse;
}

export interface HttpsSink {
  /** `https://localhost:PORT` */
  url: string;
  /** PEM certificate a client must trust to reach the sink. */
  ca: string;
  requests: RecordedRequest[];
  /** Resolves with the requests once at least `count` have arrived; rejects on timeout. */
  waitFor(count: number, timeoutMs?: number): Promise<RecordedRequest[]>;
  /** Peak number of requests in flight at once (arrived, not yet answered). */
  readonly maxConcurrent: number;
  close(): Promise<void>;
}

const DEFAULT_RESPONSE: SinkResponse = { status: 200, headers: { 'content-type': 'application/json' }, body: '{"ok":true}' };

interface Waiter {
  count: number;
  resolve: (requests: RecordedRequest[]) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

function flattenHeaders(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    out[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

export async function startHttpsSink(opts: HttpsSinkOptions = {}): Promise<HttpsSink> {
  const { key, cert } = await createTestCertificate();
  const requests: RecordedRequest[] = [];
  const waiters = new Set<Waiter>();
  const delays = new Set<NodeJS.Timeout>();
  let inFlight = 0;
  let maxConcurrent = 0;
  let closed = false;

  function settleWaiters(): void {
    for (const w of waiters) {
      if (requests.length >= w.count) {
        clearTimeout(w.timer);
        waiters.delete(w);
        w.resolve(requests.slice());
      }
    }
  }

  function answer(res: ServerResponse, response: SinkResponse): void {
    if (res.destroyed) return;
    res.writeHead(response.status, response.headers ?? {});
    res.end(response.body ?? '');
  }

  function handle(req: IncomingMessage, res: ServerResponse): void {
    inFlight += 1;
    maxConcurrent = Math.max(maxConcurrent, inFlight);
    let done = false;
    const finish = (): void => {
      if (done) return;
      done = true;
      inFlight -= 1;
    };
    res.on('finish', finish);
    res.on('close', finish);

    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const recorded: RecordedRequest = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: flattenHeaders(req),
        body,
        json: parseJson(body),
        receivedAt: Date.now(),
      };
      const index = requests.length;
      requests.push(recorded);
      settleWaiters();

      let response: SinkResponse;
      try {
        response = opts.respond ? opts.respond(recorded, index) : DEFAULT_RESPONSE;
      } catch (e) {
        response = { status: 500, body: `sink respond() threw: ${(e as Error).message}` };
      }
      if (response.delayMs && response.delayMs > 0) {
        const timer = setTimeout(() => {
          delays.delete(timer);
          answer(res, response);
        }, response.delayMs);
        delays.add(timer);
      } else {
        answer(res, response);
      }
    });
  }

  const server: Server = createServer({ key, cert }, handle);
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  const port = await listenLocal(server);

  return {
    url: `https://localhost:${port}`,
    ca: cert,
    requests,
    get maxConcurrent() {
      return maxConcurrent;
    },
    waitFor(count, timeoutMs = 5000) {
      if (requests.length >= count) return Promise.resolve(requests.slice());
      if (closed) return Promise.reject(new Error(`https sink is closed; ${requests.length} of ${count} requests arrived`));
      return new Promise<RecordedRequest[]>((resolve, reject) => {
        const waiter: Waiter = {
          count,
          resolve,
          reject,
          timer: setTimeout(() => {
            waiters.delete(waiter);
            reject(new Error(`https sink: waited ${timeoutMs} ms for ${count} request(s), ${requests.length} arrived`));
          }, timeoutMs),
        };
        waiters.add(waiter);
      });
    },
    async close() {
      if (closed) return;
      closed = true;
      for (const timer of delays) clearTimeout(timer);
      delays.clear();
      for (const w of waiters) {
        clearTimeout(w.timer);
        w.reject(new Error(`https sink closed while waiting for ${w.count} request(s), ${requests.length} arrived`));
      }
      waiters.clear();
      const closing = new Promise<void>((resolve) => server.close(() => resolve()));
      // Keep-alive and in-flight sockets would otherwise hold close() open.
      server.closeAllConnections();
      for (const socket of sockets) socket.destroy();
      await closing;
    },
  };
}
