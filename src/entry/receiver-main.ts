/** The receiver alone (production runs it apart from the worker): `npm run start:receiver`. */
import { parseEnv } from '../wiring/env';
import { logFormat } from '../telemetry/logger';
import { createLogger, startErrorText, openConfig, onShutdownSignal, startReceiverPart } from '../wiring/run';

async function main(): Promise<void> {
  const env = parseEnv();
  const logger = createLogger(env.LOG_LEVEL, 'loyalty-relay-receiver', undefined, logFormat(env.RELAY_LOG_FORMAT));
  // The receiver applies RELAY_CONFIG (the worker only reads the store).
  const config = await openConfig(env, logger, { applyFile: true });
  const receiver = await startReceiverPart(env, env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233', config, logger);
  onShutdownSignal(logger, async () => {
    await receiver.stop();
    await config.close();
  });
}

main().catch((e: unknown) => {
  process.stderr.write(`loyalty-relay receiver: ${startErrorText(e)}\n`);
  process.exit(1);
});
