/** Builds the Temporal worker that runs relayEvent workflows and their activities. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import { NativeConnection, Runtime, Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivities, type ActivityDeps } from '../../activities';
import { createRedeliveryActivities } from '../../activities/redelivery';
import type { TemporalConnectionOptions } from '../temporal/connection';
import { cachedWorkflowBundle } from '../temporal/workflow-bundle';

export interface RelayWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  deps: ActivityDeps;
  /** The relay's data converter (src/payloads/data-converter.ts): payloads are sealed before they reach Temporal. */
  dataConverter: DataConverter;
  /** A prebuilt bundle (tests build one per file); otherwise the worker bundles workflows/ at start. */
  workflowBundle?: WorkerOptions['workflowBundle'];
  /** Keep the built workflow bundle here, keyed by a hash of the workflow sources (skips webpack on restarts). */
  bundleCacheDir?: string;
  /** How long in-flight activities may run after shutdown is requested. */
  shutdownGraceTime?: WorkerOptions['shutdownGraceTime'];
}

export function workflowsPath(): string {
  return require.resolve('../../workflows');
}

/**
 * The bundle `npm run build` wrote beside the compiled code (dist/workflow-bundle.js, next to
 * dist/src/), built with it from the same sources: the production worker loads it and neither
 * runs webpack nor writes a cache. From the TypeScript sources (tsx) there is none.
 */
export function prebuiltWorkflowBundle(): string | undefined {
  const file = join(__dirname, '..', '..', 'workflow-bundle.js');
  return existsSync(file) ? file : undefined;
}

export async function createRelayWorker(options: RelayWorkerOptions): Promise<Worker> {
  const prebuilt = options.workflowBundle ? undefined : prebuiltWorkflowBundle();
  if (prebuilt) Runtime.instance().logger.info(`workflow bundle: ${prebuilt} (prebuilt by npm run build)`);
  const bundle =
    options.workflowBundle ??
    (prebuilt ? { codePath: prebuilt } : undefined) ??
    (options.bundleCacheDir
      ? await cachedWorkflowBundle(workflowsPath(), options.bundleCacheDir, (m) => {
          Runtime.instance().logger.info(m);
        })
      : undefined);
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    ...(bundle ? { workflowBundle: bundle } : { workflowsPath: workflowsPath() }),
    activities: {
      ...createActivities(options.deps),
      // The bulk redelivery lists runs and sends them Updates: a client on the worker's connection,
      // with the worker's data converter (the runs' payloads are encoded with it).
      ...createRedeliveryActivities(
        new Client({
          connection: options.connection,
          namespace: options.namespace,
          dataConverter: options.dataConverter,
        }),
        options.deps.watch?.redeliveryCompleted?.bind(options.deps.watch),
      ),
    },
    dataConverter: options.dataConverter,
    shutdownGraceTime: options.shutdownGraceTime ?? '30s',
  });
}

export async function connectWorker(options: TemporalConnectionOptions): Promise<NativeConnection> {
  return NativeConnection.connect(options);
}
