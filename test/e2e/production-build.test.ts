/**
 * The production commands, natively: `npm run build`, then the compiled worker and receiver as
 * two `node` processes (no tsx) with NODE_ENV=production, a PostgreSQL store, a master key and
 * a Temporal server — one event delivered to a local HTTP sink. The worker gets the
 * configuration file but none of the receiver's secrets, loads the prebuilt workflow bundle
 * and writes nothing in its working directory; migrations are found from dist/.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { DevServer } from '../../src/temporal/dev-server';
import { createTestDatabase } from '../helpers/database';
import { freePort, listenLocal } from '../helpers/ports';
import { startTestTemporal, uniqueTaskQueue } from '../helpers/temporal';

const ROOT = join(__dirname, '..', '..');

interface Proc {
  child: ChildProcess;
  output(): string;
}

/** `node dist/<entry>` with only the variables given (plus PATH): what a container would run. */
function runBuilt(entry: string, cwd: string, env: Record<string, string>): Proc {
  const child = spawn(process.execPath, [join(ROOT, 'dist', entry)], {
    cwd,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (out += c.toString()));
  return { child, output: () => out };
}

async function until<T>(what: string, proc: Proc[], probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    for (const p of proc)
      if (p.child.exitCode !== null) throw new Error(`exited with ${p.child.exitCode} waiting for ${what}:\n${p.output()}`);
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}:\n${proc.map((p) => p.output()).join('\n---\n')}`);
}

async function stop(p: Proc | undefined): Promise<void> {
  if (!p || p.child.exitCode !== null || p.child.signalCode !== null) return;
  const exited = once(p.child, 'exit');
  p.child.kill('SIGTERM');
  const timer = setTimeout(() => p.child.kill('SIGKILL'), 30_000);
  await exited;
  clearTimeout(timer);
}

describe('production build: node on dist/, worker and receiver apart', () => {
  const dir = mkdtempSync(join(tmpdir(), 'relay-production-'));
  const workerDir = join(dir, 'worker-cwd');
  const received: { url: string; headers: IncomingHttpHeaders; body: string }[] = [];
  let sink: Server;
  let sinkPort: number;
  let server: DevServer;
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let worker: Proc | undefined;
  let receiver: Proc | undefined;

  before(async () => {
    const build = spawnSync('npm', ['run', '--silent', 'build'], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(build.status, 0, `npm run build failed:\n${build.stdout}${build.stderr}`);

    sink = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        received.push({ url: req.url ?? '', headers: req.headers, body });
        res.writeHead(200).end('{}');
      });
    });
    sinkPort = await listenLocal(sink);
    server = await startTestTemporal();
    // Not migrated: the built relay must find its migrations in dist/.
    database = await createTestDatabase({ migrate: false });
    writeFileSync(
      join(dir, 'relay.yaml'),
      [
        'sources:',
        '  - { id: backend, kind: server, auth: { key: "${BACKEND_KEY}" } }',
        'outbound: { allowPrivateNetworks: [127.0.0.0/8] }',
        'destinations:',
        '  - name: sink',
        '    kind: webhook',
        '    events: [purchaseCompleted]',
        '    url: http://127.0.0.1:${SINK_PORT}/hook/{{ event.name }}',
        '    allowInsecureHttp: true',
        '    headers: [{ key: X-Sink-Token, value: "${SINK_TOKEN}" }]',
        '    body: { id: "{{ event.id }}", amount: "{{ event.properties.amount }}" }',
        '',
      ].join('\n'),
    );
    mkdirSync(workerDir);
  });

  after(async () => {
    await stop(receiver);
    await stop(worker);
    await server?.stop();
    await database?.drop();
    sink?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('delivers one event', async () => {
    const common = {
      NODE_ENV: 'production',
      DATABASE_URL: database.url,
      RELAY_MASTER_KEY: Buffer.alloc(32, 9).toString('base64'),
      TEMPORAL_ADDRESS: server.address,
      TEMPORAL_TASK_QUEUE: uniqueTaskQueue('production'),
      RELAY_CONFIG: join(dir, 'relay.yaml'),
      LOG_LEVEL: 'info',
    };
    // The worker: no BACKEND_KEY, SINK_TOKEN or SINK_PORT (the receiver's business).
    worker = runBuilt('src/entry/worker-main.js', workerDir, common);
    await until('the worker', [worker], () => (worker?.output().includes('worker running') ? true : undefined));

    const port = await freePort();
    receiver = runBuilt('src/entry/receiver-main.js', dir, {
      ...common,
      PORT: String(port),
      HOST: '127.0.0.1',
      BACKEND_KEY: 'prod-backend-key',
      SINK_TOKEN: 'prod-sink-token',
      SINK_PORT: String(sinkPort),
    });
    const base = `http://127.0.0.1:${port}`;
    await until('the receiver', [worker, receiver], async () => {
      const res = await fetch(`${base}/readyz`).catch(() => undefined);
      return res?.status === 200 ? true : undefined;
    });

    const res = await fetch(`${base}/v1/sources/backend/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': 'prod-backend-key' },
      body: JSON.stringify({
        event_id: 'ord-1001',
        event_name: 'purchaseCompleted',
        event_properties: { amount: 1250 },
        timestamp: '2026-11-23T10:00:00Z',
        user_id: 'cust-77',
      }),
    });
    assert.equal(res.status, 202, await res.text());

    const delivery = await until('the delivery', [worker, receiver], () => received[0]);
    assert.equal(delivery.url, '/hook/purchaseCompleted');
    assert.equal(delivery.headers['x-sink-token'], 'prod-sink-token');
    assert.deepEqual(JSON.parse(delivery.body), { id: 'ord-1001', amount: 1250 });

    assert.match(worker.output(), /prebuilt by npm run build/);
    assert.doesNotMatch(worker.output(), /workflow bundle built/);
    assert.deepEqual(readdirSync(workerDir), [], 'the worker wrote nothing in its working directory');
  });
});
