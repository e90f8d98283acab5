/** The receiver alone (production runs it apart from the worker): `npm run start:receiver`. */
import { ConfigError } from './config/load';
import { EnvError, parseEnv } from './env';
import { createLogger, loadStore, onShutdownSignal, startReceiverPart } from './run';

async function main(): Promise<void> {
  const env = parseEnv();
  const logger = createLogger(env.LOG_LEVEL, 'loyalty-relay-receiver');
  const store = loadStore(env);
  const receiver = await startReceiverPart(env, env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233', store, logger);
  onShutdownSignal(logger, () => receiver.stop());
}

main().catch((e: unknown) => {
  const known = e instanceof ConfigError || e instanceof EnvError;
  process.stderr.write(`loyalty-relay receiver: ${known ? e.message : e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
