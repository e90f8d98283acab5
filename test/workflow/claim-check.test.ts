/**
 * A claim-check reference that cannot be resolved, on a real dev server: the run's workflow
 * task fails with a message naming the reference (visible in its history), the worker stays up
 * and goes on serving other runs — no crash loop. The same chain resolves references it has.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Client } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import type { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { workflowIdFor } from '../../src/canonical-event';
import { ClaimCheckCodec, claimCheckReferenceIds } from '../../src/payloads/claim-check';
import { ClaimStore } from '../../src/payloads/claim-store';
import { relayDataConverter } from '../../src/payloads/data-converter';
import type { relayEvent } from '../../workflows';
import { createTestDatabase } from '../helpers/database';
import { TEST_MASTER_KEY, testBundle, uniqueTaskQueue } from '../helpers/temporal';
import { samplePointsIssued, useTestTemporal } from '../helpers/workflow-suite';

const t = useTestTemporal();

describe('claim check in a run', () => {
  test('a missing stored payload fails the workflow task naming the reference; the worker serves other runs', async () => {
    const db = await createTestDatabase();
    t.cleanup(() => db.drop());
    const codec = new ClaimCheckCodec({ store: new ClaimStore(db.pool, { current: TEST_MASTER_KEY }), thresholdBytes: 16 * 1024 });
    const dataConverter = relayDataConverter({ keys: { current: TEST_MASTER_KEY }, claimCheck: codec });
    const client = new Client({ connection: t.server.env.connection, namespace: t.server.namespace, dataConverter });
    const taskQueue = uniqueTaskQueue('claim');

    // Started before any worker polls: the input is stored, then its row goes missing.
    const lost = samplePointsIssued({ properties: { receipt: 'r'.repeat(100_000) } });
    const lostHandle = await client.workflow.start<typeof relayEvent>('relayEvent', {
      taskQueue,
      workflowId: workflowIdFor(lost.source, lost.id),
      args: [{ event: lost }],
    });
    const started = (await lostHandle.fetchHistory()).events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads ?? [];
    // The raw input is the encrypted reference; decrypt only (the codec chain minus the claim check) to read its id.
    const decrypt = relayDataConverter({ keys: { current: TEST_MASTER_KEY } }).payloadCodecs![0]!;
    const [reference] = await decrypt.decode(started);
    const ids = claimCheckReferenceIds(reference!);
    assert.equal(ids.length, 1);
    const { rowCount } = await db.pool.query('DELETE FROM claim_payloads');
    assert.equal(rowCount, 1);

    const worker = await Worker.create({
      connection: t.server.env.nativeConnection,
      namespace: t.server.namespace,
      taskQueue,
      workflowBundle: await testBundle(),
      dataConverter,
      activities: { resolveSubscriptions: () => Promise.resolve([]) },
    });
    const running = worker.run();
    t.cleanup(async () => {
      worker.shutdown();
      await running;
    });

    let failure: temporal.api.failure.v1.IFailure | undefined;
    for (let i = 0; i < 120 && failure === undefined; i++) {
      const events = (await lostHandle.fetchHistory()).events ?? [];
      failure = events.find((e) => e.workflowTaskFailedEventAttributes)?.workflowTaskFailedEventAttributes?.failure ?? undefined;
      if (failure === undefined) await new Promise((r) => setTimeout(r, 250));
    }
    assert.ok(failure, 'the workflow task failed');
    // Failure messages are sealed in history (encoded attributes): open them to read it.
    let message = failure.message ?? '';
    if (failure.encodedAttributes) {
      const [attributes] = await decrypt.decode([failure.encodedAttributes]);
      message = defaultPayloadConverter.fromPayload<{ message: string }>(attributes!).message;
    }
    assert.match(message, new RegExp(`claim-check payload ${ids[0]} is not in the configuration database`));
    const description = await lostHandle.describe();
    assert.equal(description.status.name, 'RUNNING');

    // The same worker goes on: a large event whose row is there is read back and completes.
    const fine = samplePointsIssued({ properties: { receipt: 's'.repeat(100_000) } });
    const result = await client.workflow.execute<typeof relayEvent>('relayEvent', {
      taskQueue,
      workflowId: workflowIdFor(fine.source, fine.id),
      args: [{ event: fine }],
    });
    assert.equal(result.status, 'no_subscribers');
    assert.equal(worker.getState(), 'RUNNING');
    await lostHandle.terminate('test: its stored input was deleted');
  });
});
