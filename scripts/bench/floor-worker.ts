/**
 * The floor worker (a separate process, like the relay's worker): runs benchFloor on the
 * `bench-floor` task queue with the SDK's default worker options.
 * Env: TEMPORAL_ADDRESS.
 */
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';

const activities = {
  async noop(): Promise<void> {},
};
export type FloorActivities = typeof activities;

export const FLOOR_TASK_QUEUE = 'bench-floor';

async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('WARN'), shutdownSignals: [] });
  const connection = await NativeConnection.connect({ address: process.env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233' });
  const worker = await Worker.create({
    connection,
    taskQueue: FLOOR_TASK_QUEUE,
    workflowsPath: require.resolve('./floor-workflows'),
    activities,
  });
  const running = worker.run();
  process.stdout.write('floor worker running\n');
  process.on('SIGTERM', () => worker.shutdown());
  await running;
  await connection.close();
}

if (require.main === module) {
  main().catch((e: unknown) => {
    process.stderr.write(`floor worker: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  });
}
