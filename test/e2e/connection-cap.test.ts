/**
 * `maxConnections` across two worker processes: `src/entry/worker-main.ts` twice, on one task queue
 * and one PostgreSQL store, delivering to an HTTPS sink that answers after 3 s. With
 * maxConnections 2 the sink never sees more than 2 requests at once, and no request is sent
 * twice: time spent waiting for a slot is not counted against a request's timeout, so nothing
 * already sent is timed out and retried (before, with a per-process cap and the wait inside
 * the 5 s timeout, this load saw 4 at once and duplicates).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { workflowIdFor } from '../../src/model/canonical-event';
import type { relayEvent } from '../../workflows';
import { pgStoreFor } from '../helpers/config-store';
import { startHttpsSink, type HttpsSink } from '../helpers/https-sink';
import { spawnRelay, workerEnv, type RelayProcess } from '../helpers/process';
import { TEST_MASTER_KEY, uniqueTaskQueue } from '../helpers/temporal';
import { samplePointsIssued, useTestTemporal } from '../helpers/workflow-suite';

const t = useTestTemporal();
const EVENTS = 10;

/** Resolve once `p` printed `text`; reject when it exits first or `ms` pass. */
async function printed(p: RelayProcess, text: string, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!p.output().includes(text)) {
    if (p.proc.exitCode !== null) throw new Error(`worker exited with ${p.proc.exitCode}:\n${p.output()}`);
    if (Date.now() > deadline) throw new Error(`worker did not print "${text}" within ${ms} ms:\n${p.output()}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

test(
  'two worker processes, maxConnections 2, 3 s latency: at most 2 requests in flight at the destination, none sent twice',
  { timeout: 240_000 },
  async (ctx) => {
    const dir = mkdtempSync(join(tmpdir(), 'relay-cap-'));
    const workers: RelayProcess[] = [];
    let sink: HttpsSink | undefined;
    let drop: (() => Promise<void>) | undefined;
    const output = () => workers.map((w, i) => `--- worker ${i + 1}:\n${w.output()}`).join('\n');
    try {
      sink = await startHttpsSink({ respond: () => ({ status: 200, delayMs: 3000 }) });
      writeFileSync(join(dir, 'ca.pem'), sink.ca);
      // The test client's key: the workers read the runs' sealed inputs and the client their sealed results.
      const masterKey = TEST_MASTER_KEY;
      const store = await pgStoreFor(
        {
          sources: [{ id: 'capillary', kind: 'capillary', auth: { key: 'k' } }],
          destinations: [
            {
              name: 'slow',
              kind: 'webhook',
              events: ['pointsIssued'],
              url: `${sink.url}/hooks`,
              body: { id: '{{ event.id }}' },
              maxConnections: 2,
              timeoutSeconds: 5,
            },
          ],
        },
        {},
        masterKey,
      );
      drop = store.drop;

      const { server } = t;
      const taskQueue = uniqueTaskQueue('cap');
      // info: the test waits for the worker's "worker running" line.
      const env = workerEnv({ server, taskQueue, databaseUrl: store.url, masterKey, dir }, { LOG_LEVEL: 'info' });
      // One after the other: the second reuses the workflow bundle the first cached.
      for (let i = 0; i < 2; i++) {
        const w = spawnRelay('src/entry/worker-main.ts', env);
        workers.push(w);
        await printed(w, 'worker running', 120_000);
      }

      const events = Array.from({ length: EVENTS }, () => samplePointsIssued());
      const handles = await Promise.all(
        events.map((event) =>
          server.env.client.workflow.start<typeof relayEvent>('relayEvent', {
            taskQueue,
            workflowId: workflowIdFor(event.source, event.id),
            args: [{ event }],
          }),
        ),
      );
      const results = await Promise.all(handles.map((h) => h.result()));
      for (const r of results) assert.equal(r.status, 'delivered', `${JSON.stringify(r)}\n${output()}`);

      assert.ok(sink.maxConcurrent <= 2, `the destination saw ${sink.maxConcurrent} requests at once with maxConnections 2`);
      const ids = sink.requests.map((r) => (r.json as { id: string }).id);
      assert.equal(ids.length, EVENTS, `${ids.length} requests for ${EVENTS} events: ${ids.join(', ')}`);
      assert.equal(new Set(ids).size, EVENTS, 'every event delivered once, none twice');
      assert.ok(
        results.every((r) => r.destinations[0]?.attempts === 1),
        'every delivery succeeded at its first attempt',
      );
      // Both workers took slots: each has its lock session open on the store's database.
      const { rows } = await store.pool.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'loyalty-relay-slots'`,
      );
      assert.equal(rows[0]?.n, 2, `lock sessions open: ${rows[0]?.n}\n${output()}`);
      ctx.diagnostic(`${EVENTS} events, peak ${sink.maxConcurrent} in flight, ${sink.requests.length} requests`);
    } finally {
      for (const w of workers) await w.stop('SIGTERM', 15_000);
      await sink?.close();
      await drop?.();
      rmSync(dir, { recursive: true, force: true });
    }
  },
);
