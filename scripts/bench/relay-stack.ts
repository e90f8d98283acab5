/**
 * The relay under test, as production runs it, against TEMPORAL_ADDRESS, delivering to the
 * local HTTPS sink and enriching from the local loyalty API. Three ways (`mode`):
 * - separate: `src/worker-main.ts` and `src/receiver-main.ts` as two processes (no eager start);
 * - eager: `src/main.ts` (`npm start`), worker and receiver in one process, runs started with
 *   Eager Workflow Start on the worker's connection (RELAY_EAGER_START=true);
 * - combined: the same one process with RELAY_EAGER_START=false.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '../../test/helpers/ports';
import { randomBytes } from 'node:crypto';
import { createTestDatabase } from '../../test/helpers/database';
import type { StackMode } from './args';
import { spawnTs, type Child } from './proc';

/** The relay's task queue in the harness (the default of TEMPORAL_TASK_QUEUE). */
export const RELAY_TASK_QUEUE = 'loyalty-relay';

export interface RelayStackOptions {
  temporalAddress: string;
  configFile: string;
  sinkCa: string;
  loyaltyApiUrl: string;
  dir: string;
  taskQueue?: string;
  extraEnv?: Record<string, string>;
  /** Default separate. */
  mode?: StackMode;
  /** Appended to the processes' log names: two stacks of one mode in a run (--codec on,off) must not share a log. */
  logSuffix?: string;
}

export interface RelayStack {
  mode: StackMode;
  receiverUrl: string;
  /** The worker's process (in the one-process modes, the same as receiver()). */
  worker(): Child;
  receiver(): Child;
  /** Start the worker (again): in the one-process modes this restarts the whole process. */
  startWorker(): Promise<void>;
  /** Seconds from spawning each worker process to its 'worker running' log line (and 'receiver listening', in one process). */
  workerStartSeconds: number[];
  stop(): Promise<void>;
}

export async function startRelayStack(o: RelayStackOptions): Promise<RelayStack> {
  const caFile = join(o.dir, 'sink-ca.pem');
  writeFileSync(caFile, o.sinkCa);
  const port = await freePort();
  // Worker and receiver are two processes: they share a throwaway database on the local
  // PostgreSQL (TEST_DATABASE_URL); the receiver applies the file to it at start.
  const database = await createTestDatabase();
  const env = {
    DATABASE_URL: database.url,
    RELAY_MASTER_KEY: randomBytes(32).toString('base64'),
    TEMPORAL_ADDRESS: o.temporalAddress,
    TEMPORAL_TASK_QUEUE: o.taskQueue ?? RELAY_TASK_QUEUE,
    RELAY_CONFIG: o.configFile,
    RELAY_EXTRA_CA_CERTS: caFile,
    LOYALTY_API_URL: o.loyaltyApiUrl,
    LOG_LEVEL: 'info',
    PORT: String(port),
    HOST: '127.0.0.1',
    ...o.extraEnv,
  };
  const mode = o.mode ?? 'separate';
  const suffix = o.logSuffix ?? '';
  if (mode !== 'separate') return startOneProcess(mode, env, port, o.dir, () => database.drop(), suffix);
  let worker: Child | undefined;
  let generation = 0;
  const workerStartSeconds: number[] = [];
  const startWorker = async () => {
    generation += 1;
    const started = Date.now();
    worker = spawnTs(`${generation === 1 ? 'worker' : `worker-${generation}`}${suffix}`, 'src/worker-main.ts', env, o.dir);
    await worker.waitForLog('worker running', 180_000);
    workerStartSeconds.push(Math.round((Date.now() - started) / 100) / 10);
  };
  const receiver = spawnTs(`receiver${suffix}`, 'src/receiver-main.ts', env, o.dir);
  await Promise.all([startWorker(), receiver.waitForLog('receiver listening', 60_000)]);
  return {
    mode,
    receiverUrl: `http://127.0.0.1:${port}`,
    worker: () => worker as Child,
    receiver: () => receiver,
    startWorker,
    workerStartSeconds,
    async stop() {
      await receiver.stop('SIGTERM', 10_000);
      await worker?.stop('SIGTERM', 10_000);
      await database.drop();
    },
  };
}

/** `npm start`'s entry point with TEMPORAL_ADDRESS set: worker and receiver in one process. */
async function startOneProcess(
  mode: 'eager' | 'combined',
  env: Record<string, string>,
  port: number,
  dir: string,
  dropDatabase: () => Promise<void>,
  suffix: string,
): Promise<RelayStack> {
  let relay: Child | undefined;
  let generation = 0;
  const workerStartSeconds: number[] = [];
  const startWorker = async () => {
    generation += 1;
    const started = Date.now();
    const name = `relay-${mode}${generation === 1 ? '' : `-${generation}`}${suffix}`;
    const child = spawnTs(name, 'src/main.ts', { ...env, RELAY_EAGER_START: String(mode === 'eager') }, dir);
    relay = child;
    await child.waitForLog('worker running', 180_000);
    await child.waitForLog('receiver listening', 60_000);
    workerStartSeconds.push(Math.round((Date.now() - started) / 100) / 10);
    // The receiver logs whether it starts runs eagerly: the mode must be what was asked for.
    const eager = /"eagerStart":(true|false)/.exec(child.log())?.[1];
    if (eager !== String(mode === 'eager'))
      throw new Error(`${name}: expected eagerStart ${mode === 'eager'} in its log, found ${eager ?? 'nothing'}`);
  };
  try {
    await startWorker();
  } catch (e) {
    await relay?.stop('SIGTERM', 10_000);
    await dropDatabase();
    throw e;
  }
  return {
    mode,
    receiverUrl: `http://127.0.0.1:${port}`,
    worker: () => relay as Child,
    receiver: () => relay as Child,
    startWorker,
    workerStartSeconds,
    async stop() {
      await relay?.stop('SIGTERM', 10_000);
      await dropDatabase();
    },
  };
}
