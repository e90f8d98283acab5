/**
 * `npx tsx scripts/redelivery-bench.ts [--runs 1000]`: what a bulk redelivery costs. Parks N
 * runs (a local HTTPS destination answering 400), fixes the destination, then redelivers them
 * all with one POST /v1/redeliveries, and prints the seconds it took (until the operation ended,
 * and until every run had delivered) and the Temporal billable actions it cost (the bulk
 * workflow's history, plus what each parked run's history gained), counted by
 * src/temporal/billable-actions.ts. A dev server, a worker, the management API and the sink all
 * run in this process; the store is a throwaway database on the local PostgreSQL.
 */
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import type { Client } from '@temporalio/client';
import { bundleWorkflowCode, DefaultLogger, Runtime } from '@temporalio/worker';
import { workflowIdFor } from '../src/model/canonical-event';
import { createHttpClient } from '../src/http/client';
import { createLogger } from '../src/telemetry/logger';
import { createTemporalStarter } from '../src/receiver/starter';
import { countBillableActions, type ActionCount } from '../src/temporal/billable-actions';
import { resolveTemporalCli } from '../src/temporal/cli';
import { startDevServer } from '../src/temporal/dev-server';
import { parkedRunsQuery } from '../src/temporal/redelivery';
import { createRelayWorker, workflowsPath } from '../src/wiring/worker';
import { FAILURE_CONVERTER_PATH, relayDataConverter } from '../src/payloads/data-converter';
import type { RedeliveryProgress } from '../workflows/bulk-redeliver';
import { pgStoreFor } from '../test/helpers/config-store';
import { startHttpsSink } from '../test/helpers/https-sink';
import { fakeStarter, startReceiver } from '../test/helpers/receiver';
import { samplePointsIssued } from '../test/helpers/workflow-suite';

const TOKEN = 'redelivery-bench-admin-token-0123';

async function actionsOf(client: Client, workflowId: string): Promise<ActionCount> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  return countBillableActions(history.events ?? []);
}

function add(into: ActionCount, a: ActionCount, sign = 1): void {
  for (const key of Object.keys(into) as (keyof ActionCount)[]) into[key] += sign * a[key];
}

const zero = (): ActionCount => ({
  total: 0,
  starts: 0,
  activityAttempts: 0,
  timers: 0,
  upserts: 0,
  markerTasks: 0,
  signals: 0,
  updates: 0,
});

async function poll<T>(probe: () => Promise<T | undefined>, everyMs = 200): Promise<T> {
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { runs: { type: 'string', default: '1000' } } });
  const runs = Number(values.runs);
  if (!Number.isInteger(runs) || runs < 1) throw new Error('--runs takes a positive integer');
  Runtime.install({ logger: new DefaultLogger('ERROR'), shutdownSignals: [] });
  const log = (m: string) => process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${m}\n`);

  let crm = 400;
  const sink = await startHttpsSink({ respond: () => ({ status: crm }) });
  const { store, admin, drop } = await pgStoreFor({
    destinations: [{ name: 'crm', kind: 'webhook', events: ['pointsIssued'], url: `${sink.url}/crm` }],
  });
  const http = createHttpClient({ extraCa: sink.ca, allowPrivateNetworks: ['127.0.0.0/8', '::1'] });
  // Payloads sealed as the relay seals them (the codec's cost is part of the figures).
  const dataConverter = relayDataConverter({ keys: { current: randomBytes(32) } });
  const server = await startDevServer({ cli: resolveTemporalCli(process.env, () => undefined, { build: false }), dataConverter });
  const client = server.env.client;
  const taskQueue = 'redelivery-bench';
  const worker = await createRelayWorker({
    connection: server.env.nativeConnection,
    namespace: server.namespace,
    taskQueue,
    deps: { store, http },
    workflowBundle: await bundleWorkflowCode({
      workflowsPath: workflowsPath(),
      failureConverterPath: FAILURE_CONVERTER_PATH,
      logger: new DefaultLogger('ERROR'),
    }),
    dataConverter,
  });
  const running = worker.run();
  const receiver = await startReceiver([], fakeStarter(), {
    store,
    management: { admin, adminToken: TOKEN, redelivery: { client, taskQueue, maxRuns: Math.max(runs, 10_000) } },
  });
  try {
    const starter = createTemporalStarter({ client, taskQueue, startTimeoutMs: 30_000, logger: createLogger('silent') });
    const since = new Date(Date.now() - 1000).toISOString();
    log(`starting ${runs} runs; crm answers 400, so each parks`);
    const ids: string[] = [];
    for (let i = 0; i < runs; i += 50) {
      const batch = Array.from({ length: Math.min(50, runs - i) }, () => samplePointsIssued());
      await Promise.all(batch.map((e) => starter.start(e)));
      ids.push(...batch.map((e) => workflowIdFor(e.source, e.id)));
    }
    const until = new Date(Date.now() + 1000).toISOString();
    const query = parkedRunsQuery({ destination: 'crm', since, until });
    await poll(async () => ((await client.workflow.count(query)).count === runs ? true : undefined), 500);
    log(`${runs} runs parked; counting their actions so far`);
    const before = zero();
    for (const id of ids) add(before, await actionsOf(client, id));

    crm = 200;
    const sentBefore = sink.requests.length;
    const t0 = performance.now();
    const res = await fetch(`${receiver.url}/v1/redeliveries`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ destination: 'crm', since, until }),
    });
    const started = (await res.json()) as RedeliveryProgress;
    if (res.status !== 202) throw new Error(`POST /v1/redeliveries answered ${res.status}: ${JSON.stringify(started)}`);
    log(`${started.id}: ${started.total} runs`);
    const progress = await poll(async () => {
      const got = await fetch(`${receiver.url}/v1/redeliveries/${started.id}`, { headers: { authorization: `Bearer ${TOKEN}` } });
      const p = (await got.json()) as RedeliveryProgress;
      return p.state === 'running' ? undefined : p;
    });
    const operationSeconds = (performance.now() - t0) / 1000;
    const open = `ExecutionStatus = "Running" AND StartTime >= "${since}" AND StartTime < "${until}"`;
    await poll(async () => ((await client.workflow.count(open)).count === 0 ? true : undefined), 100);
    const deliveredSeconds = (performance.now() - t0) / 1000;

    const runsDelta = zero();
    for (const id of ids) add(runsDelta, await actionsOf(client, id));
    add(runsDelta, before, -1);
    const bulk = await actionsOf(client, started.id);
    const total = bulk.total + runsDelta.total;
    const delivered = sink.requests.length - sentBefore;
    const breakdown = (a: ActionCount) =>
      Object.entries(a)
        .filter(([k, v]) => k !== 'total' && v !== 0)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ');
    process.stdout.write(
      [
        `| Parked runs | Operation | Seconds to operation end | Seconds until every run delivered | Requests sent | Actions: bulk workflow | Actions: the runs | Actions per run |`,
        `| --- | --- | --- | --- | --- | --- | --- | --- |`,
        `| ${runs} | ${progress.state}: ${progress.done} done, ${progress.skipped} skipped, ${progress.failed} failed | ${operationSeconds.toFixed(1)} | ${deliveredSeconds.toFixed(1)} | ${delivered} | ${bulk.total} (${breakdown(bulk)}) | ${runsDelta.total} (${breakdown(runsDelta)}) | ${(total / runs).toFixed(2)} |`,
        '',
      ].join('\n'),
    );
  } finally {
    await receiver.close();
    worker.shutdown();
    await running;
    await http.close();
    await sink.close();
    await server.stop();
    await drop();
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exitCode = 1;
});
