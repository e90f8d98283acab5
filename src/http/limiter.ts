/**
 * Per-destination concurrency limits: at most N requests in flight to a destination from
 * this process, however many activities run at once. Waiters queue in arrival order. Exact
 * where one process sends (the embedded engine); across worker processes the PostgreSQL
 * limiter (./pg-limiter.ts) holds the cap.
 */

export class ConcurrencyWaitAborted extends Error {
  constructor(key: string, limit: number) {
    super(`no connection slot to ${key} came free in time (maxConnections ${limit}); the request was not sent`);
    this.name = 'ConcurrencyWaitAborted';
  }
}

interface Gate {
  limit: number;
  active: number;
  queue: (() => void)[];
}

export interface ConcurrencyLimiter {
  /** Resolves with a release function once a slot is free; rejects when `signal` aborts first. */
  acquire(key: string, limit: number, signal?: AbortSignal): Promise<() => void>;
  /** Requests in flight for `key` (for tests and metrics). */
  active(key: string): number;
}

export function createConcurrencyLimiter(): ConcurrencyLimiter {
  const gates = new Map<string, Gate>();

  function gateFor(key: string, limit: number): Gate {
    let gate = gates.get(key);
    if (!gate) {
      gate = { limit, active: 0, queue: [] };
      gates.set(key, gate);
    }
    gate.limit = limit; // a configuration change applies to the next acquisitions
    return gate;
  }

  function releaser(gate: Gate): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      gate.active -= 1;
      while (gate.active < gate.limit && gate.queue.length > 0) gate.queue.shift()?.();
    };
  }

  return {
    acquire(key, limit, signal) {
      const gate = gateFor(key, limit);
      if (gate.active < gate.limit && gate.queue.length === 0) {
        gate.active += 1;
        return Promise.resolve(releaser(gate));
      }
      return new Promise((resolve, reject) => {
        const grant = (): void => {
          signal?.removeEventListener('abort', onAbort);
          gate.active += 1;
          resolve(releaser(gate));
        };
        const onAbort = (): void => {
          const i = gate.queue.indexOf(grant);
          if (i !== -1) gate.queue.splice(i, 1);
          reject(new ConcurrencyWaitAborted(key, limit));
        };
        if (signal?.aborted) return onAbort();
        signal?.addEventListener('abort', onAbort, { once: true });
        gate.queue.push(grant);
      });
    },
    active(key) {
      return gates.get(key)?.active ?? 0;
    },
  };
}
