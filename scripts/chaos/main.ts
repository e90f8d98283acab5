/**
 * `npm run chaos`: the fault harness. Starts its own Temporal dev server (SQLite file, so it
 * can be stopped and restarted) or, with --production, a full Temporal server on PostgreSQL;
 * the relay's worker and receiver processes (two of each with --production, the sender
 * round-robining between the receivers) on the PostgreSQL store; a local HTTPS sink and
 * loyalty API. Runs each scenario under load and prints sent / acknowledged / delivered /
 * duplicates / lost / stuck. Exits 1 if any scenario lost an acknowledged event or left one
 * whose run did not end.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startLoyaltyApi } from '../../test/helpers/loyalty-api';
import { HELP, parseHarnessArgs, serverMode, startRun } from '../bench/args';
import { markdownTable } from '../bench/report';
import { MOBILE, writeRelayConfig } from '../bench/relay-config';
import { startRelayStack } from '../bench/relay-stack';
import { createSender } from '../bench/sender';
import { startTemporalFor } from '../bench/server';
import { startBenchSink } from '../bench/sink';
import { runScenario, type ScenarioCounts } from './run-scenario';
import { PRODUCTION_SCENARIOS, SCENARIOS } from './scenarios';
import { SLOW_DESTINATION_TIMEOUT_SECONDS } from './scenarios/slow-destination';

const say = (m: string) => process.stderr.write(`[chaos] ${m}\n`);

function table(rows: ScenarioCounts[]): string {
  const head = [
    'Scenario',
    'Sent',
    'Acknowledged (2xx)',
    'Delivered (distinct keys)',
    'Duplicates',
    'Lost',
    'Stuck',
    '503s seen',
    'Seconds',
  ];
  const body = rows.map((r) =>
    [r.scenario, r.sent, r.acknowledged, r.delivered, r.duplicates, r.lost, r.stuck, r.unavailableAnswers, r.seconds].map(String),
  );
  return markdownTable([head, ...body]);
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const o = parseHarnessArgs(argv);
  if (o.help) {
    process.stdout.write(`npm run chaos -- [options]\n${HELP}\n`);
    return;
  }
  const names = o.scenario === 'all' ? (o.production ? PRODUCTION_SCENARIOS : SCENARIOS.map((s) => s.name)) : o.scenario.split(',');
  const unknown = names.filter((n) => !SCENARIOS.some((s) => s.name === n));
  if (unknown.length > 0)
    throw new Error(`unknown --scenario ${unknown.join(', ')}; one of: all, ${SCENARIOS.map((s) => s.name).join(', ')}`);
  const chosen = SCENARIOS.filter((s) => names.includes(s.name));
  const events = o.events ?? (o.production ? 2000 : 200);
  const workers = o.workers ?? (o.production ? 2 : 1);
  const receivers = o.receivers ?? (o.production ? 2 : 1);
  const shape = { events, concurrency: o.concurrency, rate: o.rate ?? 20, ...(o.duration ? { durationSeconds: o.duration } : {}) };
  const { runId, outDir, dir, command } = startRun('chaos', 'chaos', argv, o.out);

  const results: ScenarioCounts[] = [];
  const cleanups: (() => Promise<unknown>)[] = [];
  try {
    say(`logs and state in ${dir}`);
    const temporal = await startTemporalFor(serverMode(o), dir, say);
    cleanups.push(() => temporal.teardown());
    const sink = await startBenchSink();
    cleanups.push(() => sink.close());
    const loyalty = await startLoyaltyApi({ [MOBILE]: { totalPoints: 4500 } });
    cleanups.push(() => loyalty.close());
    const configFile = writeRelayConfig(dir, { sinkUrl: sink.url, maxDestinations: 1, timeoutSeconds: SLOW_DESTINATION_TIMEOUT_SECONDS });
    const stack = await startRelayStack({
      temporalAddress: temporal.address,
      configFile,
      sinkCa: sink.ca,
      loyaltyApiUrl: loyalty.url,
      dir,
      workers,
      receivers,
      // Answer 503 quickly while Temporal is down, so senders retry rather than wait.
      extraEnv: { RELAY_START_TIMEOUT_MS: '2000' },
    });
    cleanups.push(() => stack.stop());
    say(`relay: ${workers} worker and ${receivers} receiver process(es) on the PostgreSQL store; Temporal: ${temporal.description}`);
    const sender = createSender(stack.receiverUrls);
    cleanups.push(() => sender.close());
    for (const scenario of chosen) {
      say(`${scenario.name}: ${scenario.description}; ${events} events at ${shape.rate}/s`);
      const r = await runScenario(
        scenario,
        { temporal, stack, sink, say, storeOutageSeconds: o.storeOutageSeconds },
        sender,
        shape,
        runId,
        180_000,
      );
      say(
        `${scenario.name}: sent ${r.sent}, acknowledged ${r.acknowledged}, delivered ${r.delivered}, duplicates ${r.duplicates}, lost ${r.lost}, stuck ${r.stuck}`,
      );
      results.push(r);
    }
  } finally {
    for (const c of cleanups.reverse()) await c().catch((e: unknown) => say(`cleanup: ${String(e)}`));
  }

  const out = {
    command,
    startedAt: new Date().toISOString(),
    shape: {
      server: process.env.TEMPORAL_ADDRESS ? 'existing' : serverMode(o),
      workers,
      receivers,
      eventsPerScenario: events,
      rate: shape.rate,
    },
    scenarios: results,
  };
  writeFileSync(join(outDir, `chaos-${runId}.json`), JSON.stringify(out, null, 2));
  writeFileSync(join(outDir, 'latest-chaos.json'), JSON.stringify(out, null, 2));
  process.stdout.write(`\n${command}\n\n${table(results)}\n\nJSON: ${join(outDir, `chaos-${runId}.json`)}\n`);
  const lost = results.reduce((n, r) => n + r.lost, 0);
  const stuck = results.reduce((n, r) => n + r.stuck, 0);
  if (lost > 0) process.stderr.write(`chaos: ${lost} acknowledged event(s) lost — a bug to fix\n`);
  if (stuck > 0) process.stderr.write(`chaos: ${stuck} acknowledged event(s) whose run did not end — a bug to fix\n`);
  if (lost > 0 || stuck > 0) process.exitCode = 1;
}

main().catch((e: unknown) => {
  process.stderr.write(`chaos: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
