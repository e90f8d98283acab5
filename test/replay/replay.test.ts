/**
 * Determinism: histories recorded from the shipped workflows (the relayEvent v2 baseline: a
 * healthy run, a parked run redelivered, a held run resumed, a routed customerProfileEvent)
 * must replay against the current workflow code. A change that breaks this needs `patched()`
 * or a new workflow type (README, "Changing a workflow safely"). Record with
 * test/replay/record-history.ts when shipping.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { DeterminismViolationError } from '@temporalio/workflow';
import { Worker } from '@temporalio/worker';
import { workflowsPath } from '../../src/wiring/worker';
import { testDataConverter } from '../helpers/temporal';

const dir = join(__dirname, 'histories');
const histories = readdirSync(dir).filter((f) => f.endsWith('.json'));
const load = (file: string): unknown => JSON.parse(readFileSync(join(dir, file), 'utf8'));

describe('replay of recorded event-workflow histories', () => {
  test('there is at least one recorded history', () => {
    assert.ok(histories.length > 0);
  });

  for (const file of histories) {
    test(`${file} replays against the current workflow code`, async () => {
      await Worker.runReplayHistory({ workflowsPath: workflowsPath(), dataConverter: testDataConverter() }, load(file));
    });
  }

  test('a workflow that drops a step fails to replay (the check has teeth)', async () => {
    const first = histories[0];
    assert.ok(first);
    await assert.rejects(
      Worker.runReplayHistory({ workflowsPath: require.resolve('./changed-workflow') }, load(first)),
      DeterminismViolationError,
    );
  });
});
