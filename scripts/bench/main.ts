/**
 * `npm run bench`: starts Temporal, the relay (worker and receiver processes), a local HTTPS
 * sink and loyalty API, a floor worker and a direct relay; measures every phase in the same
 * run on the same server; prints a table and writes JSON (and a PNG chart) to --out.
 * Benchmarks print figures; they never pass or fail on timing.
 */
import { writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { startLoyaltyApi } from '../../test/helpers/loyalty-api';
import { freePort } from '../../test/helpers/ports';
import { destinationCounts, HELP, parseHarnessArgs, startRun } from './args';
import { writeChart } from './chart';
import { runBareStart } from './phase-bare-start';
import { runFloor } from './phase-floor';
import { runRelay, type RelayRunResult } from './phase-relay';
import { spawnTs } from './proc';
import { MOBILE, writeRelayConfig } from './relay-config';
import { startRelayStack } from './relay-stack';
import { computeRatios, formatTable, type BenchResults } from './report';
import { SampleLog } from './samples';
import { createSender } from './sender';
import { startTemporalFor } from './server';
import { startBenchSink } from './sink';

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
    server: { mode: process.env.TEMPORAL_ADDRESS ? 'existing' : o.server, description: '' },
    options: { ...shape, destinations: dests, phases: [...phases] },
    relay: [],
    historyEventsPerRelayedEvent: {},
    peakRssMiB: {},
    ratios: {},
  };

  const cleanups: (() => Promise<unknown>)[] = [];
  try {
    say(`logs and state in ${dir}`);
    const t0 = Date.now();
    const temporal = await startTemporalFor(o.server, dir, say);
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
    const stack = await startRelayStack({
      temporalAddress: temporal.address,
      configFile,
      sinkCa: sink.ca,
      loyaltyApiUrl: loyalty.url,
      dir,
    });
    cleanups.push(() => stack.stop());
    results.workerStartSeconds = stack.workerStartSeconds[0];
    const floorWorker = spawnTs('floor-worker', 'scripts/bench/floor-worker.ts', { TEMPORAL_ADDRESS: temporal.address }, dir);
    cleanups.push(() => floorWorker.stop());
    await floorWorker.waitForLog('floor worker running', 180_000);
    say('relay worker, receiver and floor worker running');

    const connection = await Connection.connect({ address: temporal.address });
    cleanups.push(() => connection.close());
    const client = new Client({ connection });
    const sender = createSender(stack.receiverUrl);
    cleanups.push(() => sender.close());

    if (phases.has('bare')) {
      say(`1. bare start: ${events} no-op workflow starts at concurrency ${o.concurrency}`);
      results.bareStart = await runBareStart(client, shape, runId, log);
    }
    if (phases.has('floor')) {
      say('3. floor workflow: one no-op activity per workflow');
      results.floor = await runFloor(client, shape, runId, log, waitMs);
    }
    if (phases.has('relay')) {
      for (const k of dests) {
        say(`2+4. relay with ${k} destination(s): POST → 202, then → sink`);
        const r: RelayRunResult = await runRelay({
          label: `(${k} dest)`,
          sender,
          sink,
          sourceId: `bench${k}`,
          destinations: k,
          shape,
          runId,
          log,
          timeoutMs: waitMs,
        });
        results.relay.push(r);
        if (r.sampleEventId) {
          const history = await client.workflow.getHandle(`relay:bench${k}:${r.sampleEventId}`).fetchHistory();
          results.historyEventsPerRelayedEvent[`relay ${k} dest`] = history.events?.length ?? 0;
          writeFileSync(join(dir, `history-relay-${k}-dest.json`), JSON.stringify(history, null, 1));
        }
      }
    }
    if (results.floor?.historyEvents) results.historyEventsPerRelayedEvent['floor'] = results.floor.historyEvents;
    results.peakRssMiB['relay worker'] = stack.worker().peakRssMiB();
    results.peakRssMiB['receiver'] = stack.receiver().peakRssMiB();
    results.peakRssMiB['floor worker'] = floorWorker.peakRssMiB();

    if (phases.has('direct')) {
      say('5. direct relay baseline: Express → sink, no Temporal');
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
