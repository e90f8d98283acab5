/**
 * `npm run bench` on a handful of events: it completes and counts correctly (every
 * acknowledged event delivered to every destination). No timing assertions: figures are
 * printed, never judged.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { BenchResults } from '../../scripts/bench/report';
import { runHarness } from './run-harness';

test('npm run bench --events 5 completes and counts every event', async () => {
  const run = await runHarness('bench', ['--events', '5', '--concurrency', '2']);
  try {
    assert.equal(run.code, 0, run.output);
    const r = run.readJson<BenchResults>('latest.json');
    assert.equal(r.bareStart?.started, 5, run.output);
    assert.equal(r.floor?.completed, 5, run.output);
    assert.deepEqual(
      r.relay.map((x) => x.destinations),
      [1, 3],
    );
    for (const x of r.relay) {
      assert.equal(x.acknowledged, 5, `${x.destinations} dest: acknowledged`);
      assert.equal(x.delivered, x.acknowledged, `${x.destinations} dest: acknowledged == delivered`);
      assert.equal(x.deliveries, x.acknowledged * x.destinations);
    }
    assert.equal(r.direct?.delivered, 5);
    assert.ok((r.historyEventsPerRelayedEvent['relay 1 dest'] ?? 0) > 0);
    assert.ok(r.peakRssMiB['relay worker'] !== undefined);
    assert.match(run.output, /\| 4\. Relay end to end, 3 dest/);
    assert.ok(
      readdirSync(run.outDir).some((f) => f.endsWith('.png')),
      'a PNG chart was written',
    );
    assert.ok(existsSync(join(run.outDir, 'latest.md')));
  } finally {
    rmSync(run.outDir, { recursive: true, force: true });
  }
});
