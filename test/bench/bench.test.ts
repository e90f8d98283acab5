/**
 * `npm run bench` on a handful of events, with the relay as two processes and as `npm start`'s
 * one process with eager start: it completes and counts correctly (every acknowledged event
 * delivered to every destination), and reads the per-event history figures. No timing
 * assertions: figures are printed, never judged.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { BenchResults } from '../../scripts/bench/report';
import { runHarness } from './run-harness';

test('npm run bench --events 5 completes and counts every event', async () => {
  const run = await runHarness('bench', [
    '--events',
    '5',
    '--concurrency',
    '2',
    '--stacks',
    'separate,eager',
    '--latency-events',
    '4',
    '--history-samples',
    '2',
  ]);
  try {
    assert.equal(run.code, 0, run.output);
    const r = run.readJson<BenchResults>('latest.json');
    assert.equal(r.bareStart?.started, 5, run.output);
    assert.equal(r.floor?.completed, 5, run.output);
    assert.deepEqual(
      r.relay.map((x) => `${x.stack} ${x.destinations}`),
      ['separate 1', 'separate 3', 'eager 1', 'eager 3'],
    );
    for (const x of r.relay) {
      assert.equal(x.acknowledged, 5, `${x.destinations} dest: acknowledged`);
      assert.equal(x.delivered, x.acknowledged, `${x.destinations} dest: acknowledged == delivered`);
      assert.equal(x.deliveries, x.acknowledged * x.destinations);
    }
    assert.equal(r.direct?.delivered, 5);
    assert.deepEqual(
      r.latency?.relay.map((x) => [x.stack, x.delivered]),
      [
        ['separate', 4],
        ['eager', 4],
      ],
    );
    assert.equal(r.latency?.direct?.delivered, 4);
    assert.ok((r.historyEventsPerRelayedEvent['relay 1 dest'] ?? 0) > 0);
    // Per event, from the sample runs' histories: the floor is a start and one activity.
    const floor = r.history?.find((h) => h.workflow === 'floor');
    assert.equal(floor?.actions, 2, run.output);
    assert.equal(floor?.samples, 2);
    for (const h of r.history?.filter((x) => x.workflow.startsWith('relay')) ?? []) {
      assert.ok(h.actions > 0 && h.historyEvents > 0 && h.historyBytes > 0, `${h.workflow} [${h.stack}]`);
      // Eager start is best effort (the worker may have no free slot), so some, not all, for the eager stack.
      assert.ok(
        h.stack === 'eager' ? h.eagerStarts > 0 : h.eagerStarts === 0,
        `${h.workflow} [${h.stack}]: ${h.eagerStarts} started eagerly`,
      );
    }
    assert.equal(r.history?.length, 7, 'floor, 2 stacks × (1 dest, 3 dest, 1 dest at 10/s)');
    assert.ok(r.peakRssMiB['relay worker'] !== undefined);
    assert.ok(r.peakRssMiB['relay worker + receiver [eager]'] !== undefined);
    assert.match(run.output, /\| 4\. Relay end to end, 3 dest/);
    assert.match(run.output, /\| 6\. Latency at 10\/s, 1 dest \(POST → sink\) +\| eager/);
    assert.match(run.output, /\| relay 3 dest +\| eager +\| 2 /);
    assert.ok(
      readdirSync(run.outDir).some((f) => f.endsWith('.png')),
      'a PNG chart was written',
    );
    assert.ok(existsSync(join(run.outDir, 'latest.md')));
  } finally {
    rmSync(run.outDir, { recursive: true, force: true });
  }
});
