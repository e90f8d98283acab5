/**
 * The demo's ports follow the variables: config/relay.example.yaml sends to the port
 * `npm run sample-sink` listens on (SAMPLE_SINK_PORT), whatever it is. A webhook URL may take
 * its host and port from the environment; its path and query may not (they are recorded in
 * history and are where secrets would go).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ConfigError, loadConfigFile, parseConfig } from '../../../src/config/load';
import { freePort } from '../../helpers/ports';

const ROOT = join(__dirname, '..', '..', '..');
const EXAMPLE = join(ROOT, 'config', 'relay.example.yaml');

function sinkUrl(env: Record<string, string | undefined>): string {
  const sink = loadConfigFile(EXAMPLE, env).destinations.find((d) => d.name === 'sample-sink');
  assert.ok(sink, 'the example has a sample-sink destination');
  return (sink.settings as { url: string }).url;
}

function webhook(url: string): Record<string, unknown> {
  return { destinations: [{ name: 'hook', kind: 'webhook', events: ['pointsIssued'], url }] };
}

describe('config/relay.example.yaml', () => {
  it('sends to port 9000 by default and to SAMPLE_SINK_PORT when set', () => {
    assert.equal(sinkUrl({}), 'http://localhost:9000/loyalty/{{ event.name }}');
    assert.equal(sinkUrl({ SAMPLE_SINK_PORT: '9555' }), 'http://localhost:9555/loyalty/{{ event.name }}');
  });

  it('a different SAMPLE_SINK_PORT reaches npm run sample-sink on that port', async () => {
    const port = await freePort();
    const apiPort = await freePort();
    const sink = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'scripts', 'sample-sink.ts')], {
      cwd: ROOT,
      env: { ...process.env, SAMPLE_SINK_PORT: String(port), SAMPLE_LOYALTY_API_PORT: String(apiPort) },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    try {
      let out = '';
      sink.stdout.on('data', (c: Buffer) => (out += c.toString()));
      while (!out.includes(`http://localhost:${port}`)) await once(sink.stdout, 'data');
      const url = sinkUrl({ SAMPLE_SINK_PORT: String(port) }).replace('{{ event.name }}', 'pointsIssued');
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"points":1}' });
      assert.equal(res.status, 200);
    } finally {
      sink.kill('SIGTERM');
      await once(sink, 'exit');
    }
  });
});

describe('${VAR} in a webhook URL (configuration file)', () => {
  it('is resolved in the host and port, with or without a default', () => {
    const config = parseConfig(webhook('https://${HOOK_HOST}:${HOOK_PORT:-8443}/in/{{ event.name }}'), { HOOK_HOST: 'hooks.example.com' });
    assert.equal((config.destinations[0]?.settings as { url: string }).url, 'https://hooks.example.com:8443/in/{{ event.name }}');
  });

  it('names a missing variable at the URL', () => {
    assert.throws(
      () => parseConfig(webhook('https://${HOOK_HOST}/in'), {}),
      (e: unknown) =>
        e instanceof ConfigError && e.problems.some((p) => p.path === 'destinations[0].url' && /HOOK_HOST is not set/.test(p.message)),
    );
  });

  it('is refused in the path and query, even when the host has one', () => {
    for (const url of ['https://hooks.example.com/${HOOK_PATH}', 'https://${HOOK_HOST}/in?token=${HOOK_TOKEN}']) {
      assert.throws(
        () => parseConfig(webhook(url), { HOOK_HOST: 'h.example.com', HOOK_PATH: 'p', HOOK_TOKEN: 't' }),
        (e: unknown) =>
          e instanceof ConfigError && e.problems.some((p) => p.path === 'destinations[0].url' && /put secrets in headers/.test(p.message)),
        url,
      );
    }
  });
});
