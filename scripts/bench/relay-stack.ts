/**
 * The relay under test, as production runs it, against TEMPORAL_ADDRESS, delivering to the
 * local HTTPS sink and enriching from the local loyalty API. Three ways (`mode`):
 * - separate: `src/entry/worker-main.ts` and `src/entry/receiver-main.ts` as two processes (no eager start),
 *   or as `workers` + `receivers` processes (the chaos harness's production shape: every
 *   receiver on its own port, all on one store and one task queue);
 * - eager: `src/entry/main.ts` (`npm start`), worker and receiver in one process, runs started with
 *   Eager Workflow Start on the worker's connection (RELAY_EAGER_START=true);
 * - combined: the same one process with RELAY_EAGER_START=false.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '../../test/helpers/ports';
import { randomBytes } from 'node:crypto';
import { createTestDatabase } from '../../test/helpers/database';
import type { StackMode } from './args';
import { profileArgs, spawnTs, type Child } from './proc';

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
  /** separate only: how many worker and receiver processes (default 1 each). */
  workers?: number;
  receivers?: number;
  /** Write each process's CPU profile (node --cpu-prof) under this folder, one subfolder per process. */
  profileDir?: string;
}

export interface RelayStack {
  mode: StackMode;
  /** The first receiver's base URL. */
  receiverUrl: string;
  /** Every receiver's base URL (one unless `receivers` asked for more). */
  receiverUrls: string[];
  /** The configuration store the processes share. */
  databaseUrl: string;
  /** RELAY_MASTER_KEY of its processes (the payload codec's key). */
  masterKey: Buffer;
  /** Worker process `index` (default the first; in the one-process modes, the same as receiver()). */
  worker(index?: number): Child;
  receiver(index?: number): Child;
  /** Start worker `index` (again): in the one-process modes this restarts the whole process. */
  startWorker(index?: number): Promise<void>;
  /** Start receiver `index` again after it was stopped (separate mode only). */
  startReceiver(index: number): Promise<void>;
  /** Seconds from spawning each worker process to its 'worker running' log line (and 'receiver listening', in one process). */
  workerStartSeconds: number[];
  stop(): Promise<void>;
}

export async function startRelayStack(o: RelayStackOptions): Promise<RelayStack> {
  const caFile = join(o.dir, 'sink-ca.pem');
  writeFileSync(caFile, o.sinkCa);
  const workerCount = o.workers ?? 1;
  const receiverCount = o.receivers ?? 1;
  const ports: number[] = [];
  for (let i = 0; i < receiverCount; i++) ports.push(await freePort());
  // Worker and receiver are separate processes: they share a throwaway database on the local
  // PostgreSQL (TEST_DATABASE_URL); each receiver applies the file to it at start.
  const database = await createTestDatabase();
  const masterKey = randomBytes(32);
  const env = {
    DATABASE_URL: database.url,
    RELAY_MASTER_KEY: masterKey.toString('base64'),
    TEMPORAL_ADDRESS: o.temporalAddress,
    TEMPORAL_TASK_QUEUE: o.taskQueue ?? RELAY_TASK_QUEUE,
    RELAY_CONFIG: o.configFile,
    RELAY_EXTRA_CA_CERTS: caFile,
    LOYALTY_API_URL: o.loyaltyApiUrl,
    LOG_LEVEL: 'info',
    PORT: String(ports[0]),
    HOST: '127.0.0.1',
    ...o.extraEnv,
  };
  const mode = o.mode ?? 'separate';
  const suffix = o.logSuffix ?? '';
  /** A relay process, its log in the run's folder (and its CPU profile under profileDir). */
  const spawn: SpawnRelay = (name, entry, childEnv) => spawnTs(name, entry, childEnv, o.dir, profileArgs(o.profileDir, name));
  if (mode !== 'separate') {
    if (workerCount > 1 || receiverCount > 1) throw new Error(`${mode}: one process only; more workers or receivers need mode separate`);
    return startOneProcess(mode, { env, port: ports[0] as number, database, masterKey, suffix, spawn });
  }
  const workers: (Child | undefined)[] = [];
  const receivers: (Child | undefined)[] = [];
  const starts = new Map<string, number>();
  const workerStartSeconds: number[] = [];
  // Log files are per process and generation: worker, worker-2 (its restart), worker-b (the second worker)…
  const nameFor = (kind: string, index: number) => {
    const base = index === 0 ? kind : `${kind}-${String.fromCharCode(97 + index)}`;
    const generation = (starts.get(base) ?? 0) + 1;
    starts.set(base, generation);
    return `${generation === 1 ? base : `${base}-${generation}`}${suffix}`;
  };
  const startWorker = async (index = 0) => {
    const started = Date.now();
    const child = spawn(nameFor('worker', index), 'src/entry/worker-main.ts', env);
    workers[index] = child;
    await child.waitForLog('worker running', 180_000);
    workerStartSeconds.push(Math.round((Date.now() - started) / 100) / 10);
  };
  const startReceiver = async (index: number) => {
    const child = spawn(nameFor('receiver', index), 'src/entry/receiver-main.ts', { ...env, PORT: String(ports[index]) });
    receivers[index] = child;
    await child.waitForLog('receiver listening', 60_000);
  };
  const stopAll = async () => {
    for (const c of [...receivers, ...workers]) await c?.stop('SIGTERM', 10_000);
    await database.drop();
  };
  try {
    // Receivers one after another: each applies the configuration file at start.
    const workersReady = Promise.all(Array.from({ length: workerCount }, (_, i) => startWorker(i)));
    for (let i = 0; i < receiverCount; i++) await startReceiver(i);
    await workersReady;
  } catch (e) {
    await stopAll();
    throw e;
  }
  const pick = (list: (Child | undefined)[], kind: string, index: number): Child => {
    const c = list[index];
    if (!c) throw new Error(`no ${kind} ${index}`);
    return c;
  };
  return {
    mode,
    receiverUrl: `http://127.0.0.1:${ports[0]}`,
    receiverUrls: ports.map((p) => `http://127.0.0.1:${p}`),
    databaseUrl: database.url,
    masterKey,
    worker: (index = 0) => pick(workers, 'worker', index),
    receiver: (index = 0) => pick(receivers, 'receiver', index),
    startWorker,
    startReceiver,
    workerStartSeconds,
    stop: stopAll,
  };
}

type SpawnRelay = (name: string, entry: string, env: Record<string, string>) => Child;

/** `npm start`'s entry point with TEMPORAL_ADDRESS set: worker and receiver in one process. */
async function startOneProcess(
  mode: 'eager' | 'combined',
  s: {
    env: Record<string, string>;
    port: number;
    database: { url: string; drop(): Promise<void> };
    masterKey: Buffer;
    suffix: string;
    spawn: SpawnRelay;
  },
): Promise<RelayStack> {
  let relay: Child | undefined;
  let generation = 0;
  const workerStartSeconds: number[] = [];
  const startWorker = async (index = 0) => {
    if (index !== 0) throw new Error(`${mode}: one process only`);
    generation += 1;
    const started = Date.now();
    const name = `relay-${mode}${generation === 1 ? '' : `-${generation}`}${s.suffix}`;
    const child = s.spawn(name, 'src/entry/main.ts', { ...s.env, RELAY_EAGER_START: String(mode === 'eager') });
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
    await s.database.drop();
    throw e;
  }
  return {
    mode,
    receiverUrl: `http://127.0.0.1:${s.port}`,
    receiverUrls: [`http://127.0.0.1:${s.port}`],
    databaseUrl: s.database.url,
    masterKey: s.masterKey,
    worker: () => relay as Child,
    receiver: () => relay as Child,
    startWorker,
    startReceiver: () => Promise.reject(new Error(`${mode}: the receiver is the worker's process; use startWorker`)),
    workerStartSeconds,
    async stop() {
      await relay?.stop('SIGTERM', 10_000);
      await s.database.drop();
    },
  };
}
