/**
 * `npm run chaos` on a handful of events and the two quickest scenarios: it completes and
 * nothing acknowledged is lost. (The worker-kill and Temporal-restart scenarios run in the
 * full `npm run chaos`; they take half a minute each.)
 */
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { test } from 'node:test';
import type { ScenarioCounts } from '../../scripts/chaos/run-scenario';
import { runHarness } from './run-harness';

test('npm run chaos on destination faults loses nothing', async () => {
  const run = await runHarness('chaos', ['--events', '6', '--scenario', 'destination-outage,slow-destination']);
  try {
    assert.equal(run.code, 0, run.output);
    const { scenarios } = run.readJson<{ scenarios: ScenarioCounts[] }>('latest-chaos.json');
    assert.deepEqual(
      scenarios.map((s) => s.scenario),
      ['destination-outage', 'slow-destination'],
    );
    for (const s of scenarios) {
      assert.equal(s.sent, 6, s.scenario);
      assert.equal(s.acknowledged, 6, s.scenario);
      assert.equal(s.lost, 0, `${s.scenario}: lost ${s.lostEventIds.join(', ')}`);
      assert.equal(s.delivered, s.acknowledged, s.scenario);
    }
  } finally {
    rmSync(run.outDir, { recursive: true, force: true });
  }
});
