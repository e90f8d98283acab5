/**
 * `npm start`: the whole relay in one process. With no TEMPORAL_ADDRESS it embeds a Temporal
 * dev server (SQLite in the data folder, Web UI on TEMPORAL_UI_PORT); with one, it runs only
 * the worker and the receiver against that cluster.
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseEnv } from '../wiring/env';
import { createRegistry } from '../telemetry/metrics';
import { logFormat } from '../telemetry/logger';
import { resolveTemporalCli } from '../temporal/cli';
import { startDevServer, type DevServer } from '../temporal/dev-server';
import {
  createLogger,
  installRuntime,
  startErrorText,
  openConfig,
  onShutdownSignal,
  startReceiverPart,
  startWorkerPart,
  embeddedUiCodec,
  type EmbeddedUiCodec,
  type RunningPart,
} from '../wiring/run';

async function main(): Promise<void> {
  const env = parseEnv();
  const logger = createLogger(env.LOG_LEVEL, undefined, undefined, logFormat(env.RELAY_LOG_FORMAT));
  const config = await openConfig(env, logger, { applyFile: true, alerts: true });
  installRuntime(logger);

  let dev: DevServer | undefined;
  let embeddedUi: EmbeddedUiCodec | undefined;
  let address = env.TEMPORAL_ADDRESS;
  if (!address) {
    // The UI decodes payloads through the receiver's codec endpoint (its port must be known now).
    const uiCodec = env.TEMPORAL_UI_PORT > 0 && env.PORT > 0 ? embeddedUiCodec(env, env.TEMPORAL_UI_PORT) : undefined;
    if (env.TEMPORAL_UI_PORT > 0 && !uiCodec)
      logger.warn('PORT=0: the embedded Web UI shows payloads encrypted (its codec endpoint needs a fixed PORT)');
    embeddedUi = uiCodec;
    const cli = resolveTemporalCli(process.env, (m) => logger.info(m));
    const dataDir = resolve(env.RELAY_DATA_DIR);
    mkdirSync(dataDir, { recursive: true });
    dev = await startDevServer({
      cli,
      dbFilename: join(dataDir, 'temporal.db'),
      port: env.TEMPORAL_DEV_PORT,
      // 0: no Web UI (headless servers, tests).
      ...(env.TEMPORAL_UI_PORT > 0 ? { uiPort: env.TEMPORAL_UI_PORT } : {}),
      metricsPort: env.TEMPORAL_DEV_METRICS_PORT,
      ...(uiCodec ? { codecEndpoint: uiCodec.endpoint } : {}),
    });
    address = dev.address;
    const ui = env.TEMPORAL_UI_PORT > 0 ? `http://localhost:${env.TEMPORAL_UI_PORT}` : 'off (TEMPORAL_UI_PORT=0)';
    const metrics = env.TEMPORAL_DEV_METRICS_PORT > 0 ? `http://localhost:${env.TEMPORAL_DEV_METRICS_PORT}/metrics` : 'random port';
    logger.info({ address, ui, metrics, cli: cli.description }, 'embedded Temporal dev server running');
  }

  const parts: RunningPart[] = [];
  // One registry: the receiver's /metrics serves ingest and delivery metrics together.
  const registry = createRegistry();
  try {
    const worker = await startWorkerPart(env, address, config, logger, registry);
    parts.push(worker);
    parts.push(await startReceiverPart(env, address, config, logger, { workerConnection: worker.connection, embeddedUi, registry }));
  } catch (e) {
    for (const p of parts.reverse()) await p.stop().catch(() => undefined);
    await dev?.stop();
    await config.close();
    throw e;
  }
  const [worker, receiver] = parts;
  onShutdownSignal(logger, async () => {
    await receiver?.stop();
    await worker?.stop();
    await dev?.stop();
    await config.close();
  });
}

main().catch((e: unknown) => {
  process.stderr.write(`loyalty-relay: ${startErrorText(e)}\n`);
  process.exit(1);
});
