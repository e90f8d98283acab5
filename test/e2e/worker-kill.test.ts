/**
 * A worker killed during a local-activity delivery: the event is still delivered, at least
 * once, with the same `webhook-id`. Real parts: a Temporal dev server, the PostgreSQL config
 * store, an HTTPS sink, and `src/entry/worker-main.ts` as child processes. The sink holds the first
 * request (the first attempt, a local activity inside the run's first workflow task) while the
 * test SIGKILLs that worker; the workflow task is never completed and times out, and a second
 * worker replays the run from its history and runs the local activity again.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { temporal } from '@temporalio/proto';
import { workflowIdFor } from '../../src/model/canonical-event';
import type { relayEvent } from '../../workflows';
import { pgStoreFor } from '../helpers/config-store';
import { startHttpsSink, type HttpsSink } from '../helpers/https-sink';
import { spawnRelay, workerEnv, type RelayProcess } from '../helpers/process';
import { TEST_MASTER_KEY, uniqueTaskQueue } from '../helpers/temporal';
import { samplePointsIssued, useTestTemporal } from '../helpers/workflow-suite';

const t = useTestTemporal();

/** Reject after `ms` with `what` (and the workers' output) unless `promise` settles first. */
async function within<T>(promise: Promise<T>, ms: number, what: () => string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what()}`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

/** `WORKFLOW_TASK_TIMED_OUT` and so on, from the event's attributes (no runtime proto import). */
function eventTypeName(e: HistoryEvent): string {
  const key = Object.keys(e).find((k) => k.endsWith('EventAttributes') && e[k as keyof HistoryEvent] != null) ?? 'unknown';
  return key
    .slice(0, -'EventAttributes'.length)
    .replace(/[A-Z]/g, (c) => `_${c}`)
    .toUpperCase();
}

/** The activity type a local-activity marker records. */
function markerActivityType(e: HistoryEvent): string | undefined {
  const data = e.markerRecordedEventAttributes?.details?.data?.payloads?.[0]?.data;
  if (!data) return undefined;
  return (JSON.parse(Buffer.from(data).toString('utf8')) as { activity_type?: string }).activity_type;
}

test(
  'a worker killed during the local-activity first attempt: delivered by the next worker, same webhook-id',
  { timeout: 120_000 },
  async (ctx) => {
    const dir = mkdtempSync(join(tmpdir(), 'relay-worker-kill-'));
    const workers: RelayProcess[] = [];
    let sink: HttpsSink | undefined;
    let drop: (() => Promise<void>) | undefined;
    const output = () => workers.map((w, i) => `--- worker ${i + 1}:\n${w.output()}`).join('\n');
    try {
      // The first request is held (longer than the test runs); close() ends it. Later ones: 200 at once.
      sink = await startHttpsSink({ respond: (_req, i) => (i === 0 ? { status: 200, delayMs: 300_000 } : { status: 200 }) });
      writeFileSync(join(dir, 'ca.pem'), sink.ca);
      // The test client's key: the workers read the run's sealed input and the client its sealed result.
      const masterKey = TEST_MASTER_KEY;
      const store = await pgStoreFor(
        {
          sources: [{ id: 'capillary', kind: 'capillary', auth: { key: 'k' } }],
          destinations: [
            {
              name: 'sink',
              kind: 'webhook',
              events: ['pointsIssued'],
              url: `${sink.url}/hooks/{{ event.name }}`,
              body: { customer: '{{ event.customer.id }}' },
              timeoutSeconds: 30,
            },
          ],
        },
        {},
        masterKey,
      );
      drop = store.drop;

      const { server } = t;
      const taskQueue = uniqueTaskQueue('worker-kill');
      const env = workerEnv({ server, taskQueue, databaseUrl: store.url, masterKey, dir });
      workers.push(spawnRelay('src/entry/worker-main.ts', env));

      const event = samplePointsIssued();
      // A short workflow task timeout keeps the wait for the abandoned task short; the point is the same.
      const handle = await server.env.client.workflow.start<typeof relayEvent>('relayEvent', {
        taskQueue,
        workflowId: workflowIdFor(event.source, event.id),
        args: [{ event }],
        workflowTaskTimeout: '3s',
      });

      // The first attempt is in flight (the sink holds it): kill its worker, start another.
      await within(sink.waitFor(1, 60_000), 60_000, output);
      await workers[0]?.stop('SIGKILL');
      assert.equal(workers[0]?.proc.signalCode, 'SIGKILL');
      workers.push(spawnRelay('src/entry/worker-main.ts', env));

      const result = await within(handle.result(), 45_000, output);
      assert.equal(result.status, 'delivered', JSON.stringify(result));

      // At least once, every copy the same request with the same webhook-id.
      assert.ok(sink.requests.length >= 2, `expected the request twice, got ${sink.requests.length}`);
      const [first] = sink.requests;
      assert.ok(first?.headers['webhook-id']);
      for (const r of sink.requests) {
        assert.equal(r.headers['webhook-id'], first.headers['webhook-id']);
        assert.equal(r.url, '/hooks/pointsIssued');
        assert.equal(r.body, first.body);
      }

      // The first attempt was a local activity, and the killed worker's workflow task timed out.
      const events = (await handle.fetchHistory()).events ?? [];
      const types = events.map(eventTypeName);
      const seen = types.join(' ');
      const deliverMarkers = events.filter((e) => e.markerRecordedEventAttributes && markerActivityType(e) === 'deliver');
      assert.equal(deliverMarkers.length, 1, seen);
      assert.ok(!types.includes('ACTIVITY_TASK_SCHEDULED'), seen);
      assert.ok(types.includes('WORKFLOW_TASK_TIMED_OUT'), seen);
      ctx.diagnostic(`${sink.requests.length} requests; history: ${seen}`);
    } finally {
      for (const w of workers) await w.stop('SIGKILL');
      await sink?.close();
      await drop?.();
      rmSync(dir, { recursive: true, force: true });
    }
  },
);
