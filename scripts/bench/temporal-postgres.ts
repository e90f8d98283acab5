/**
 * `--server postgres`: a full Temporal server (go.temporal.io/server, the same version the
 * docker-compose stack runs) on the machine's PostgreSQL, to see the relay beyond the dev
 * server. The binaries are built once from the Go module proxy into the project cache; each
 * run creates throwaway databases, sets up the schemas with temporal-sql-tool, writes a
 * minimal config, starts the server, creates the namespace and the search attributes, and
 * drops the databases at teardown.
 * Env: PGHOST (127.0.0.1), PGPORT (5432), PGUSER (postgres), PGPASSWORD; TEMPORAL_SERVER_CACHE_DIR.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { Connection } from '@temporalio/client';
import { FALLBACK_GOTOOLCHAIN, resolveTemporalCli } from '../../src/temporal/cli';
import { spawnChild, spawnTs, type Child } from './proc';
import { waitForTemporal, type TemporalServer } from './temporal-dev';

export const TEMPORAL_SERVER_MODULE = 'go.temporal.io/server';
export const TEMPORAL_SERVER_VERSION = 'v1.29.1';

export function serverCacheDir(env = process.env): string {
  const base = env.TEMPORAL_SERVER_CACHE_DIR ?? join(env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'loyalty-relay', 'temporal-server');
  return join(base, TEMPORAL_SERVER_VERSION);
}

/** Build `server` and `sql` (temporal-sql-tool) with go install unless cached; returns seconds spent building (0 if cached). */
export function ensureServerBinaries(say: (m: string) => void): { bin: string; buildSeconds: number } {
  const bin = serverCacheDir();
  if (existsSync(join(bin, 'server')) && existsSync(join(bin, 'sql'))) return { bin, buildSeconds: 0 };
  mkdirSync(bin, { recursive: true });
  const go = existsSync('/usr/local/go/bin/go') ? '/usr/local/go/bin/go' : 'go';
  const pkgs = [
    `${TEMPORAL_SERVER_MODULE}/cmd/server@${TEMPORAL_SERVER_VERSION}`,
    `${TEMPORAL_SERVER_MODULE}/cmd/tools/sql@${TEMPORAL_SERVER_VERSION}`,
  ];
  const started = Date.now();
  for (const toolchain of [undefined, FALLBACK_GOTOOLCHAIN]) {
    say(
      `building the Temporal server ${TEMPORAL_SERVER_VERSION} from the Go module proxy into ${bin}${toolchain ? ` with GOTOOLCHAIN=${toolchain}` : ''} (minutes, once)`,
    );
    const r = spawnSync(go, ['install', ...pkgs], {
      env: { ...process.env, GOBIN: bin, GOFLAGS: '-mod=mod', ...(toolchain ? { GOTOOLCHAIN: toolchain } : {}) },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    if (r.status === 0) return { bin, buildSeconds: Math.round((Date.now() - started) / 1000) };
  }
  throw new Error(`go install ${pkgs.join(' ')} failed (see the output above)`);
}

function pg() {
  return {
    host: process.env.PGHOST ?? '127.0.0.1',
    port: process.env.PGPORT ?? '5432',
    user: process.env.PGUSER ?? 'postgres',
    password: process.env.PGPASSWORD ?? '',
  };
}

function sqlTool(bin: string, db: string, args: string[]): void {
  const p = pg();
  const r = spawnSync(
    join(bin, 'sql'),
    [
      '--plugin',
      'postgres12',
      '--ep',
      p.host,
      '-p',
      p.port,
      '-u',
      p.user,
      ...(p.password ? ['--pw', p.password] : []),
      '--db',
      db,
      ...args,
    ],
    { encoding: 'utf8' },
  );
  if (r.status !== 0) throw new Error(`temporal-sql-tool ${args.join(' ')} on ${db} failed:\n${r.stdout}${r.stderr}`);
}

function configYaml(o: { db: string; visDb: string; ports: number[] }): string {
  const p = pg();
  const [frontend, frontendM, history, historyM, matching, matchingM, worker, workerM, http] = o.ports;
  const store = (db: string, conns: number) => `      sql:
        pluginName: postgres12
        databaseName: ${db}
        connectAddr: "${p.host}:${p.port}"
        connectProtocol: tcp
        user: ${p.user}
        password: "${p.password}"
        maxConns: ${conns}
        maxIdleConns: ${conns}
        maxConnLifetime: 1h`;
  const svc = (grpc?: number, membership?: number, extra = '') => `    rpc:
      grpcPort: ${grpc}
      membershipPort: ${membership}
      bindOnLocalHost: true${extra}`;
  return `log:
  stdout: true
  level: warn
persistence:
  defaultStore: default
  visibilityStore: visibility
  numHistoryShards: 4
  datastores:
    default:
${store(o.db, 20)}
    visibility:
${store(o.visDb, 4)}
global:
  membership:
    maxJoinDuration: 30s
    broadcastAddress: 127.0.0.1
services:
  frontend:
${svc(frontend, frontendM, `\n      httpPort: ${http}`)}
  history:
${svc(history, historyM)}
  matching:
${svc(matching, matchingM)}
  worker:
${svc(worker, workerM)}
clusterMetadata:
  enableGlobalNamespace: false
  failoverVersionIncrement: 10
  masterClusterName: active
  currentClusterName: active
  clusterInformation:
    active:
      enabled: true
      initialFailoverVersion: 1
      rpcName: frontend
      rpcAddress: 127.0.0.1:${frontend}
dcRedirectionPolicy:
  policy: noop
`;
}

function freePortBelow32k(): Promise<number> {
  const candidate = 20000 + Math.floor(Math.random() * 12000);
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(freePortBelow32k()));
    srv.listen(candidate, '127.0.0.1', () => srv.close(() => resolve(candidate)));
  });
}

async function waitForFrontend(address: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const c = await Connection.connect({ address, connectTimeout: 2000 });
      try {
        await c.workflowService.getSystemInfo({});
        return;
      } finally {
        await c.close();
      }
    } catch (e) {
      if (Date.now() > deadline) throw new Error(`Temporal frontend at ${address} not up: ${String(e)}`, { cause: e });
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

export async function startPostgresTemporal(o: {
  dir: string;
  say: (m: string) => void;
}): Promise<TemporalServer & { buildSeconds: number }> {
  const { bin, buildSeconds } = ensureServerBinaries(o.say);
  const suffix = `${Date.now().toString(36)}_${process.pid}`;
  const db = `relay_bench_${suffix}`;
  const visDb = `relay_bench_vis_${suffix}`;
  const schemaStarted = Date.now();
  for (const [name, schema] of [
    [db, 'postgresql/v12/temporal'],
    [visDb, 'postgresql/v12/visibility'],
  ] as const) {
    sqlTool(bin, name, ['create-database']);
    sqlTool(bin, name, ['setup-schema', '-v', '0.0']);
    sqlTool(bin, name, ['update-schema', '--schema-name', schema]);
  }
  o.say(`databases ${db}, ${visDb} created with schemas in ${((Date.now() - schemaStarted) / 1000).toFixed(1)}s`);
  // Membership ports are stored as smallint in the cluster_membership table: keep them below 32768.
  const ports: number[] = [];
  while (ports.length < 9) {
    const p = await freePortBelow32k();
    if (!ports.includes(p)) ports.push(p);
  }
  const configDir = join(o.dir, 'temporal-config');
  mkdirSync(configDir, { recursive: true });
  writeFileSync(join(configDir, 'development.yaml'), configYaml({ db, visDb, ports }));
  const address = `127.0.0.1:${ports[0]}`;
  const cli = resolveTemporalCli(process.env, o.say, { build: false });

  let child: Child | undefined;
  let provisioned = false;
  const start = async () => {
    child = spawnChild(
      'temporal',
      join(bin, 'server'),
      ['--root', o.dir, '--config', 'temporal-config', '--env', 'development', '--allow-no-auth', 'start'],
      {},
      o.dir,
    );
    await Promise.race([
      waitForFrontend(address, 120_000),
      child.exited.then((c) => Promise.reject(new Error(`temporal server exited with ${c}:\n${child?.log().slice(-3000)}`))),
    ]);
    if (!provisioned) {
      if (cli.executable.type !== 'existing-path')
        throw new Error('creating the namespace needs the temporal CLI (npm run ensure-temporal)');
      const r = spawnSync(
        cli.executable.path,
        ['operator', 'namespace', 'create', '--namespace', 'default', '--retention', '1d', '--address', address],
        { encoding: 'utf8' },
      );
      if (r.status !== 0 && !/already/i.test(r.stderr)) throw new Error(`namespace create failed: ${r.stderr}`);
      await waitForTemporal(address, 60_000);
      const sa = spawnTs('register-search-attributes', 'scripts/register-search-attributes.ts', { TEMPORAL_ADDRESS: address }, o.dir);
      if ((await sa.exited) !== 0) throw new Error(`register-search-attributes failed:\n${sa.log()}`);
      provisioned = true;
    }
    await waitForTemporal(address, 60_000);
  };
  const stop = async () => {
    await child?.stop('SIGTERM', 20_000);
  };
  const dropDatabases = () => {
    for (const name of [db, visDb]) {
      try {
        sqlTool(bin, name, ['drop-database', '--force']);
      } catch (e) {
        o.say(`could not drop ${name}: ${(e as Error).message}`);
      }
    }
  };
  try {
    await start();
  } catch (e) {
    await stop();
    dropDatabases();
    throw e;
  }
  return {
    address,
    buildSeconds,
    description: `Temporal server ${TEMPORAL_SERVER_VERSION} on PostgreSQL (4 history shards)${buildSeconds ? `, built in ${buildSeconds}s` : ''}`,
    child: () => child,
    start,
    stop,
    async teardown() {
      await stop();
      dropDatabases();
    },
  };
}
