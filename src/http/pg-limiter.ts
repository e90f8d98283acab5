/**
 * `maxConnections` across every worker process: a request holds one of the destination's N
 * slots, and a slot is a PostgreSQL session-level advisory lock `(destination hash, slot
 * index)` in the configuration database. Each process keeps one dedicated connection that
 * holds the locks of all its requests in flight; a free slot is taken with
 * `pg_try_advisory_lock`, given back with `pg_advisory_unlock` + NOTIFY, and waiters retry
 * when notified (and every `pollMs`, for slots freed by a process that died).
 *
 * Why advisory locks and not a table of leases: they live in the server's memory (no rows
 * written per request), and they belong to the session, so a SIGKILLed worker's slots are free
 * the moment its connection closes — no lease to expire, no heartbeat. (A host that vanishes
 * without closing its TCP connection frees them when the server's TCP keepalive gives up on
 * it; the connection turns keepalive on.) Requires a session-mode connection: not through a
 * transaction-pooling proxy.
 *
 * With the embedded engine there is one process, and the in-process limiter (./limiter.ts) is
 * exact; this one is for PostgreSQL.
 */
import { createHash } from 'node:crypto';
import pg from 'pg';
import { ConcurrencyWaitAborted, type ConcurrencyLimiter } from './limiter';

const CHANNEL = 'loyalty_relay_slots';

/** The lock's first key for a pool key: 32 bits of its SHA-256 (two names sharing one only share slots: fewer, never more). */
export function slotLockKey(key: string): number {
  return createHash('sha256').update(`loyalty-relay/slots\u0000${key}`).digest().readInt32BE(0);
}

/**
 * The first slot index in 0..limit-1 not held by this session that this session could lock.
 * Rows are produced in order and the filter (which takes the lock) runs row by row under the
 * LIMIT, so no lock is taken beyond the one returned.
 */
const TRY_SQL = `SELECT s FROM generate_series(0, $2::int - 1) AS s
  WHERE NOT (s = ANY ($3::int[])) AND pg_try_advisory_lock($1::int, s) LIMIT 1`;
const RELEASE_SQL = `SELECT pg_advisory_unlock($1::int, $2::int), pg_notify('${CHANNEL}', $1::text)`;

export interface PgLimiterOptions {
  /** The configuration database (DATABASE_URL). */
  connectionString: string;
  /** Backstop for slots freed without a notification (a dead process). */
  pollMs?: number;
  log?: (message: string) => void;
}

interface Waiter {
  grant(release: () => void): void;
  fail(e: Error): void;
}

interface Gate {
  key: string;
  lockKey: number;
  limit: number;
  /** Slots this process holds (its requests in flight). */
  held: Set<number>;
  queue: Waiter[];
  pumping: boolean;
  wake?: () => void;
}

export interface PgConcurrencyLimiter extends ConcurrencyLimiter {
  close(): Promise<void>;
}

export function createPgConcurrencyLimiter(options: PgLimiterOptions): PgConcurrencyLimiter {
  const pollMs = options.pollMs ?? 1000;
  const log = options.log ?? ((m: string) => process.stderr.write(`[slots] ${m}\n`));
  const gates = new Map<string, Gate>();
  const byLockKey = new Map<number, Gate>();
  let connecting: Promise<pg.Client> | undefined;
  let closed = false;
  /** The session's queries, one at a time and in order (pg 9 drops its own queueing). */
  let tail: Promise<unknown> = Promise.resolve();

  function query<R extends pg.QueryResultRow>(sql: string, params: unknown[]): Promise<pg.QueryResult<R>> {
    const next = tail.then(async () => (await session()).query<R>(sql, params));
    tail = next.catch(() => undefined);
    return next;
  }

  function gateFor(key: string, limit: number): Gate {
    let gate = gates.get(key);
    if (!gate) {
      gate = { key, lockKey: slotLockKey(key), limit, held: new Set(), queue: [], pumping: false };
      gates.set(key, gate);
      byLockKey.set(gate.lockKey, gate);
    }
    gate.limit = limit; // a configuration change applies to the next acquisitions
    return gate;
  }

  function wake(gate: Gate): void {
    const w = gate.wake;
    delete gate.wake;
    w?.();
  }

  /** The lock session, connected (again, after a loss: it then takes back the slots still in use here). */
  function session(): Promise<pg.Client> {
    if (closed) return Promise.reject(new Error('connection-slot limiter is closed'));
    connecting ??= (async () => {
      const client = new pg.Client({
        connectionString: options.connectionString,
        application_name: 'loyalty-relay-slots',
        keepAlive: true,
        connectionTimeoutMillis: 10_000,
      });
      const lost = (why: string) => {
        if (connecting !== attempt) return; // already handled ('error' then 'end')
        connecting = undefined;
        if (closed) return;
        log(`lock session lost (${why}); reconnecting to take back the slots in use here`);
        // At once while requests are in flight: until then their slots look free to others.
        if ([...gates.values()].some((g) => g.held.size > 0))
          session().catch((e: unknown) => log(`reconnect failed: ${(e as Error).message}`));
      };
      client.on('error', (e) => lost(e.message));
      client.on('end', () => lost('closed'));
      client.on('notification', (n) => {
        const gate = byLockKey.get(Number(n.payload));
        if (gate) wake(gate);
      });
      await client.connect();
      await client.query(`LISTEN ${CHANNEL}`);
      // Requests still in flight from before a loss keep their slots if no one took them meanwhile.
      for (const gate of gates.values()) {
        for (const slot of gate.held) {
          const { rows } = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1::int, $2::int) AS ok', [gate.lockKey, slot]);
          if (!rows[0]?.ok) log(`slot ${slot} of ${gate.key} was taken by another process while the session was lost`);
        }
      }
      return client;
    })();
    const attempt = connecting;
    attempt.catch(() => {
      if (connecting === attempt) connecting = undefined;
    });
    return attempt;
  }

  function releaser(gate: Gate, slot: number): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      // Queries on the session run in order, so the unlock precedes any later try for this slot.
      gate.held.delete(slot);
      query(RELEASE_SQL, [gate.lockKey, slot])
        .catch(() => undefined) // a lost session released every lock already
        .finally(() => wake(gate));
    };
  }

  async function pump(gate: Gate): Promise<void> {
    if (gate.pumping) return;
    gate.pumping = true;
    try {
      while (gate.queue.length > 0) {
        let slot: number | undefined;
        if (gate.held.size < gate.limit) {
          try {
            const { rows } = await query<{ s: number }>(TRY_SQL, [gate.lockKey, gate.limit, [...gate.held]]);
            slot = rows[0]?.s;
          } catch (e) {
            const err = new Error(`connection slot for ${gate.key} unavailable: ${(e as Error).message}`, { cause: e });
            for (const w of gate.queue.splice(0)) w.fail(err);
            return;
          }
        }
        if (slot !== undefined) {
          gate.held.add(slot);
          const waiter = gate.queue.shift();
          const release = releaser(gate, slot);
          if (waiter) waiter.grant(release);
          else release(); // the waiter gave up while the slot was being taken
          continue;
        }
        await new Promise<void>((resolve) => {
          const timer = setTimeout(() => wake(gate), pollMs);
          gate.wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
    } finally {
      gate.pumping = false;
    }
  }

  return {
    acquire(key, limit, signal) {
      const gate = gateFor(key, limit);
      return new Promise((resolve, reject) => {
        const waiter: Waiter = {
          grant: (release) => {
            signal?.removeEventListener('abort', onAbort);
            resolve(release);
          },
          fail: (e) => {
            signal?.removeEventListener('abort', onAbort);
            reject(e);
          },
        };
        const onAbort = (): void => {
          const i = gate.queue.indexOf(waiter);
          if (i !== -1) gate.queue.splice(i, 1);
          reject(new ConcurrencyWaitAborted(key, limit));
        };
        if (signal?.aborted) return onAbort();
        signal?.addEventListener('abort', onAbort, { once: true });
        gate.queue.push(waiter);
        void pump(gate);
      });
    },
    active(key) {
      return gates.get(key)?.held.size ?? 0;
    },
    async close() {
      closed = true;
      for (const gate of gates.values()) {
        for (const w of gate.queue.splice(0)) w.fail(new Error('connection-slot limiter is closed'));
        wake(gate);
      }
      const pending = connecting;
      connecting = undefined;
      const client = await pending?.catch(() => undefined);
      await client?.end().catch(() => undefined);
    },
  };
}
