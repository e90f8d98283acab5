/**
 * maxConnections across processes: connection slots as PostgreSQL advisory locks
 * (src/http/pg-limiter.ts), on the machine's PostgreSQL. Two limiters with their own sessions
 * stand for two worker processes; a child process holding a slot is SIGKILLed.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createHttpClient, type HttpClient } from '../../../src/http/client';
import { ConcurrencyWaitAborted, createConcurrencyLimiter, type ConcurrencyLimiter } from '../../../src/http/limiter';
import { createPgConcurrencyLimiter, type PgConcurrencyLimiter } from '../../../src/http/pg-limiter';
import { createTestDatabase } from '../../helpers/database';
import { startHttpsSink, type HttpsSink } from '../../helpers/https-sink';

describe('connection slots in PostgreSQL', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  const limiters: PgConcurrencyLimiter[] = [];
  const pgLimiter = (pollMs?: number) => {
    const l = createPgConcurrencyLimiter({ connectionString: db.url, ...(pollMs ? { pollMs } : {}), log: () => undefined });
    limiters.push(l);
    return l;
  };
  before(async () => {
    db = await createTestDatabase({ migrate: false });
  });
  after(async () => {
    for (const l of limiters) await l.close();
    await db.drop();
  });

  /** Two clients (two "workers") each sending `each` requests to one sink with maxConnections `n`; the sink's peak concurrency. */
  async function peak(limiterA: ConcurrencyLimiter, limiterB: ConcurrencyLimiter, n: number, each: number, key: string): Promise<number> {
    const sink: HttpsSink = await startHttpsSink({ respond: () => ({ status: 200, delayMs: 150 }) });
    const clients: HttpClient[] = [limiterA, limiterB].map((limiter) => createHttpClient({ extraCa: sink.ca, limiter }));
    try {
      const results = await Promise.all(
        clients.flatMap((http) =>
          Array.from({ length: each }, (_, i) =>
            http.send({
              method: 'POST',
              url: `${sink.url}/${i}`,
              headers: {},
              body: '{}',
              timeoutMs: 10_000,
              slotWaitMs: 60_000,
              pool: { key, maxConnections: n, shared: true },
            }),
          ),
        ),
      );
      assert.ok(results.every((r) => r.status === 200));
      assert.equal(sink.requests.length, 2 * each, 'every request sent once');
      return sink.maxConcurrent;
    } finally {
      for (const c of clients) await c.close();
      await sink.close();
    }
  }

  it('two workers share one cap: never more than maxConnections at the destination (per-process limiters exceed it)', async () => {
    const global = await peak(pgLimiter(), pgLimiter(), 3, 15, 'shared-dest');
    assert.ok(global <= 3, `the destination saw ${global} requests at once with maxConnections 3`);
    assert.equal(global, 3, 'the cap is used, not just respected');
    // Every slot given back: no advisory lock left behind (releases are sent after the answer, so wait for them).
    let left = -1;
    for (let i = 0; i < 50 && left !== 0; i++) {
      if (i > 0) await new Promise((r) => setTimeout(r, 100));
      const { rows } = await db.pool.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM pg_locks l JOIN pg_database d ON d.oid = l.database
          WHERE l.locktype = 'advisory' AND d.datname = current_database()`,
      );
      left = rows[0]?.n ?? -1;
    }
    assert.equal(left, 0, 'advisory locks left after every request ended');
    // The same load with a limiter per process: what the cap was before (the test can fail).
    const perProcess = await peak(createConcurrencyLimiter(), createConcurrencyLimiter(), 3, 15, 'shared-dest');
    assert.ok(perProcess > 3, `per-process limiters saw ${perProcess}`);
  });

  it('a slot given back by one worker wakes a waiter in the other at once (NOTIFY), not at its next poll', async () => {
    const a = pgLimiter(600_000);
    const b = pgLimiter(600_000);
    const release = await a.acquire('notify-dest', 1);
    const waiting = b.acquire('notify-dest', 1, AbortSignal.timeout(30_000));
    await new Promise((r) => setTimeout(r, 200)); // b has tried and is waiting
    release();
    const releaseB = await waiting; // rejects after 30 s if only a poll (10 min) could wake it
    assert.equal(b.active('notify-dest'), 1);
    releaseB();
  });

  it('a SIGKILLed worker holding a slot: the slot is free as soon as its connection is gone', async () => {
    const holder = spawn(process.execPath, ['--import', 'tsx', join(__dirname, '..', '..', 'helpers', 'slot-holder.ts')], {
      env: { ...process.env, DATABASE_URL: db.url, SLOT_KEY: 'killed-dest', SLOT_LIMIT: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    const exited = new Promise((resolve) => holder.once('exit', resolve));
    try {
      await new Promise<void>((resolve, reject) => {
        holder.stdout.on('data', (c: Buffer) => {
          out += c.toString();
          if (out.includes('held')) resolve();
        });
        holder.stderr.on('data', (c: Buffer) => (out += c.toString()));
        holder.once('exit', (code) => reject(new Error(`slot holder exited (${code}) before holding: ${out}`)));
      });
      const mine = pgLimiter(200);
      await assert.rejects(
        mine.acquire('killed-dest', 1, AbortSignal.timeout(500)),
        ConcurrencyWaitAborted,
        'the other process holds the only slot',
      );
      holder.kill('SIGKILL');
      await exited;
      const release = await mine.acquire('killed-dest', 1, AbortSignal.timeout(30_000));
      release();
    } finally {
      holder.kill('SIGKILL');
    }
  });

  it('a lock session cut while a request is in flight: the worker reconnects and takes its slot back', async () => {
    const a = pgLimiter(100);
    const b = pgLimiter(100);
    const releaseA = await a.acquire('cut-dest', 1);
    const { rows } = await db.pool.query<{ pid: number }>(
      `SELECT l.pid FROM pg_locks l JOIN pg_database d ON d.oid = l.database
        WHERE l.locktype = 'advisory' AND d.datname = current_database()`,
    );
    assert.equal(rows.length, 1);
    await db.pool.query('SELECT pg_terminate_backend($1)', [rows[0]?.pid]);
    // Wait until a new session of `a` holds the lock again.
    let holder: number | undefined;
    for (let i = 0; i < 100 && (holder === undefined || holder === rows[0]?.pid); i++) {
      await new Promise((r) => setTimeout(r, 100));
      const now = await db.pool.query<{ pid: number }>(
        `SELECT l.pid FROM pg_locks l JOIN pg_database d ON d.oid = l.database
          WHERE l.locktype = 'advisory' AND l.granted AND d.datname = current_database()`,
      );
      holder = now.rows[0]?.pid;
    }
    assert.ok(holder !== undefined && holder !== rows[0]?.pid, 'the slot is held again, by the new session');
    await assert.rejects(b.acquire('cut-dest', 1, AbortSignal.timeout(500)), ConcurrencyWaitAborted);
    releaseA();
    const releaseB = await b.acquire('cut-dest', 1, AbortSignal.timeout(30_000));
    releaseB();
  });

  it('no database, no slot: the acquisition fails (the attempt then fails as retryable, nothing sent)', async () => {
    const l = createPgConcurrencyLimiter({ connectionString: 'postgres://postgres@127.0.0.1:1/none', log: () => undefined });
    limiters.push(l);
    await assert.rejects(l.acquire('nodb-dest', 2, AbortSignal.timeout(30_000)), /connection slot for nodb-dest unavailable/);
    assert.equal(l.active('nodb-dest'), 0);
  });

  it('a lowered limit applies to the next acquisitions', async () => {
    const l = pgLimiter(100);
    const r1 = await l.acquire('shrink-dest', 3);
    const r2 = await l.acquire('shrink-dest', 3);
    await assert.rejects(l.acquire('shrink-dest', 2, AbortSignal.timeout(300)), ConcurrencyWaitAborted);
    r1();
    const r3 = await l.acquire('shrink-dest', 2, AbortSignal.timeout(30_000));
    r2();
    r3();
  });
});
