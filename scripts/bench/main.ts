/**
 * `npm run bench`: starts Temporal, a local HTTPS sink and loyalty API, a floor worker, the
 * relay in each --stacks way in turn (worker and receiver processes; one process with and
 * without eager start) and a direct relay; measures every phase in the same run on the same
 * server — throughput, latency at a fixed rate below capacity, and per event the billable
 * actions and history read from sample runs; prints tables and writes JSON (and a PNG chart)
 * to --out. Benchmarks print figures; they never pass or fail on timing.
 */
import { writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { startLoyaltyApi } from '../../test/helpers/loyalty-api';
import { freePort } from '../../test/helpers/ports';
import { workflowIdFor } from '../../src/model/canonical-event';
import { destinationCounts, HELP, parseHarnessArgs, serverMode, STACK_DESCRIPTIONS, stackRuns, startRun, type StackRun } from './args';
import { createBareStarter } from './bare-starter';
import { writeChart } from './chart';
import type { ProcessPids } from './cpu';
import { runBareStart } from './phase-bare-start';
import { runFloor } from './phase-floor';
import { runRelay, type RelayRunResult } from './phase-relay';
import { spawnTs } from './proc';
import { MOBILE, pointsIssuedBody, SOURCE_KEY, writeRelayConfig } from './relay-config';
import { RELAY_TASK_QUEUE, startRelayStack, type RelayStack } from './relay-stack';
import { fetchHistories, summarizeHistories, waitForClosed } from './history';
import { computeRatios, formatTable, type BenchResults, type HistoryRow } from './report';
import { SampleLog } from './samples';
import { createSender, type Sender } from './sender';
import { startTemporalFor } from './server';
import { startBenchSink } from './sink';

/**
 * Events sent through a fresh relay stack before anything is measured on it (and started by the
 * bare starter before its phase): first requests and runs pay for compiling code, opening
 * connections and loading the workflow bundle, which would land on whichever phase comes first.
 */
const WARM_UP = { events: 20, concurrency: 4 };

const say = (m: string) => process.stderr.write(`[bench] ${m}\n`);

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const o = parseHarnessArgs(argv);
  if (o.help) {
    process.stdout.write(`npm run bench -- [options]\n${HELP}\n`);
    return;
  }
  const events = o.events ?? 500;
  const shape = {
    events,
    concurrency: o.concurrency,
    ...(o.duration ? { durationSeconds: o.duration } : {}),
    ...(o.rate ? { rate: o.rate } : {}),
  };
  const dests = destinationCounts(o, [1, 3]);
  const phases = new Set(o.phases.split(','));
  const runs = stackRuns(o);
  const stacks = runs.map((r) => r.label);
  const { runId, outDir, dir, command } = startRun('bench', 'run', argv, o.out);
  const waitMs = 120_000 + (o.duration ? o.duration * 1000 * 4 : events * 60 * Math.max(...dests));
  const log = new SampleLog();
  const origin = Date.now();
  const results: BenchResults = {
    command,
    startedAt: new Date().toISOString(),
    machine: {
      cores: cpus().length,
      memoryGiB: Math.round(totalmem() / 2 ** 30),
      cpu: cpus()[0]?.model ?? '?',
      node: process.version,
      loadAverageAtStart: loadavg().map((l) => Math.round(l * 100) / 100),
    },
    server: { mode: process.env.TEMPORAL_ADDRESS ? 'existing' : serverMode(o), description: '' },
    options: {
      ...shape,
      destinations: dests,
      phases: [...phases],
      stacks,
      latencyEvents: o.latencyEvents,
      latencyRate: o.latencyRate,
      historySamples: o.historySamples,
    },
    stacks,
    relay: [],
    historyEventsPerRelayedEvent: {},
    peakRssMiB: {},
    ratios: {},
  };

  const cleanups: (() => Promise<unknown>)[] = [];
  try {
    say(`logs and state in ${dir}`);
    const t0 = Date.now();
    const temporal = await startTemporalFor(serverMode(o), dir, say);
    cleanups.push(() => temporal.teardown());
    results.server.description = temporal.description;
    results.server.startSeconds = Math.round((Date.now() - t0) / 100) / 10;
    if (temporal.buildSeconds !== undefined) {
      results.server.buildSeconds = temporal.buildSeconds;
      results.server.startSeconds = Math.round((results.server.startSeconds - temporal.buildSeconds) * 10) / 10;
    }
    say(`Temporal: ${temporal.description} at ${temporal.address} (ready in ${results.server.startSeconds}s)`);

    const sink = await startBenchSink();
    cleanups.push(() => sink.close());
    const loyalty = await startLoyaltyApi({ [MOBILE]: { totalPoints: 4500 } });
    cleanups.push(() => loyalty.close());
    const configFile = writeRelayConfig(dir, { sinkUrl: sink.url, maxDestinations: Math.max(...dests) });
    const floorWorker = spawnTs('floor-worker', 'scripts/bench/floor-worker.ts', { TEMPORAL_ADDRESS: temporal.address }, dir);
    cleanups.push(() => floorWorker.stop());
    await floorWorker.waitForLog('floor worker running', 180_000);
    say('floor worker running');

    // Whose CPU time each phase accounts: the server, the floor worker, the harness (load generator,
    // sink and loyalty API) and the relay stack that is up (its processes).
    const accountedPids = (stack: RelayStack): ProcessPids => ({
      temporal: () => temporal.child()?.proc.pid,
      'floor worker': () => floorWorker.proc.pid,
      harness: () => process.pid,
      ...(stack.mode === 'separate'
        ? { 'relay worker': () => stack.worker().proc.pid, receiver: () => stack.receiver().proc.pid }
        : { 'relay (worker + receiver)': () => stack.worker().proc.pid }),
    });

    const connection = await Connection.connect({ address: temporal.address });
    cleanups.push(() => connection.close());
    // The eager receiver starts through its worker's NativeConnection (gRPC in the Rust core), the
    // others through a Connection (grpc-js): a stack's bare starts go through the same kind, so
    // ingest ÷ bare start compares like with like.
    Runtime.install({ logger: new DefaultLogger('WARN'), shutdownSignals: [] });
    const nativeConnection = await NativeConnection.connect({ address: temporal.address });
    cleanups.push(() => nativeConnection.close());
    const receiverConnection = (mode: StackRun['mode']) => (mode === 'eager' ? nativeConnection : connection);
    const client = new Client({ connection });
    const history = (results.history = [] as HistoryRow[]);
    const relayPhases = phases.has('relay') || phases.has('latency');
    // Phase 1 needs a stack too: its runs are executed by the stack's worker (./bare-starter.ts).
    const needsStack = relayPhases || phases.has('bare');
    const startStack = async ({ mode, codec, label }: StackRun) => {
      say(`relay stack "${label}": ${STACK_DESCRIPTIONS[mode]}, payload encryption ${codec}`);
      const stack = await startRelayStack({
        temporalAddress: temporal.address,
        configFile,
        sinkCa: sink.ca,
        loyaltyApiUrl: loyalty.url,
        dir,
        mode,
        ...(label === mode ? {} : { logSuffix: `-codec-${codec}` }),
        ...(codec === 'off' ? { extraEnv: { RELAY_PAYLOAD_ENCRYPTION: 'false' } } : {}),
        // Written when a process exits: stacks are stopped with SIGTERM and exit on their own.
        ...(o.profile ? { profileDir: join(dir, 'profiles') } : {}),
      });
      const sender = createSender(stack.receiverUrl);
      try {
        await runRelay({
          label: `(warm-up, ${label})`,
          sender,
          sink,
          sourceId: 'bench1',
          destinations: 1,
          shape: WARM_UP,
          runId,
          log: new SampleLog(),
          timeoutMs: 60_000,
        });
        await waitForClosed(client, RELAY_TASK_QUEUE, 60_000);
      } catch (e) {
        await stack.stop();
        throw e;
      } finally {
        await sender.close();
      }
      return stack;
    };
    // The first stack idles through the floor phases, as the relay always did (same conditions as earlier runs).
    let firstStack: RelayStack | undefined = needsStack && runs[0] ? await startStack(runs[0]) : undefined;
    const stopFirstStack = () => firstStack?.stop() ?? Promise.resolve();
    cleanups.push(stopFirstStack);

    if (phases.has('floor')) {
      say('3. floor workflow: one no-op activity per workflow');
      results.floor = await runFloor(client, shape, runId, log, waitMs, o.historySamples);
      const histories = await fetchHistories(client, results.floor.sampleWorkflowIds ?? []);
      const figures = summarizeHistories(histories);
      if (figures) history.push({ workflow: 'floor', ...figures });
      if (histories[0]) writeFileSync(join(dir, 'history-floor.json'), JSON.stringify(histories[0], null, 1));
    }

    const latencyShape = { events: o.latencyEvents, rate: o.latencyRate, concurrency: o.concurrency };
    const latencyWaitMs = 120_000 + (o.latencyEvents * 1000) / o.latencyRate;
    if (phases.has('latency')) results.latency = { events: o.latencyEvents, ratePerSecond: o.latencyRate, relay: [] };
    /**
     * Phase 1 on this stack, right before its ingest phases: the receiver's start made by the
     * harness's client, its runs executed by this stack's worker (./bare-starter.ts), in rounds
     * alternating with as many events posted to this stack's receiver (./phase-bare-start.ts):
     * ingest ÷ bare start compares the two under the same neighbours.
     */
    const bareStartOn = async (stack: RelayStack, run: StackRun, sender: Sender) => {
      say(
        `1. bare start [${run.label}]: ${events} starts of the receiver's workflow and input by the client, alternating with ${events} posts to the receiver, at concurrency ${o.concurrency}`,
      );
      const prefix = `${runId}-${run.label.replace(/\W+/g, '')}`;
      const bare = createBareStarter({ connection: receiverConnection(run.mode), stack, encrypt: run.codec === 'on', sourceId: 'bench1' });
      try {
        const r = await runBareStart(bare, shape, prefix, log, {
          post: async (i) =>
            (await sender.post('/v1/sources/bench1/events', pointsIssuedBody(`${prefix}-ingest-${i}`), { 'x-api-key': SOURCE_KEY }))
              .acknowledged,
          warmUp: WARM_UP,
          afterWarmUp: () => waitForClosed(client, RELAY_TASK_QUEUE, 60_000),
          cpu: accountedPids(stack),
          label: run.label,
        });
        const result = { ...r, stack: run.label };
        (results.bareStarts ??= []).push(result);
        results.bareStart ??= result;
      } finally {
        await bare.close();
      }
      // The worker runs them to the sink: let it finish before the next phase shares the cores.
      await waitForClosed(client, RELAY_TASK_QUEUE, waitMs);
    };
    for (const run of needsStack ? runs : []) {
      const { mode, label } = run;
      const stack = firstStack ?? (await startStack(run));
      if (firstStack) cleanups.splice(cleanups.indexOf(stopFirstStack), 1);
      firstStack = undefined;
      const stopStack = async () => {
        // Runs whose delivery arrived may still be completing their workflow task: let them close first.
        await waitForClosed(client, RELAY_TASK_QUEUE, 60_000).catch((e: unknown) => say(String(e)));
        if (mode === 'separate') {
          const t = label === mode ? '' : ` [${label}]`;
          results.peakRssMiB[`relay worker${t}`] = stack.worker().peakRssMiB();
          results.peakRssMiB[`receiver${t}`] = stack.receiver().peakRssMiB();
        } else {
          results.peakRssMiB[`relay worker + receiver [${label}]`] = stack.worker().peakRssMiB();
        }
        await stack.stop();
      };
      cleanups.push(stopStack);
      (results.stackStartSeconds ??= {})[label] = stack.workerStartSeconds[0];
      results.workerStartSeconds ??= stack.workerStartSeconds[0];
      say(`relay running (${stack.workerStartSeconds[0]} s to start)`);
      const sender = createSender(stack.receiverUrl);
      try {
        if (phases.has('bare')) await bareStartOn(stack, run, sender);
        for (const k of phases.has('relay') ? dests : []) {
          say(`2+4. relay [${label}] with ${k} destination(s): POST → 202, then → sink`);
          const r: RelayRunResult = await runRelay({
            label: `(${k} dest, ${label})`,
            stack: label,
            sender,
            sink,
            sourceId: `bench${k}`,
            destinations: k,
            shape,
            runId,
            log,
            timeoutMs: waitMs,
            samples: o.historySamples,
            cpu: accountedPids(stack),
          });
          results.relay.push(r);
          const histories = await fetchHistories(
            client,
            (r.sampleEventIds ?? []).map((id) => workflowIdFor(`bench${k}`, id)),
          );
          const figures = summarizeHistories(histories);
          if (figures) {
            history.push({ workflow: `relay ${k} dest`, stack: label, ...figures });
            const key = `relay ${k} dest`;
            results.historyEventsPerRelayedEvent[key] = Math.max(results.historyEventsPerRelayedEvent[key] ?? 0, figures.historyEvents);
          }
          if (histories[0])
            writeFileSync(
              join(dir, `history-relay-${k}-dest-${label.replace(/[^a-z0-9]+/g, '-')}.json`),
              JSON.stringify(histories[0], null, 1),
            );
        }
        if (results.latency) {
          say(`6. latency [${label}]: ${o.latencyEvents} events at ${o.latencyRate}/s, 1 destination`);
          const r = await runRelay({
            label: `(latency, ${label})`,
            stack: label,
            sender,
            sink,
            sourceId: 'bench1',
            destinations: 1,
            shape: latencyShape,
            runId,
            log,
            timeoutMs: latencyWaitMs,
            samples: o.historySamples,
          });
          results.latency.relay.push(r);
          // Read at this rate too: whether the runs were started eagerly when the worker has room.
          const figures = summarizeHistories(
            await fetchHistories(
              client,
              (r.sampleEventIds ?? []).map((id) => workflowIdFor('bench1', id)),
            ),
          );
          if (figures) history.push({ workflow: `relay 1 dest at ${o.latencyRate}/s`, stack: label, phase: 'latency', ...figures });
        }
      } finally {
        await sender.close();
        const at = cleanups.indexOf(stopStack);
        if (at >= 0) cleanups.splice(at, 1);
        await stopStack();
      }
    }
    if (results.floor?.historyEvents) results.historyEventsPerRelayedEvent['floor'] = results.floor.historyEvents;
    results.peakRssMiB['floor worker'] = floorWorker.peakRssMiB();

    if (phases.has('direct') || results.latency) {
      const port = await freePort();
      const direct = spawnTs(
        'direct-relay',
        'scripts/bench/direct-relay.ts',
        { PORT: String(port), SINK_URL: sink.url, RELAY_EXTRA_CA_CERTS: join(dir, 'sink-ca.pem') },
        dir,
      );
      cleanups.push(() => direct.stop());
      await direct.waitForLog('direct relay listening', 60_000);
      const directSender = createSender(`http://127.0.0.1:${port}`);
      cleanups.push(() => directSender.close());
      if (phases.has('direct')) {
        say('5. direct relay baseline: Express → sink, no Temporal');
        results.direct = await runRelay({
          label: '(direct)',
          sender: directSender,
          sink,
          sourceId: 'direct',
          destinations: 1,
          shape,
          runId,
          log,
          timeoutMs: waitMs,
        });
      }
      if (results.latency) {
        say(`6. latency, direct relay: ${o.latencyEvents} events at ${o.latencyRate}/s`);
        results.latency.direct = await runRelay({
          label: '(latency, direct)',
          sender: directSender,
          sink,
          sourceId: 'direct',
          destinations: 1,
          shape: latencyShape,
          runId,
          log,
          timeoutMs: latencyWaitMs,
        });
      }
      results.peakRssMiB['direct relay'] = direct.peakRssMiB();
    }
  } finally {
    for (const c of cleanups.reverse()) await c().catch((e: unknown) => say(`cleanup: ${String(e)}`));
  }

  results.ratios = computeRatios(results);
  const table = formatTable(results);
  const jsonFile = join(outDir, `bench-${runId}.json`);
  writeFileSync(jsonFile, JSON.stringify({ ...results, samples: log.samples }, null, 2));
  writeFileSync(join(outDir, 'latest.json'), JSON.stringify(results, null, 2));
  writeFileSync(join(outDir, 'latest.md'), `${results.command}\n\n${table}\n`);
  process.stdout.write(
    `\n${results.command}  (${results.machine.cores} cores, ${results.machine.memoryGiB} GiB, ${results.server.description})\n\n${table}\n\nJSON: ${jsonFile}\n`,
  );
  if (o.chart && log.samples.length > 0) {
    const png = join(outDir, `bench-${runId}.png`);
    await writeChart(log.samples, origin, png, `${results.command} — ${results.machine.cores} cores`);
    process.stdout.write(`Chart: ${png}\n`);
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`bench: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
