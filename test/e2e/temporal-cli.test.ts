/**
 * `npm run temporal -- …` runs the project's Temporal CLI against the relay's configured server
 * (here: the embedded dev server's port, TEMPORAL_DEV_PORT, as `npm start` uses it), and the
 * embedded dev server serves its own metrics on the port it is given.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseEnv } from '../../src/wiring/env';
import { resolveTemporalCli } from '../../src/temporal/cli';
import { startDevServer, type DevServer } from '../../src/temporal/dev-server';
import { connectionArgs } from '../../scripts/temporal';
import { freePort } from '../helpers/ports';

const ROOT = join(__dirname, '..', '..');

function runTemporalScript(args: string[], env: Record<string, string>): Promise<{ code: number | null; out: string }> {
  const base = { ...process.env };
  for (const name of Object.keys(base)) if (name.startsWith('TEMPORAL_') && name !== 'TEMPORAL_CLI_PATH') delete base[name];
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'scripts', 'temporal.ts'), ...args], {
    cwd: ROOT,
    env: { ...base, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (out += c.toString()));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, out })));
}

describe('connectionArgs', () => {
  it('points server commands at the configured address and namespace, unless given', () => {
    const env = parseEnv({ TEMPORAL_DEV_PORT: '7999', TEMPORAL_NAMESPACE: 'loyalty' });
    assert.deepEqual(connectionArgs(['workflow', 'list'], env), ['--address', '127.0.0.1:7999', '--namespace', 'loyalty']);
    assert.deepEqual(connectionArgs(['workflow', 'list', '--address=x:1', '-n', 'other'], env), []);
    assert.deepEqual(connectionArgs(['server', 'start-dev'], env), []);
    assert.deepEqual(connectionArgs(['--version'], env), []);
    const cloud = parseEnv({ TEMPORAL_ADDRESS: 'ns.acct.tmprl.cloud:7233', TEMPORAL_API_KEY: 'k', TEMPORAL_TLS: 'true' });
    assert.deepEqual(connectionArgs(['workflow', 'count'], cloud), [
      '--address',
      'ns.acct.tmprl.cloud:7233',
      '--namespace',
      'default',
      '--api-key',
      'k',
      '--tls=true',
    ]);
  });
});

describe('npm run temporal against a dev server', () => {
  let server: DevServer;
  let metricsPort: number;
  const workflowId = `cli-test-${Date.now()}`;

  before(async () => {
    metricsPort = await freePort();
    server = await startDevServer({ cli: resolveTemporalCli(process.env, () => undefined, { build: false }), metricsPort });
    // No worker polls this queue: the run stays open, listed as Running.
    await server.env.client.workflow.start('relayEvent', { taskQueue: 'nobody-polls', workflowId, args: [{}] });
  });
  after(async () => {
    await server?.stop();
  });

  it('`workflow list` finds the run, with the address taken from TEMPORAL_DEV_PORT', async () => {
    const port = server.address.split(':').pop() ?? '';
    const { code, out } = await runTemporalScript(['workflow', 'list', '--query', `WorkflowId = "${workflowId}"`], {
      TEMPORAL_DEV_PORT: port,
    });
    assert.equal(code, 0, out);
    assert.match(out, new RegExp(`Running\\s+${workflowId}\\s+relayEvent`));
  });

  it('a flag on the command line wins over the environment', async () => {
    const { code, out } = await runTemporalScript(['workflow', 'list', '--namespace', 'no-such-namespace'], {
      TEMPORAL_ADDRESS: server.address,
    });
    assert.notEqual(code, 0);
    assert.match(out, /no-such-namespace/);
  });

  it('the dev server serves Prometheus metrics on the metrics port it was given', async () => {
    const res = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
    assert.equal(res.status, 200);
    assert.match(await res.text(), /^# TYPE /m);
  });
});
