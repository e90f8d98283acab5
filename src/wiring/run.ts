/**
 * Composition of the relay's processes from the environment: the only place (with the
 * entry points) that reads configuration and builds clients. `src/entry/main.ts` runs everything in
 * one process; `worker-main.ts` and `receiver-main.ts` there run one part each.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { join, resolve } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { Runtime, type NativeConnection } from '@temporalio/worker';
import type { ActivityDeps } from '../../activities';
import type { HealthDeps } from '../api/destination-health';
import { openApiDocument } from '../api/openapi';
import { eventTypes } from '../api/event-types';
import { ConfigAdmin } from '../config/admin';
import { applyConfig, applySummary } from '../config/apply';
import { ConfigError, loadConfigFile, loadUnappliedBlocks, urlRulesFromEnv } from '../config/load';
import type { AlertWebhook } from '../alerts/outbox';
import { PgConfigStore } from '../config/pg-store';
import { CachedConfigStore, listenForConfigChanges, type ConfigListener } from '../config/cached-store';
import type { ConfigStore } from '../config/store';
import { DatabaseConnectionError, openDatabase, type Database } from '../db/database';
import { FolderLockedError } from '../db/folder-lock';
import { migrate, MigrationError } from '../db/migrate';
import { createSecretBox, MasterKeyError, masterKeysFromEnv, SecretBoxError, type SecretBox } from '../db/secrets';
import { EnvError, trustProxySetting, type RelayEnv } from './env';
import { TemporalCliUnavailableError } from '../temporal/cli';
import { createHttpClient, type HttpClient } from '../http/client';
import type { ConcurrencyLimiter } from '../http/limiter';
import { createPgConcurrencyLimiter } from '../http/pg-limiter';
import { createLogger, sdkLogger, type Logger } from '../telemetry/logger';
import { createLoyaltyApi } from '../enrichment/loyalty-api';
import type { Registry } from 'prom-client';
import { createDeliveryMetrics, createMetrics, createRegistry, serveMetrics } from '../telemetry/metrics';
import { createOpsGauges } from '../telemetry/metrics-ops';
import { createReceiverApp } from '../receiver/app';
import { listenReceiver } from '../receiver/listen';
import { createTemporalStarter } from '../receiver/starter';
import { createAuthThrottle } from '../http/inbound/throttle';
import { createTokenService } from '../receiver/tokens';
import { connectionOptionsFromEnv } from '../temporal/connection';
import { LegacyRunsError, refuseLegacyRuns } from '../temporal/drain-check';
import { wakeHeldRuns } from '../temporal/held-runs';
import { connectWorker, createRelayWorker } from './worker';
import {
  codecOptionsFor,
  codecOptionsFromEnv,
  relayDataConverter,
  relayPayloadCodecs,
  type RelayCodecOptions,
} from '../payloads/data-converter';
import { ClaimCheckCodec } from '../payloads/claim-check';
import { namespaceRetentionSeconds, startClaimCleanupJob } from '../payloads/claim-cleanup';
import { ClaimStore } from '../payloads/claim-store';
import { Breaker } from '../breaker/breaker';
import { startOperationsJob } from '../breaker/job';
import { DeliveryStats, STATS_FLUSH_MS } from '../breaker/delivery-stats';
import { PgDeliveryWatch } from '../../activities/breaker-watch';

/** The configuration database, migrated, with the store (reads) and the admin (writes) over it. */
export interface ConfigParts {
  db: Database;
  box: SecretBox;
  store: ConfigStore;
  admin: ConfigAdmin;
  /** CIDR ranges destinations may reach although private (RELAY_ALLOW_PRIVATE_NETWORKS + the file's outbound). */
  allowPrivateNetworks: string[];
  /** Large payloads' home (claim check) in this same database: every Client and Worker of the process needs it. */
  claims: ClaimCheckParts;
  /** Where the worker sends operational alerts: RELAY_CONFIG's `alerts` block or RELAY_ALERT_WEBHOOK_URL/_SECRET (never both). */
  alertWebhook?: AlertWebhook;
  /** The payload codecs of every Client and Worker of the process: the master keys read above, the encryption switch, the claim check. */
  codec: RelayCodecOptions;
  close(): Promise<void>;
}

/**
 * What the worker and receiver parts take of the process's configuration: its ConfigParts, or
 * a store alone (scripts/ui-check.ts: no claim check, no breaker; the codec from the environment).
 */
export type PartConfig = Pick<ConfigParts, 'store'> &
  Partial<Pick<ConfigParts, 'admin' | 'allowPrivateNetworks' | 'claims' | 'alertWebhook' | 'codec'>>;

/** The part's codec options: its configuration's, else (no ConfigParts) read from the environment. */
function partCodec(env: RelayEnv, config: PartConfig, logger: Logger): RelayCodecOptions {
  return config.codec ?? codecOptionsFromEnv(env, (m) => logger.warn(m));
}

/** The claim check of a process: the codec for its data converter, the store for the cleanup job. */
export interface ClaimCheckParts {
  codec: ClaimCheckCodec;
  store: ClaimStore;
  pool: Database['pool'];
}

/**
 * Open (and migrate) the configuration database: PostgreSQL at DATABASE_URL, else the
 * embedded engine in RELAY_DATA_DIR. With `applyFile` and RELAY_CONFIG set, the file is
 * applied first (create or update by name), so the store holds what the file says.
 */
export async function openConfig(
  env: RelayEnv,
  logger: Logger,
  /**
   * `applyFile`: apply RELAY_CONFIG to the store (the receiver, `npm start`). `alerts`: read the
   * file's alert webhook and resolve its secret (the processes that send alerts: the worker,
   * `npm start`); a receiver alone checks the block's shape only and needs no alert secret.
   */
  options: { applyFile?: boolean; alerts?: boolean } = {},
): Promise<ConfigParts> {
  const log = (message: string) => logger.info(message);
  const dataDir = resolve(env.RELAY_DATA_DIR);
  const masterKeys = masterKeysFromEnv(env, { dataDir, log: (m) => logger.warn(m) });
  const box = createSecretBox(masterKeys);
  // Read once, before the database opens: an invalid file stops start-up at once. Without
  // applyFile (the worker) only the outbound policy is read, so the secrets the file references
  // need not be in this process's environment.
  const file =
    env.RELAY_CONFIG && options.applyFile ? loadConfigFile(env.RELAY_CONFIG, process.env, { alerts: options.alerts ?? false }) : undefined;
  // The worker resolves the `alerts` block's own `${…}`s only: its secret, none of the receiver's.
  // Only processes that send alerts read them (not the CLI: it needs no alert secret).
  const blocks =
    env.RELAY_CONFIG && !file ? loadUnappliedBlocks(env.RELAY_CONFIG, process.env, { alerts: options.alerts ?? false }) : undefined;
  const outbound = file?.outbound ?? blocks?.outbound;
  const alertWebhook = options.alerts ? alertWebhookFrom(env, file ? file.alerts : blocks?.alerts) : undefined;
  const db = await openDatabase({ ...(env.DATABASE_URL ? { url: env.DATABASE_URL } : {}), dataDir, log });
  try {
    const applied = await migrate(db.pool, log);
    logger.info({ database: db.description, migrationsApplied: applied }, 'configuration store ready');
    const allowPrivateNetworks = [...(env.RELAY_ALLOW_PRIVATE_NETWORKS ?? []), ...(outbound?.allowPrivateNetworks ?? [])];
    // The API checks URLs as the file is checked: the same allowlist, the receiver's own port.
    const urlRules = urlRulesFromEnv({
      PORT: String(env.PORT),
      HOST: env.HOST,
      RELAY_ALLOW_PRIVATE_NETWORKS: allowPrivateNetworks.join(','),
    });
    const admin = new ConfigAdmin(db.pool, box, urlRules);
    if (file) {
      const report = await applyConfig(admin, file, process.env);
      logger.info(
        { file: env.RELAY_CONFIG, changes: report.changes.filter((c) => c.action !== 'unchanged') },
        `applied ${env.RELAY_CONFIG}: ${applySummary(report)}`,
      );
    }
    // Large payloads go to this database too (also in RELAY_CONFIG file mode: the file is applied into it).
    const claimStore = new ClaimStore(db.pool, masterKeys);
    const claims = {
      codec: new ClaimCheckCodec({ store: claimStore, thresholdBytes: env.RELAY_CLAIM_CHECK_THRESHOLD_BYTES }),
      store: claimStore,
      pool: db.pool,
    };
    // On a PostgreSQL server the source lookups of every event are cached and invalidated by
    // NOTIFY (src/config/cached-store.ts). The embedded engine is one process on one connection:
    // it keeps reading per event.
    const pgStore = new PgConfigStore(db.pool, box);
    let store: ConfigStore = pgStore;
    let listener: ConfigListener | undefined;
    if (db.engine === 'postgres' && env.DATABASE_URL) {
      const cached = new CachedConfigStore(pgStore);
      listener = await listenForConfigChanges(env.DATABASE_URL, cached, log);
      store = cached;
    }
    return {
      db,
      box,
      store,
      admin,
      allowPrivateNetworks,
      claims,
      codec: { ...codecOptionsFor(masterKeys, env, (m) => logger.warn(m)), claimCheck: claims.codec },
      ...(alertWebhook ? { alertWebhook } : {}),
      close: async () => {
        await listener?.close();
        await db.close();
      },
    };
  } catch (e) {
    await db.close().catch(() => undefined);
    throw e;
  }
}

/**
 * The alert webhook: the file's `alerts` block or the environment's RELAY_ALERT_WEBHOOK_URL and
 * _SECRET. Both at once is refused: which one wins would be a guess an operator cannot see.
 */
export function alertWebhookFrom(
  env: Pick<RelayEnv, 'RELAY_ALERT_WEBHOOK_URL' | 'RELAY_ALERT_WEBHOOK_SECRET' | 'RELAY_CONFIG'>,
  fromFile: AlertWebhook | undefined,
): AlertWebhook | undefined {
  if (fromFile && env.RELAY_ALERT_WEBHOOK_URL) {
    throw new ConfigError(env.RELAY_CONFIG ?? '<inline>', [
      { path: 'alerts', message: 'the alert webhook is configured twice: here and by RELAY_ALERT_WEBHOOK_URL; keep one' },
    ]);
  }
  if (fromFile) return fromFile;
  return env.RELAY_ALERT_WEBHOOK_URL && env.RELAY_ALERT_WEBHOOK_SECRET
    ? { url: env.RELAY_ALERT_WEBHOOK_URL, secret: env.RELAY_ALERT_WEBHOOK_SECRET }
    : undefined;
}

/** Errors an operator fixes (configuration, keys, database, CLI): their message is enough, no stack. */
function isOperatorError(e: unknown): e is Error {
  return [
    ConfigError,
    EnvError,
    TemporalCliUnavailableError,
    MasterKeyError,
    SecretBoxError,
    DatabaseConnectionError,
    FolderLockedError,
    MigrationError,
    LegacyRunsError,
  ].some((type) => e instanceof type);
}

/** What an entry point prints when it cannot start: the message of an operator error, else the stack. */
export function startErrorText(e: unknown): string {
  if (isOperatorError(e)) return e.message;
  return `failed to start: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`;
}

export function installRuntime(logger: Logger): void {
  // Signals are handled by the entry points, so shutdown happens in order.
  Runtime.install({ logger: sdkLogger(logger.child({ component: 'temporal' })), shutdownSignals: [] });
}

export function createOutboundHttp(env: RelayEnv, allowPrivateNetworks: string[] = [], limiter?: ConcurrencyLimiter): HttpClient {
  return createHttpClient({
    ...(env.RELAY_EXTRA_CA_CERTS ? { extraCa: readFileSync(env.RELAY_EXTRA_CA_CERTS, 'utf8') } : {}),
    allowPrivateNetworks,
    ...(limiter ? { limiter } : {}),
  });
}

export interface RunningPart {
  /** Graceful stop: resolves when the part has finished its in-flight work. */
  stop(): Promise<void>;
}

export async function startWorkerPart(
  env: RelayEnv,
  address: string,
  /**
   * The store, the outbound allowlist; the claim check (large payloads in the config database,
   * and the cleanup job that deletes them), the breaker, alerts (none: pending alerts are dropped).
   */
  config: PartConfig,
  logger: Logger,
  /** The process's registry when the receiver runs here too (it serves /metrics); absent: the worker serves its own on RELAY_WORKER_METRICS_PORT. */
  registry?: Registry,
): Promise<RunningPart & { connection: NativeConnection }> {
  const { store, allowPrivateNetworks = [], claims, alertWebhook } = config;
  // On PostgreSQL, maxConnections holds across every worker process (slots are advisory locks
  // in the config database); the embedded engine has one process, where the in-process limiter is exact.
  const slots = env.DATABASE_URL
    ? createPgConcurrencyLimiter({ connectionString: env.DATABASE_URL, log: (m) => logger.warn(m) })
    : undefined;
  const http = createOutboundHttp(env, allowPrivateNetworks, slots);
  const metrics = createDeliveryMetrics(registry ?? createRegistry());
  // The circuit breaker and alerts live in the configuration database (the claim check's pool).
  const breaker = claims ? new Breaker(claims.pool, env.RELAY_BREAKER_PROBE_SECONDS) : undefined;
  const opsLog = logger.child({ component: 'operations' });
  const warnOps = (message: string, meta: Record<string, unknown>) => opsLog.warn(meta, message);
  // The console's health figures, shared through the database like the breaker's counts.
  const stats = claims ? new DeliveryStats(claims.pool, warnOps) : undefined;
  const deps: ActivityDeps = {
    store,
    http,
    metrics,
    ...(breaker ? { watch: new PgDeliveryWatch(breaker, warnOps, stats) } : {}),
    ...(env.LOYALTY_API_URL
      ? { loyaltyApi: createLoyaltyApi(http, { baseUrl: env.LOYALTY_API_URL, authorization: env.LOYALTY_API_AUTHORIZATION }) }
      : {}),
    ...(env.CUSTOMER_PROFILE_API_URL
      ? {
          profileApi: createLoyaltyApi(http, {
            baseUrl: env.CUSTOMER_PROFILE_API_URL,
            authorization: env.CUSTOMER_PROFILE_API_AUTHORIZATION,
          }),
        }
      : {}),
  };
  const dataConverter = relayDataConverter(partCodec(env, config, logger));
  const connection = await connectWorker(connectionOptionsFromEnv(env, address));
  // One client on the worker's connection: the drain check, the operations job and the gauges.
  const client = new Client({ connection, namespace: env.TEMPORAL_NAMESPACE, dataConverter });
  try {
    await refuseLegacyRuns(client, env.TEMPORAL_NAMESPACE);
  } catch (e) {
    await connection.close();
    await http.close();
    await slots?.close();
    throw e;
  }
  const worker = await createRelayWorker({
    connection,
    namespace: env.TEMPORAL_NAMESPACE,
    taskQueue: env.TEMPORAL_TASK_QUEUE,
    deps,
    dataConverter,
    bundleCacheDir: join(resolve(env.RELAY_DATA_DIR), 'workflow-bundles'),
  });
  const running = worker.run();
  running.catch((err: unknown) => logger.fatal({ err }, 'worker stopped with an error'));
  logger.info({ address, namespace: env.TEMPORAL_NAMESPACE, taskQueue: env.TEMPORAL_TASK_QUEUE }, 'worker running');
  const cleanup = claims ? startClaimPayloadCleanup(env, claims, connection, logger) : undefined;
  const operations = claims
    ? startOperationsJob({
        pool: claims.pool,
        client,
        ...(alertWebhook ? { alertWebhook } : {}),
        http,
        log: opsLog,
      })
    : undefined;
  const gauges = claims
    ? createOpsGauges(metrics, {
        pool: claims.pool,
        client,
        log: opsLog,
      })
    : undefined;
  gauges?.start(env.RELAY_GAUGE_REFRESH_SECONDS * 1000);
  stats?.start(STATS_FLUSH_MS);
  const metricsServer = registry ? undefined : await serveWorkerMetrics(env, metrics.registry, logger);
  return {
    connection,
    async stop() {
      await cleanup?.stop();
      await operations?.stop();
      await gauges?.stop();
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running.catch(() => undefined);
      await stats?.stop();
      await new Promise((resolve) => (metricsServer ? metricsServer.close(resolve) : resolve(undefined)));
      await connection.close();
      await http.close();
      await slots?.close();
    },
  };
}

/** Every RELAY_CLAIM_CHECK_CLEANUP_MINUTES: delete stored payloads past the namespace retention plus the longest run. */
function startClaimPayloadCleanup(env: RelayEnv, claims: ClaimCheckParts, connection: NativeConnection, logger: Logger) {
  const log = logger.child({ component: 'claim-check' });
  return startClaimCleanupJob({
    pool: claims.pool,
    store: claims.store,
    intervalMs: env.RELAY_CLAIM_CHECK_CLEANUP_MINUTES * 60_000,
    retentionSeconds: async () =>
      env.RELAY_CLAIM_CHECK_RETENTION_HOURS !== undefined
        ? env.RELAY_CLAIM_CHECK_RETENTION_HOURS * 3600
        : namespaceRetentionSeconds(connection.workflowService, env.TEMPORAL_NAMESPACE),
    onReport: (r) =>
      (r.deleted > 0 ? log.info.bind(log) : log.debug.bind(log))(
        { deleted: r.deleted, keepSeconds: r.keepSeconds, namespaceRetentionSeconds: r.namespaceRetentionSeconds },
        `claim check cleanup: deleted ${r.deleted} stored payload(s) unreferenced for over ${Math.round(r.keepSeconds / 3600)} h`,
      ),
    onError: (err) => log.warn({ err }, 'claim check cleanup failed; it runs again at the next interval'),
  });
}

/**
 * The worker's own /metrics (a worker run alone). A port already taken is logged, not fatal:
 * the worker keeps delivering without its metrics rather than not at all.
 */
async function serveWorkerMetrics(env: RelayEnv, registry: Registry, logger: Logger): Promise<Server | undefined> {
  if (env.RELAY_WORKER_METRICS_PORT === 0) return undefined;
  try {
    const server = await serveMetrics(registry, env.RELAY_WORKER_METRICS_PORT, env.HOST);
    logger.info({ port: server.port, host: env.HOST }, `worker metrics on http://${env.HOST}:${server.port}/metrics`);
    return server;
  } catch (err) {
    logger.error(
      { err, port: env.RELAY_WORKER_METRICS_PORT },
      'worker metrics not served (RELAY_WORKER_METRICS_PORT): the port cannot be bound',
    );
    return undefined;
  }
}

export interface EmbeddedUiCodec {
  /** Accepted by the codec endpoints as the path segment of the UI's endpoint URL (src/payloads/codec-server.ts). */
  token: string;
  /** The UI's browser origins, allowed by CORS. */
  origins: string[];
}

/**
 * The codec endpoint the embedded dev server's Web UI is started with (`--ui-codec-endpoint`):
 * the receiver's /codec with a fresh per-process token in the path, since that UI cannot send
 * an Authorization header. Both listen on loopback only (the dev server binds 127.0.0.1).
 */
export function embeddedUiCodec(env: Pick<RelayEnv, 'PORT' | 'HOST'>, uiPort: number): EmbeddedUiCodec & { endpoint: string } {
  const token = randomBytes(24).toString('base64url');
  const host = ['0.0.0.0', '::', ''].includes(env.HOST) ? '127.0.0.1' : env.HOST.includes(':') ? `[${env.HOST}]` : env.HOST;
  return {
    token,
    origins: [`http://localhost:${uiPort}`, `http://127.0.0.1:${uiPort}`],
    endpoint: `http://${host}:${env.PORT}/codec/${token}`,
  };
}

export async function startReceiverPart(
  env: RelayEnv,
  address: string,
  /** The store; the admin (the management API; absent: not served); the claim check (a large event is stored in the config database, its run starts with a reference). */
  config: PartConfig,
  logger: Logger,
  options: {
    /** The worker's connection when both run in this process: with RELAY_EAGER_START, runs start eagerly on it. */
    workerConnection?: NativeConnection;
    /** The embedded dev server's Web UI (npm start): its origins and the per-process token in its codec endpoint URL. */
    embeddedUi?: EmbeddedUiCodec;
    /** The process's registry, shared with the worker part when both run here. */
    registry?: Registry;
  } = {},
): Promise<RunningPart & { port: number }> {
  const { store, admin, claims } = config;
  const { workerConnection, embeddedUi, registry } = options;
  const eager = workerConnection !== undefined && env.RELAY_EAGER_START;
  // Lazy: the receiver starts (and answers 503) even while Temporal is down. Eager start needs
  // the worker's NativeConnection instead (the worker part owns and closes it).
  const connection = eager ? undefined : Connection.lazy(connectionOptionsFromEnv(env, address));
  const codecOptions = partCodec(env, config, logger);
  const client = new Client({
    connection: eager ? workerConnection : connection,
    namespace: env.TEMPORAL_NAMESPACE,
    dataConverter: relayDataConverter(codecOptions),
  });
  const codecTokens = [env.RELAY_CODEC_TOKEN, embeddedUi?.token].filter((t): t is string => t !== undefined);
  const tokens = createTokenService({ signingKey: env.RELAY_TOKEN_SIGNING_KEY });
  const app = createReceiverApp({
    store,
    starter: createTemporalStarter({
      client,
      taskQueue: env.TEMPORAL_TASK_QUEUE,
      startTimeoutMs: env.RELAY_START_TIMEOUT_MS,
      logger,
      eager,
    }),
    logger,
    metrics: createMetrics(registry),
    maxBodyBytes: env.RELAY_MAX_BODY_BYTES,
    maxJsonDepth: env.RELAY_MAX_JSON_DEPTH,
    maxFutureSkewSeconds: env.RELAY_MAX_FUTURE_SKEW_SECONDS,
    maxHops: env.RELAY_MAX_HOPS,
    tokens,
    authThrottle: createAuthThrottle({
      perAddress: env.RELAY_AUTH_FAILURES_PER_ADDRESS,
      perSource: env.RELAY_AUTH_FAILURES_PER_SOURCE,
      windowSeconds: env.RELAY_AUTH_FAILURE_WINDOW_SECONDS,
      maxAddresses: env.RELAY_AUTH_THROTTLE_MAX_ADDRESSES,
    }),
    ...(env.RELAY_TRUST_PROXY !== undefined ? { trustProxy: trustProxySetting(env.RELAY_TRUST_PROXY) } : {}),
    ...(admin
      ? {
          management: {
            admin,
            adminToken: env.RELAY_ADMIN_TOKEN,
            documents: { eventTypes },
            // Runs holding deliveries for a resumed or deleted destination look at it again (deliver, or park as failed).
            wakeHeldRuns: (name: string) => wakeHeldRuns(client, name),
            redelivery: { client, taskQueue: env.TEMPORAL_TASK_QUEUE, maxRuns: env.RELAY_REDELIVERY_MAX_RUNS },
            ...(claims ? { health: healthDeps(env, client, claims.pool, embeddedUi) } : {}),
          },
        }
      : {}),
    // The console signs in against the management API: served wherever that is.
    ...(admin ? { console: { sessionSeconds: env.RELAY_CONSOLE_SESSION_SECONDS } } : {}),
    openApi: openApiDocument,
    codec: {
      codecs: relayPayloadCodecs(codecOptions),
      tokens: codecTokens,
      corsOrigins: [...(env.RELAY_CODEC_CORS_ORIGINS ?? []), ...(embeddedUi?.origins ?? [])],
      maxBodyBytes: env.RELAY_CODEC_MAX_BODY_BYTES,
    },
  });
  if (admin && !env.RELAY_ADMIN_TOKEN)
    logger.info('management API disabled: set RELAY_ADMIN_TOKEN to enable /v1/destinations, /v1/credentials, /v1/sources');
  // Explicit headers/request/keep-alive timeouts (RELAY_*_TIMEOUT_MS): slow clients are cut off.
  const server: Server = await listenReceiver(app, env.PORT, env.HOST, env);
  const port = (server.address() as { port: number }).port;
  logger.info({ port, host: env.HOST, eagerStart: eager }, `receiver listening on http://${env.HOST}:${port}`);
  return {
    port,
    async stop() {
      // Stop accepting; requests in progress finish and get their answer.
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      await connection?.close();
    },
  };
}

/** The console's destination health: the store, visibility, and the Temporal UI to link runs to (RELAY_TEMPORAL_UI_URL, else the embedded one). */
function healthDeps(env: RelayEnv, client: Client, pool: ClaimCheckParts['pool'], embeddedUi?: EmbeddedUiCodec): HealthDeps {
  const ui = env.RELAY_TEMPORAL_UI_URL ?? embeddedUi?.origins[0];
  return { pool, client, namespace: env.TEMPORAL_NAMESPACE, ...(ui ? { temporalUiUrl: ui } : {}) };
}

/** Run `stop` on SIGINT/SIGTERM once; a second signal exits at once. */
export function onShutdownSignal(logger: Logger, stop: () => Promise<void>): void {
  let stopping = false;
  const handler = (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.warn({ signal }, 'second signal: exiting now');
      process.exit(130);
    }
    stopping = true;
    logger.info({ signal }, 'shutting down: receiver stops accepting, worker finishes in-flight activities');
    stop().then(
      () => {
        logger.info('stopped');
        process.exitCode = 0;
      },
      (err: unknown) => {
        logger.error({ err }, 'error during shutdown');
        process.exitCode = 1;
      },
    );
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
}

export { createLogger };
