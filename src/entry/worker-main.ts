/** The worker alone (production runs it apart from the receiver): `npm run start:worker`. */
import { parseEnv } from '../wiring/env';
import { logFormat } from '../telemetry/logger';
import { createLogger, startErrorText, installRuntime, openConfig, onShutdownSignal, startWorkerPart } from '../wiring/run';

async function main(): Promise<void> {
  const env = parseEnv();
  const logger = createLogger(env.LOG_LEVEL, 'loyalty-relay-worker', undefined, logFormat(env.RELAY_LOG_FORMAT));
  const config = await openConfig(env, logger, { alerts: true });
  installRuntime(logger);
  const worker = await startWorkerPart(env, env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233', config, logger);
  onShutdownSignal(logger, async () => {
    await worker.stop();
    await config.close();
  });
}

main().catch((e: unknown) => {
  process.stderr.write(`loyalty-relay worker: ${startErrorText(e)}\n`);
  process.exit(1);
});
