/**
 * `npm run chaos`: the fault harness. Starts its own Temporal dev server (SQLite file, so it
 * can be stopped and restarted), the relay's worker and receiver processes, a local HTTPS
 * sink and loyalty API; runs each scenario under load and prints sent / acknowledged /
 * delivered / duplicates / lost. Exits 1 if any scenario lost an acknowledged event.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startLoyaltyApi } from '../../test/helpers/loyalty-api';
import { HELP, parseHarnessArgs, startRun } from '../bench/args';
import { markdownTable } from '../bench/report';
import { MOBILE, writeRelayConfig } from '../bench/relay-config';
import { startRelayStack } from '../bench/relay-stack';
import { createSender } from '../bench/sender';
import { startTemporalFor } from '../bench/server';
import { startBenchSink } from '../bench/sink';
import { runScenario, type ScenarioCounts } from './run-scenario';
import { SCENARIOS } from './scenarios';
import { SLOW_DESTINATION_TIMEOUT_SECONDS } from './scenarios/slow-destination';

const say = (m: string) => process.stderr.write(`[chaos] ${m}\n`);

function table(rows: ScenarioCounts[]): string {
  const head = ['Scenario', 'Sent', 'Acknowledged (2xx)', 'Delivered (distinct keys)', 'Duplicates', 'Lost', '503s seen', 'Seconds'];
  const body = rows.map((r) =>
    [r.scenario, r.sent, r.acknowledged, r.delivered, r.duplicates, r.lost, r.unavailableAnswers, r.seconds].map(String),
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
  const chosen = o.scenario === 'all' ? SCENARIOS : SCENARIOS.filter((s) => o.scenario.split(',').includes(s.name));
  if (chosen.length === 0) throw new Error(`unknown --scenario ${o.scenario}; one of: all, ${SCENARIOS.map((s) => s.name).join(', ')}`);
  const events = o.events ?? 200;
  const shape = { events, concurrency: o.concurrency, rate: o.rate ?? 20, ...(o.duration ? { durationSeconds: o.duration } : {}) };
  const { runId, outDir, dir, command } = startRun('chaos', 'chaos', argv, o.out);

  const results: ScenarioCounts[] = [];
  const cleanups: (() => Promise<unknown>)[] = [];
  try {
    say(`logs and state in ${dir}`);
    const temporal = await startTemporalFor(o.server, dir, say);
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
      // Answer 503 quickly while Temporal is down, so senders retry rather than wait.
      extraEnv: { RELAY_START_TIMEOUT_MS: '2000' },
    });
    cleanups.push(() => stack.stop());
    const sender = createSender(stack.receiverUrl);
    cleanups.push(() => sender.close());
    for (const scenario of chosen) {
      say(`${scenario.name}: ${scenario.description}; ${events} events at ${shape.rate}/s`);
      const r = await runScenario(scenario, { temporal, stack, sink, say }, sender, shape, runId, 180_000);
      say(
        `${scenario.name}: sent ${r.sent}, acknowledged ${r.acknowledged}, delivered ${r.delivered}, duplicates ${r.duplicates}, lost ${r.lost}`,
      );
      results.push(r);
    }
  } finally {
    for (const c of cleanups.reverse()) await c().catch((e: unknown) => say(`cleanup: ${String(e)}`));
  }

  const out = { command, startedAt: new Date().toISOString(), scenarios: results };
  writeFileSync(join(outDir, `chaos-${runId}.json`), JSON.stringify(out, null, 2));
  writeFileSync(join(outDir, 'latest-chaos.json'), JSON.stringify(out, null, 2));
  process.stdout.write(`\n${command}\n\n${table(results)}\n\nJSON: ${join(outDir, `chaos-${runId}.json`)}\n`);
  const lost = results.reduce((n, r) => n + r.lost, 0);
  if (lost > 0) {
    process.stderr.write(`chaos: ${lost} acknowledged event(s) lost — a bug to fix\n`);
    process.exitCode = 1;
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`chaos: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
