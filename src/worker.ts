/** Builds the Temporal worker that runs relayEvent workflows and their activities. */
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivities, type ActivityDeps } from '../activities';
import type { TemporalConnectionOptions } from './temporal/connection';

export interface RelayWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  deps: ActivityDeps;
  /** A prebuilt bundle (tests build one per file); otherwise the worker bundles workflows/ at start. */
  workflowBundle?: WorkerOptions['workflowBundle'];
  /** How long in-flight activities may run after shutdown is requested. */
  shutdownGraceTime?: WorkerOptions['shutdownGraceTime'];
}

export function workflowsPath(): string {
  return require.resolve('../workflows');
}

export async function createRelayWorker(options: RelayWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    ...(options.workflowBundle ? { workflowBundle: options.workflowBundle } : { workflowsPath: workflowsPath() }),
    activities: createActivities(options.deps),
    shutdownGraceTime: options.shutdownGraceTime ?? '30s',
  });
}

export async function connectWorker(options: TemporalConnectionOptions): Promise<NativeConnection> {
  return NativeConnection.connect(options);
}
