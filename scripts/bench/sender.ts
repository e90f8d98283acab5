/**
 * Posts one event to the receiver the way a real sender does: 2xx is acknowledged (202
 * accepted or 200 duplicate); 503, 429 and connection errors are retried after Retry-After
 * (or a short backoff), bounded in attempts and time; any other answer is a refusal.
 * Given several receivers it is the round-robin in front of them: each attempt goes to the
 * next one, so a retry after a refused connection lands on another receiver.
 */
import { Agent, request } from 'undici';

export interface SendResult {
  acknowledged: boolean;
  status?: number;
  attempts: number;
  /** Answers 503 seen before the final one (the receiver saying "Temporal is down"). */
  unavailable: number;
  /** Date.now() of the final answer. */
  answeredAt: number;
}

export interface SenderOptions {
  maxAttempts?: number;
  /** Give up after this long, even with attempts left. */
  maxTotalMs?: number;
  /** Cap on an honoured Retry-After, so a bench run stays bounded. */
  maxRetryAfterMs?: number;
}

export function createSender(baseUrls: string | string[], options: SenderOptions = {}) {
  const urls = typeof baseUrls === 'string' ? [baseUrls] : baseUrls;
  if (urls.length === 0) throw new Error('createSender: no receiver URL');
  let next = 0;
  const dispatcher = new Agent({ connections: 256, keepAliveTimeout: 10_000 });
  const maxAttempts = options.maxAttempts ?? 40;
  const maxTotalMs = options.maxTotalMs ?? 180_000;
  const maxRetryAfterMs = options.maxRetryAfterMs ?? 5_000;

  async function post(path: string, body: string, headers: Record<string, string>): Promise<SendResult> {
    const started = Date.now();
    let unavailable = 0;
    for (let attempt = 1; ; attempt++) {
      let status: number | undefined;
      let retryAfterMs: number | undefined;
      try {
        const baseUrl = urls[next++ % urls.length] as string;
        const res = await request(`${baseUrl}${path}`, {
          method: 'POST',
          body,
          headers: { 'content-type': 'application/json', ...headers },
          dispatcher,
          headersTimeout: 30_000,
          bodyTimeout: 30_000,
        });
        await res.body.dump();
        status = res.statusCode;
        if (status >= 200 && status < 300) return { acknowledged: true, status, attempts: attempt, unavailable, answeredAt: Date.now() };
        const header = res.headers['retry-after'];
        const seconds = Number(Array.isArray(header) ? header[0] : header);
        if (Number.isFinite(seconds)) retryAfterMs = seconds * 1000;
        if (status === 503) unavailable += 1;
        if (status !== 503 && status !== 429)
          return { acknowledged: false, status, attempts: attempt, unavailable, answeredAt: Date.now() };
      } catch {
        // Connection refused or reset: the receiver may or may not have the event; resending is safe (dedupe by id).
      }
      const waitMs = Math.min(maxRetryAfterMs, retryAfterMs ?? Math.min(2000, 100 * 2 ** attempt));
      if (attempt >= maxAttempts || Date.now() + waitMs - started > maxTotalMs) {
        return { acknowledged: false, ...(status !== undefined ? { status } : {}), attempts: attempt, unavailable, answeredAt: Date.now() };
      }
      await new Promise((r) => setTimeout(r, waitMs));
    }
  }

  return { post, close: () => dispatcher.close() };
}

export type Sender = ReturnType<typeof createSender>;
