/**
 * `npm run chaos` on a handful of events, in the production shape's process layout (two
 * workers, two receivers behind the harness's round-robin, the PostgreSQL store) on the dev
 * server, with the quickest scenarios: destination faults, a receiver killed, the store
 * refusing connections. Nothing acknowledged is lost and every run ends. (Worker-kill and
 * Temporal-restart, and the full server on PostgreSQL, run in `npm run chaos -- --production`.)
 */
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { test } from 'node:test';
import type { ScenarioCounts } from '../../scripts/chaos/run-scenario';
import { runHarness } from './run-harness';

const SCENARIOS = ['receiver-kill', 'store-refusal', 'destination-outage', 'slow-destination'];

test('npm run chaos with two workers and two receivers: nothing lost, every run ends', async () => {
  const run = await runHarness('chaos', [
    '--events',
    '6',
    '--workers',
    '2',
    '--receivers',
    '2',
    '--store-outage-seconds',
    '3',
    '--scenario',
    SCENARIOS.join(','),
  ]);
  try {
    assert.equal(run.code, 0, run.output);
    const { scenarios, shape } = run.readJson<{ scenarios: ScenarioCounts[]; shape: { workers: number; receivers: number } }>(
      'latest-chaos.json',
    );
    assert.deepEqual([shape.workers, shape.receivers], [2, 2]);
    assert.deepEqual(
      scenarios.map((s) => s.scenario),
      SCENARIOS,
    );
    for (const s of scenarios) {
      assert.equal(s.sent, 6, s.scenario);
      assert.equal(s.acknowledged, 6, s.scenario);
      assert.equal(s.lost, 0, `${s.scenario}: lost ${s.lostEventIds.join(', ')}`);
      assert.equal(s.delivered, s.acknowledged, s.scenario);
      assert.equal(s.stuck, 0, `${s.scenario}: stuck ${s.stuckEventIds.join(', ')}`);
    }
  } finally {
    rmSync(run.outDir, { recursive: true, force: true });
  }
});
