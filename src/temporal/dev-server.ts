/**
 * The embedded Temporal dev server: the CLI's `server start-dev` run through the SDK's
 * ephemeral-server support, with the relay's search attributes registered. Used by
 * `npm start` (SQLite file in the data folder, so history survives restarts; Web UI on) and
 * by the tests (in memory, random port, no UI).
 */
import type { DataConverter } from '@temporalio/common';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { ALL_SEARCH_ATTRIBUTES } from '../../workflows/search-attributes';
import { TemporalCliUnavailableError, type ResolvedCli } from './cli';

/**
 * SQLite settings for the persistent embedded server: WAL lets readers and the writer work
 * at once (the bench's load settings, scripts/bench). `synchronous` stays at its durable
 * default: an acknowledged event must survive a power loss, so no `synchronous=normal` here.
 */
export const PERSISTENT_PRAGMAS = ['journal_mode=wal', 'busy_timeout=10000'];

export interface DevServerOptions {
  cli: ResolvedCli;
  /** SQLite file; in memory when absent. */
  dbFilename?: string;
  port?: number;
  uiPort?: number;
  /** Port of the server's own Prometheus `/metrics`; absent or 0: a random free port (the CLI's default). */
  metricsPort?: number;
  namespace?: string;
  /** The Web UI's remote codec endpoint (`--ui-codec-endpoint`): the UI shows decoded payloads through it. */
  codecEndpoint?: string;
  /** The data converter of `env.client` (the relay's: src/payloads/data-converter.ts). */
  dataConverter?: DataConverter;
}

export interface DevServer {
  address: string;
  namespace: string;
  env: TestWorkflowEnvironment;
  stop(): Promise<void>;
}

export async function startDevServer(options: DevServerOptions): Promise<DevServer> {
  const namespace = options.namespace ?? 'default';
  let env: TestWorkflowEnvironment;
  const extraArgs = [
    ...(options.dbFilename ? PERSISTENT_PRAGMAS.flatMap((p) => ['--sqlite-pragma', p]) : []),
    ...(options.codecEndpoint && options.uiPort !== undefined ? ['--ui-codec-endpoint', options.codecEndpoint] : []),
    ...(options.metricsPort ? ['--metrics-port', String(options.metricsPort)] : []),
  ];
  try {
    env = await TestWorkflowEnvironment.createLocal({
      server: {
        executable: options.cli.executable,
        namespace,
        ip: '127.0.0.1',
        ...(options.port !== undefined ? { port: options.port } : {}),
        ...(options.dbFilename ? { dbFilename: options.dbFilename } : {}),
        ...(extraArgs.length > 0 ? { extraArgs } : {}),
        ...(options.uiPort !== undefined ? { ui: true, uiPort: options.uiPort } : { ui: false }),
        searchAttributes: ALL_SEARCH_ATTRIBUTES,
        log: { format: 'json', level: 'warn' },
      },
      ...(options.dataConverter ? { client: { dataConverter: options.dataConverter } } : {}),
    });
  } catch (e) {
    if (options.cli.executable.type === 'cached-download') {
      throw new TemporalCliUnavailableError(`The SDK could not download the Temporal CLI: ${(e as Error).message}`);
    }
    throw e;
  }
  return {
    address: env.address,
    namespace,
    env,
    stop: () => env.teardown(),
  };
}
