/** A real Temporal dev server for one test file, in memory, with the relay's search attributes. */
import { randomUUID } from 'node:crypto';
import { bundleWorkflowCode, Runtime, DefaultLogger, Worker, type WorkflowBundle } from '@temporalio/worker';
import { createActivities, type ActivityDeps, type RelayActivities } from '../../activities';
import { workflowIdFor, type CanonicalEvent } from '../../src/model/canonical-event';
import { resolveTemporalCli } from '../../src/temporal/cli';
import { startDevServer, type DevServer } from '../../src/temporal/dev-server';
import { createRelayWorker, workflowsPath } from '../../src/wiring/worker';
import { FAILURE_CONVERTER_PATH, relayDataConverter, relayPayloadCodecs } from '../../src/payloads/data-converter';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { relayEvent, RelayEventOutcome, RelayEventResult } from '../../workflows';

/**
 * The master key of the tests' payload encryption: fixed, so histories recorded by the tests
 * (test/replay) replay with it; a test that needs another key makes its own converter.
 */
export const TEST_MASTER_KEY = Buffer.from('6c6f79616c74792d72656c61792074657374206d6173746572206b6579212121', 'hex');

/** The relay's data converter as the tests use it: every payload sealed, as in production. */
export function testDataConverter() {
  return relayDataConverter({ keys: { current: TEST_MASTER_KEY } });
}

/** The relay's codec chain under the test key (to decode what tests read raw from history). */
export function testPayloadCodecs() {
  return relayPayloadCodecs({ keys: { current: TEST_MASTER_KEY } });
}

let runtimeInstalled = false;

/** Quiet SDK logs in tests: warnings and errors only. */
function installQuietRuntime(): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  Runtime.install({ logger: new DefaultLogger('WARN'), shutdownSignals: [] });
}

export async function startTestTemporal(): Promise<DevServer> {
  installQuietRuntime();
  const cli = resolveTemporalCli(process.env, () => undefined, { build: false });
  return startDevServer({ cli, dataConverter: testDataConverter() });
}

let bundle: Promise<WorkflowBundle> | undefined;

/** The workflow bundle, built once per test file. */
export function testBundle(): Promise<WorkflowBundle> {
  bundle ??= bundleWorkflowCode({
    workflowsPath: workflowsPath(),
    failureConverterPath: FAILURE_CONVERTER_PATH,
    logger: new DefaultLogger('WARN'),
  });
  return bundle;
}

export function uniqueTaskQueue(prefix = 'test'): string {
  return `${prefix}-${randomUUID()}`;
}

export interface RelayWorker {
  taskQueue: string;
  /**
   * Run relayEvent for this event (workflow id derived as the receiver does) and wait for its
   * end: the result of a completed run, or the outcome a Failed run carries (a run that parked
   * and was not redelivered within its parking period — give tests a short one).
   */
  run: (event: CanonicalEvent) => Promise<RelayEventResult | RelayEventOutcome>;
  /** Shut the worker down and wait for it. */
  stop(): Promise<void>;
}

/** A relay worker with these activity dependencies, polling a fresh task queue of `server`. */
export async function startRelayWorker(server: DevServer, deps: ActivityDeps, prefix = 'relay'): Promise<RelayWorker> {
  const worker = await startStubWorker(server, createActivities(deps), prefix);
  const { taskQueue } = worker;
  return {
    taskQueue,
    stop: () => worker.stop(),
    run: (event) =>
      server.env.client.workflow
        .execute<typeof relayEvent>('relayEvent', {
          taskQueue,
          workflowId: workflowIdFor(event.source, event.id),
          args: [{ event }],
        })
        .catch(outcomeOfFailedRun),
  };
}

/**
 * A worker whose activities are the given stubs (the fast workflow tier: no HTTP, no database).
 * Activities not given throw, so a test states every one its run may call.
 */
export async function startStubWorker(
  server: DevServer,
  activities: Partial<RelayActivities>,
  prefix = 'stub',
): Promise<{ taskQueue: string; stop(): Promise<void> }> {
  const taskQueue = uniqueTaskQueue(prefix);
  const worker = await Worker.create({
    connection: server.env.nativeConnection,
    namespace: server.namespace,
    taskQueue,
    workflowBundle: await testBundle(),
    dataConverter: testDataConverter(),
    activities,
  });
  return runWorker(worker, taskQueue);
}

/**
 * The relay's worker as production creates it (createRelayWorker: relayEvent's activities and
 * the bulk redelivery's), with the tests' bundle and data converter, on a fresh task queue of `server`.
 */
export async function startWiredRelayWorker(
  server: DevServer,
  deps: ActivityDeps,
  prefix = 'relay',
): Promise<{ taskQueue: string; stop(): Promise<void> }> {
  const taskQueue = uniqueTaskQueue(prefix);
  const worker = await createRelayWorker({
    connection: server.env.nativeConnection,
    namespace: server.namespace,
    taskQueue,
    deps,
    workflowBundle: await testBundle(),
    dataConverter: testDataConverter(),
  });
  return runWorker(worker, taskQueue);
}

function runWorker(worker: Worker, taskQueue: string): { taskQueue: string; stop(): Promise<void> } {
  const running = worker.run();
  return {
    taskQueue,
    async stop() {
      worker.shutdown();
      await running;
    },
  };
}

/** The outcome a Failed run carries in its failure's details (rethrows anything else). */
export function outcomeOfFailedRun(err: unknown): RelayEventOutcome {
  const cause = err instanceof WorkflowFailedError ? err.cause : undefined;
  const outcome = cause instanceof ApplicationFailure ? (cause.details?.[0] as RelayEventOutcome | undefined) : undefined;
  if (!outcome) throw err;
  return outcome;
}
