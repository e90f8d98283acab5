/**
 * The relay under test, as production runs it: `src/worker-main.ts` and
 * `src/receiver-main.ts` as separate processes against TEMPORAL_ADDRESS, delivering to the
 * local HTTPS sink and enriching from the local loyalty API.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '../../test/helpers/ports';
import { randomBytes } from 'node:crypto';
import { createTestDatabase } from '../../test/helpers/database';
import { spawnTs, type Child } from './proc';

export interface RelayStackOptions {
  temporalAddress: string;
  configFile: string;
  sinkCa: string;
  loyaltyApiUrl: string;
  dir: string;
  taskQueue?: string;
  extraEnv?: Record<string, string>;
}

export interface RelayStack {
  receiverUrl: string;
  worker(): Child;
  receiver(): Child;
  startWorker(): Promise<void>;
  /** Seconds from spawning each worker process to its 'worker running' log line. */
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
    TEMPORAL_TASK_QUEUE: o.taskQueue ?? 'loyalty-relay',
    RELAY_CONFIG: o.configFile,
    RELAY_EXTRA_CA_CERTS: caFile,
    LOYALTY_API_URL: o.loyaltyApiUrl,
    LOG_LEVEL: 'info',
    PORT: String(port),
    HOST: '127.0.0.1',
    ...o.extraEnv,
  };
  let worker: Child | undefined;
  let generation = 0;
  const workerStartSeconds: number[] = [];
  const startWorker = async () => {
    generation += 1;
    const started = Date.now();
    worker = spawnTs(generation === 1 ? 'worker' : `worker-${generation}`, 'src/worker-main.ts', env, o.dir);
    await worker.waitForLog('worker running', 180_000);
    workerStartSeconds.push(Math.round((Date.now() - started) / 100) / 10);
  };
  const receiver = spawnTs('receiver', 'src/receiver-main.ts', env, o.dir);
  await Promise.all([startWorker(), receiver.waitForLog('receiver listening', 60_000)]);
  return {
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
