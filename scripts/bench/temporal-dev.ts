/**
 * The Temporal dev server as a child process of the harness, with its state in a SQLite file
 * so the chaos harness can stop and restart it without losing anything. The pragmas are the
 * ones that suit load: WAL journal, and fsync at checkpoints rather than at every commit.
 */
import { Connection } from '@temporalio/client';
import { resolveTemporalCli } from '../../src/temporal/cli';
import { ALL_SEARCH_ATTRIBUTES } from '../../workflows/search-attributes';
import { spawnChild, type Child } from './proc';

export const LOAD_PRAGMAS = ['journal_mode=wal', 'synchronous=normal', 'busy_timeout=10000'];

const SA_TYPE: Record<string, string> = {
  KEYWORD: 'Keyword',
  BOOL: 'Bool',
  KEYWORD_LIST: 'KeywordList',
  TEXT: 'Text',
  INT: 'Int',
  DOUBLE: 'Double',
  DATETIME: 'Datetime',
};

export interface TemporalServer {
  address: string;
  /** Human-readable description for the report. */
  description: string;
  /** Seconds spent building the server binaries before this start (postgres mode). */
  buildSeconds?: number;
  child(): Child | undefined;
  /** Stop the server process (its state stays on disk). */
  stop(): Promise<void>;
  /** Start it again on the same address and state. */
  start(): Promise<void>;
  /** Stop for good and clean up. */
  teardown(): Promise<void>;
}

export async function waitForTemporal(address: string, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const c = await Connection.connect({ address, connectTimeout: 2000 });
      try {
        await c.workflowService.describeNamespace({ namespace: 'default' });
        return;
      } finally {
        await c.close();
      }
    } catch (e) {
      last = e;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  throw new Error(`Temporal at ${address} not ready within ${timeoutMs} ms: ${String(last)}`);
}

export function startDevTemporal(opts: { port: number; dbFile: string; logDir: string; pragmas?: string[] }): Promise<TemporalServer> {
  const cli = resolveTemporalCli(process.env, (m) => process.stderr.write(`[bench] ${m}\n`));
  if (cli.executable.type !== 'existing-path') throw new Error('the harness needs a temporal CLI binary (npm run ensure-temporal)');
  const bin = cli.executable.path;
  const address = `127.0.0.1:${opts.port}`;
  const pragmas = opts.pragmas ?? LOAD_PRAGMAS;
  const args = [
    'server',
    'start-dev',
    '--ip',
    '127.0.0.1',
    '--port',
    String(opts.port),
    '--headless',
    '--db-filename',
    opts.dbFile,
    '--log-level',
    'warn',
    ...pragmas.flatMap((p) => ['--sqlite-pragma', p]),
    ...ALL_SEARCH_ATTRIBUTES.flatMap((k) => ['--search-attribute', `${k.name}=${SA_TYPE[k.type] ?? 'Keyword'}`]),
  ];
  let child: Child | undefined;
  const server: TemporalServer = {
    address,
    description: `dev server (${cli.description}), SQLite file, pragmas ${pragmas.join(', ') || 'none'}`,
    child: () => child,
    async start() {
      child = spawnChild('temporal', bin, args, {}, opts.logDir);
      await Promise.race([waitForTemporal(address), child.exited.then((c) => Promise.reject(new Error(`temporal exited with ${c}`)))]);
    },
    async stop() {
      await child?.stop('SIGTERM', 15_000);
    },
    teardown: () => server.stop(),
  };
  return server.start().then(() => server);
}
