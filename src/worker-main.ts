/** The worker alone (production runs it apart from the receiver): `npm run start:worker`. */
import { ConfigError } from './config/load';
import { EnvError, parseEnv } from './env';
import { createLogger, installRuntime, openConfig, onShutdownSignal, startWorkerPart } from './run';

async function main(): Promise<void> {
  const env = parseEnv();
  const logger = createLogger(env.LOG_LEVEL, 'loyalty-relay-worker');
  const config = await openConfig(env, logger);
  installRuntime(logger);
  const worker = await startWorkerPart(env, env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233', config.store, logger, config.allowPrivateNetworks);
  onShutdownSignal(logger, async () => {
    await worker.stop();
    await config.close();
  });
}

main().catch((e: unknown) => {
  const known = e instanceof ConfigError || e instanceof EnvError;
  process.stderr.write(`loyalty-relay worker: ${known ? e.message : e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
