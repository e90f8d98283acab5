/**
 * A claim-check reference that cannot be resolved, on a real dev server: the run's workflow
 * task fails with a message naming the reference (visible in its history), the worker stays up
 * and goes on serving other runs — no crash loop; an activity whose input cannot be resolved
 * fails without retrying. The same chain resolves references it has.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Context } from '@temporalio/activity';
import { Client } from '@temporalio/client';
import { ApplicationFailure, defaultPayloadConverter, type DataConverter } from '@temporalio/common';
import type { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import type { DeliverInput, RelayActivities } from '../../activities';
import { workflowIdFor } from '../../src/model/canonical-event';
import type { DestinationPlan } from '../../src/model/destination';
import { FailureType } from '../../src/model/failure-types';
import { ClaimCheckCodec, claimCheckReferenceIds } from '../../src/payloads/claim-check';
import { ClaimStore } from '../../src/payloads/claim-store';
import { relayDataConverter } from '../../src/payloads/data-converter';
import type { relayEvent } from '../../workflows';
import { createTestDatabase } from '../helpers/database';
import { outcomeOfFailedRun, TEST_MASTER_KEY, testBundle, uniqueTaskQueue } from '../helpers/temporal';
import { samplePointsIssued, useTestTemporal } from '../helpers/workflow-suite';

const t = useTestTemporal();

/** A client whose payloads over 16 KiB go to `store` (encrypted with the test key). */
function claimCheckClient(store: ClaimStore): { dataConverter: DataConverter; client: Client } {
  const codec = new ClaimCheckCodec({ store, thresholdBytes: 16 * 1024 });
  const dataConverter = relayDataConverter({ keys: { current: TEST_MASTER_KEY }, claimCheck: codec });
  const client = new Client({ connection: t.server.env.connection, namespace: t.server.namespace, dataConverter });
  return { dataConverter, client };
}

/** A worker on `taskQueue` with the same data converter as the client, shut down after the file. */
async function startWorker(taskQueue: string, dataConverter: DataConverter, activities: Partial<RelayActivities>): Promise<Worker> {
  const worker = await Worker.create({
    connection: t.server.env.nativeConnection,
    namespace: t.server.namespace,
    taskQueue,
    workflowBundle: await testBundle(),
    dataConverter,
    activities,
  });
  const running = worker.run();
  t.cleanup(async () => {
    worker.shutdown();
    await running;
  });
  return worker;
}

describe('claim check in a run', () => {
  test(
    'a missing stored payload fails the workflow task naming the reference; the worker serves other runs',
    { timeout: 60_000 },
    async () => {
      const db = await createTestDatabase();
      t.cleanup(() => db.drop());
      const { dataConverter, client } = claimCheckClient(new ClaimStore(db.pool, { current: TEST_MASTER_KEY }));
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

      const worker = await startWorker(taskQueue, dataConverter, { resolveSubscriptions: () => Promise.resolve([]) });

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
    },
  );

  test(
    'an activity whose stored input is gone fails without retrying: the delivery fails with PayloadUnavailable',
    { timeout: 60_000 },
    async () => {
      const db = await createTestDatabase();
      t.cleanup(() => db.drop());
      /** A store that, once told, loses what it is given (as if the cleanup had run): the retries' inputs are gone. */
      class LosingStore extends ClaimStore {
        losing = false;
        override async put(bytes: Uint8Array): Promise<string> {
          const id = await super.put(bytes);
          if (this.losing) await db.pool.query('DELETE FROM claim_payloads WHERE id = $1', [id]);
          return id;
        }
      }
      const store = new LosingStore(db.pool, { current: TEST_MASTER_KEY });
      const { dataConverter, client } = claimCheckClient(store);
      const body = JSON.stringify({ receipt: 'b'.repeat(60_000) });
      const plan: DestinationPlan = {
        name: 'crm',
        version: '1',
        kind: 'webhook',
        slaSeconds: 60,
        timeoutSeconds: 5,
        retryWindowSeconds: 60,
        parkingPeriodSeconds: 1,
        enrichment: { pointsBalance: false },
        paused: false,
      };
      const calls: { local: boolean }[] = [];
      const activities: Partial<RelayActivities> = {
        resolveSubscriptions: () => Promise.resolve([plan]),
        mapEvent: () =>
          Promise.resolve({
            requests: [{ request: { method: 'POST', url: 'https://crm.example/hook', headers: {}, body }, idempotencyKey: 'msg_crm' }],
            destinationVersion: '1',
          }),
        deliver: (input: DeliverInput) => {
          calls.push({ local: Context.current().info.isLocal });
          assert.equal(input.request.body, body);
          store.losing = true;
          throw ApplicationFailure.create({
            type: FailureType.DestinationUnavailable,
            message: 'crm answered 503',
            details: [{ attempt: 1, httpStatus: 503, retryInMs: 50 }],
          });
        },
      };
      const taskQueue = uniqueTaskQueue('claim-activity');
      await startWorker(taskQueue, dataConverter, activities);
      const event = samplePointsIssued();
      const outcome = await client.workflow
        .execute<typeof relayEvent>('relayEvent', { taskQueue, workflowId: workflowIdFor(event.source, event.id), args: [{ event }] })
        .catch(outcomeOfFailedRun);
      // The local first attempt ran; the retry's input could not be read, and was not retried.
      assert.deepEqual(calls, [{ local: true }]);
      assert.equal(outcome.destinations[0]?.status, 'failed');
      assert.equal(outcome.destinations[0]?.error?.type, FailureType.PayloadUnavailable);
      assert.match(outcome.destinations[0]?.error?.message ?? '', /not in the configuration database/);
    },
  );
});
