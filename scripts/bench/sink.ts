/**
 * The destination the harness delivers to: a local HTTPS server (self-signed) that counts
 * deliveries by idempotency key (`webhook-id`). Its behaviour can be changed mid-run for the
 * fault scenarios: answer 503, answer slowly, or stop listening (connections refused).
 */
import { listenLocal } from '../../test/helpers/ports';
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { createTestCertificate } from '../../test/helpers/tls';

export interface Arrival {
  key: string;
  /** The relay's event id (from the body), to join with the send time. */
  eventId: string;
  /** Request path: one per destination (`/d1`, `/d2`, …). */
  path: string;
  at: number;
  /** True when the sink answered (or will answer) 2xx: the destination took the delivery. */
  accepted: boolean;
}

export type SinkBehaviour = { status: number; delayMs?: number; retryAfterSeconds?: number };

export interface BenchSink {
  url: string;
  port: number;
  ca: string;
  arrivals: Arrival[];
  /** Change how the sink answers from now on. */
  behave(b: SinkBehaviour): void;
  /** Stop listening and drop open connections: senders see connection refused. */
  refuse(): Promise<void>;
  /** Listen again on the same port. */
  listen(): Promise<void>;
  counts(): { accepted: number; distinct: number; duplicates: number; refusedAnswers: number };
  /** Resolves once `distinct` keys have been accepted (or the timeout passes); returns the distinct count. */
  waitForDistinct(distinct: number, timeoutMs: number): Promise<number>;
  close(): Promise<void>;
}

export async function startBenchSink(port = 0): Promise<BenchSink> {
  const { key, cert } = await createTestCertificate();
  const arrivals: Arrival[] = [];
  const acceptedKeys = new Set<string>();
  let acceptedCount = 0;
  let refusedAnswers = 0;
  let behaviour: SinkBehaviour = { status: 200 };
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const b = behaviour;
      const accepted = b.status >= 200 && b.status < 300;
      let eventId = '';
      try {
        const parsed = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { eventId?: unknown };
        if (typeof parsed.eventId === 'string') eventId = parsed.eventId;
      } catch {
        /* not JSON: counted by key only */
      }
      const id = String(req.headers['webhook-id'] ?? '');
      arrivals.push({ key: id, eventId, path: req.url ?? '', at: Date.now(), accepted });
      if (accepted) {
        acceptedCount += 1;
        acceptedKeys.add(id);
      } else {
        refusedAnswers += 1;
      }
      const answer = () => {
        timers.delete(timer);
        if (res.destroyed) return;
        res.writeHead(b.status, {
          'content-type': 'application/json',
          ...(b.retryAfterSeconds !== undefined ? { 'retry-after': String(b.retryAfterSeconds) } : {}),
        });
        res.end(accepted ? '{"ok":true}' : '{"ok":false}');
      };
      const timer = setTimeout(answer, b.delayMs ?? 0);
      timers.add(timer);
    });
  };

  const server: Server = createServer({ key, cert, keepAliveTimeout: 30_000 }, handle);
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  const listen = (p: number) => listenLocal(server, p);
  const actualPort = await listen(port);

  return {
    url: `https://localhost:${actualPort}`,
    port: actualPort,
    ca: cert,
    arrivals,
    behave(b) {
      behaviour = b;
    },
    async refuse() {
      const closed = new Promise<void>((r) => server.close(() => r()));
      for (const s of sockets) s.destroy();
      await closed;
    },
    listen: async () => {
      await listen(actualPort);
    },
    counts: () => ({ accepted: acceptedCount, distinct: acceptedKeys.size, duplicates: acceptedCount - acceptedKeys.size, refusedAnswers }),
    async waitForDistinct(distinct, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      while (acceptedKeys.size < distinct && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      return acceptedKeys.size;
    },
    async close() {
      for (const t of timers) clearTimeout(t);
      const closed = new Promise<void>((r) => server.close(() => r()));
      for (const s of sockets) s.destroy();
      await closed.catch(() => undefined);
    },
  };
}
