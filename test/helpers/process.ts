/** Runs one of the relay's entry points as a real child process, the way `npm start` does. */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { masterKeysFromEnv } from '../../src/db/master-key';
import { relayDataConverter } from '../../src/payloads/data-converter';
import { freePort } from './ports';

export interface RelayProcess {
  proc: ChildProcess;
  /** Everything the process printed so far (for failure messages). */
  output(): string;
  /** Poll `url` until it answers `status`; rejects with the process output on timeout or exit. */
  waitFor(url: string, status?: number, timeoutMs?: number): Promise<void>;
  /** Send a signal and wait for the exit code (SIGKILL after `graceMs`). */
  stop(signal?: NodeJS.Signals, graceMs?: number): Promise<number | null>;
}

const ROOT = join(__dirname, '..', '..');

export function spawnRelay(entry: string, env: Record<string, string>): RelayProcess {
  const base = { ...process.env };
  delete base.TEMPORAL_ADDRESS;
  const proc = spawn(process.execPath, ['--import', 'tsx', join(ROOT, entry)], {
    cwd: ROOT,
    env: { ...base, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout?.on('data', (c: Buffer) => (out += c.toString()));
  proc.stderr?.on('data', (c: Buffer) => (out += c.toString()));
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));

  return {
    proc,
    output: () => out,
    async waitFor(url, status = 200, timeoutMs = 90_000) {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        if (proc.exitCode !== null) throw new Error(`${entry} exited with ${proc.exitCode}:\n${out}`);
        try {
          const res = await fetch(url);
          if (res.status === status) return;
        } catch {
          /* not listening yet */
        }
        await new Promise((r) => setTimeout(r, 250));
      }
      throw new Error(`${url} did not answer ${status} within ${timeoutMs} ms:\n${out}`);
    },
    async stop(signal = 'SIGTERM', graceMs = 30_000) {
      if (proc.exitCode !== null || proc.signalCode !== null) return proc.exitCode;
      proc.kill(signal);
      const timer = setTimeout(() => proc.kill('SIGKILL'), graceMs);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}

/** What a `src/entry/worker-main.ts` child needs from its test: the dev server, its queue, the store. */
export interface WorkerSetup {
  server: { address: string; namespace: string };
  taskQueue: string;
  /** The PostgreSQL config store's URL. */
  databaseUrl: string;
  /** The payload master key (the test client's, so both read the runs' sealed payloads). */
  masterKey: Buffer;
  /** State goes in `dir/data`; the sink's CA is read from `dir/ca.pem`. */
  dir: string;
}

/**
 * The environment for `spawnRelay('src/entry/worker-main.ts', …)`: the setup above, loopback
 * destinations allowed (test sinks listen on 127.0.0.1), and `extra` on top.
 */
export function workerEnv(setup: WorkerSetup, extra: Record<string, string> = {}): Record<string, string> {
  return {
    TEMPORAL_ADDRESS: setup.server.address,
    TEMPORAL_NAMESPACE: setup.server.namespace,
    TEMPORAL_TASK_QUEUE: setup.taskQueue,
    DATABASE_URL: setup.databaseUrl,
    RELAY_MASTER_KEY: setup.masterKey.toString('base64'),
    RELAY_DATA_DIR: join(setup.dir, 'data'),
    RELAY_EXTRA_CA_CERTS: join(setup.dir, 'ca.pem'),
    RELAY_ALLOW_PRIVATE_NETWORKS: '127.0.0.0/8,::1',
    LOG_LEVEL: 'warn',
    ...extra,
  };
}

export interface MainProcess {
  relay: RelayProcess;
  /** The receiver's base URL, `http://127.0.0.1:PORT`. */
  base: string;
  /** A client of the process's embedded dev server. */
  client: Client;
  close(): Promise<void>;
}

/**
 * `src/entry/main.ts` as `npm start` runs it — embedded dev server, worker and receiver in one
 * process — with the configuration file `dir/relay.yaml`, state in `dir/data`, the sink's CA in
 * `dir/ca.pem`, free ports, and `env` on top; resolves once it is ready.
 */
export async function startMainProcess(dir: string, env: Record<string, string>): Promise<MainProcess> {
  // A free port can be taken by another process before ours binds it: try again with new ones.
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const temporalPort = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const childEnv: Record<string, string> = {
      PORT: String(port),
      HOST: '127.0.0.1',
      RELAY_CONFIG: join(dir, 'relay.yaml'),
      RELAY_DATA_DIR: join(dir, 'data'),
      RELAY_EXTRA_CA_CERTS: join(dir, 'ca.pem'),
      TEMPORAL_DEV_PORT: String(temporalPort),
      TEMPORAL_UI_PORT: '0',
      // Test files run side by side: no fixed metrics port either.
      TEMPORAL_DEV_METRICS_PORT: '0',
      LOG_LEVEL: 'warn',
      ...env,
    };
    const relay = spawnRelay('src/entry/main.ts', childEnv);
    try {
      await relay.waitFor(`${base}/readyz`);
    } catch (e) {
      await relay.stop('SIGTERM');
      if (attempt < 3 && /address already in use|EADDRINUSE/.test(relay.output())) continue;
      throw e;
    }
    // The process's payload keys (RELAY_MASTER_KEY, or the development key it made in its data folder): the client reads its runs.
    const keys = masterKeysFromEnv(
      { ...process.env, ...childEnv },
      { dataDir: childEnv.RELAY_DATA_DIR ?? join(dir, 'data'), log: () => undefined },
    );
    const client = new Client({
      connection: await Connection.connect({ address: `127.0.0.1:${temporalPort}` }),
      dataConverter: relayDataConverter({ keys }),
    });
    return {
      relay,
      base,
      client,
      async close() {
        await client.connection.close();
        // SIGTERM: main.ts stops its embedded dev server (SIGKILL would leave that child running).
        await relay.stop('SIGTERM');
      },
    };
  }
}
