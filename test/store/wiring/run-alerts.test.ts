/**
 * The `alerts` block of the configuration file: validated like a webhook destination's URL and
 * headers, its secret a `whsec_…`, and read by the worker alone (only its own `${…}`s resolved).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ConfigError, loadAlertWebhook, parseConfig } from '../../../src/config/load';
import { parseEnv } from '../../../src/wiring/env';
import { createLogger } from '../../../src/telemetry/logger';
import { alertWebhookFrom, openConfig } from '../../../src/wiring/run';
import { createTestDatabase } from '../../helpers/database';

const SECRET = `whsec_${Buffer.alloc(32, 5).toString('base64')}`;
const ENV = { ALERT_SECRET: SECRET, SINK_TOKEN: 'tok-1' };

function problemsOf(alerts: Record<string, unknown>, env: Record<string, string> = ENV): { path: string; message: string }[] {
  try {
    parseConfig({ alerts }, env);
  } catch (e) {
    assert.ok(e instanceof ConfigError, String(e));
    return e.problems;
  }
  return [];
}

describe('alerts block', () => {
  it('a valid block resolves its secret and headers', () => {
    const cfg = parseConfig(
      {
        alerts: {
          url: 'https://ops.example.com/relay-alerts',
          secret: '${ALERT_SECRET}',
          headers: { Authorization: 'Bearer ${SINK_TOKEN}', 'X-Team': 'loyalty' },
          timeoutSeconds: 5,
        },
      },
      ENV,
    );
    assert.deepEqual(cfg.alerts, {
      url: 'https://ops.example.com/relay-alerts',
      secret: SECRET,
      timeoutMs: 5000,
      headers: { Authorization: 'Bearer tok-1', 'X-Team': 'loyalty' },
    });
  });

  it('no block: no alert webhook', () => {
    assert.equal(parseConfig({}, ENV).alerts, undefined);
  });

  it('refuses a URL a destination could not have', () => {
    const at = (url: string, extra: Record<string, unknown> = {}) =>
      problemsOf({ url, secret: '${ALERT_SECRET}', ...extra }).map((p) => `${p.path}: ${p.message}`);
    assert.match(at('http://ops.example.com/a').join('\n'), /alerts\.url: must use https:\/\//);
    assert.match(at('http://127.0.0.1:9/a').join('\n'), /must use https/, 'plain http to localhost needs allowInsecureHttp');
    assert.deepEqual(at('http://127.0.0.1:9/a', { allowInsecureHttp: true }), []);
    assert.match(at('ftp://ops.example.com/a').join('\n'), /unsupported scheme ftp:/);
    assert.match(at('not a url').join('\n'), /not a valid absolute URL/);
    assert.match(at('https://user:pw@ops.example.com/a').join('\n'), /credentials in the URL/);
    assert.match(at('https://ops.example.com/a?token=${ALERT_SECRET}').join('\n'), /put secrets in headers/);
    assert.match(at('https://[::ffff:10.0.0.1]/a').join('\n'), /embedded_ipv4|refused/i);
    assert.match(at('https://localhost:8080/v1/sources/capillary/events').join('\n'), /own ingestion path/);
  });

  it('refuses placeholders: an alert is not an event', () => {
    const problems = problemsOf({ url: 'https://ops.example.com/{{ event.name }}', secret: '${ALERT_SECRET}' });
    assert.ok(
      problems.some((p) => p.path === 'alerts.url' && /cannot hold placeholders/.test(p.message)),
      JSON.stringify(problems),
    );
    const inHeader = problemsOf({ url: 'https://ops.example.com/a', secret: '${ALERT_SECRET}', headers: { 'X-A': '{{ event.id }}' } });
    assert.deepEqual(
      inHeader.map((p) => p.path),
      ['alerts.headers.X-A'],
    );
  });

  it('refuses a secret that is not whsec_…, and an unset one by name', () => {
    const bad = problemsOf({ url: 'https://ops.example.com/a', secret: 'plain-password' });
    assert.deepEqual(bad, [{ path: 'alerts.secret', message: 'signing secret must start with "whsec_" (Standard Webhooks format)' }]);
    const unset = problemsOf({ url: 'https://ops.example.com/a', secret: '${ALERT_SECRET}' }, {});
    assert.equal(unset.length, 1, JSON.stringify(unset));
    assert.equal(unset[0]!.path, 'alerts.secret');
    assert.match(unset[0]!.message, /ALERT_SECRET is not set/);
    const missing = problemsOf({ url: 'https://ops.example.com/a' });
    assert.deepEqual(
      missing.map((p) => p.path),
      ['alerts.secret'],
    );
  });

  it('refuses framing headers and the ones the sender signs with', () => {
    const problems = problemsOf({
      url: 'https://ops.example.com/a',
      secret: '${ALERT_SECRET}',
      headers: { Host: 'x', 'Transfer-Encoding': 'chunked', 'Webhook-Signature': 'v1,x', 'bad name': 'x', 'X-Ok': 'line\nbreak' },
    });
    assert.deepEqual(problems.map((p) => p.path).sort(), [
      'alerts.headers.Host',
      'alerts.headers.Transfer-Encoding',
      'alerts.headers.Webhook-Signature',
      'alerts.headers.X-Ok',
      'alerts.headers.bad name',
    ]);
  });

  it('refuses unknown keys', () => {
    assert.deepEqual(
      problemsOf({ url: 'https://ops.example.com/a', secret: '${ALERT_SECRET}', sign: false }).map((p) => p.path),
      ['alerts'],
    );
  });
});

describe('the worker reads only the alerts block', () => {
  const dir = mkdtempSync(join(tmpdir(), 'relay-alerts-config-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'relay.yaml');
  writeFileSync(
    file,
    `
sources:
  - id: capillary
    kind: capillary
    auth: { key: '\${RECEIVER_ONLY_SECRET}' }
outbound:
  allowPrivateNetworks: [127.0.0.0/8]
alerts:
  url: http://127.0.0.1:9/alerts
  allowInsecureHttp: true
  secret: \${ALERT_SECRET}
`,
  );

  it('resolves the alert secret without the receiver secrets', () => {
    assert.deepEqual(loadAlertWebhook(file, { ALERT_SECRET: SECRET }), {
      url: 'http://127.0.0.1:9/alerts',
      secret: SECRET,
      timeoutMs: 10_000,
    });
  });

  /**
   * `body` with a throwaway database named by RELAY_CONFIG's env, and process.env holding
   * exactly `vars` of the ones the file references (put back afterwards).
   */
  async function withFileEnv(vars: Record<string, string | undefined>, body: (env: ReturnType<typeof parseEnv>) => Promise<void>) {
    const database = await createTestDatabase({ migrate: false });
    const previous = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
    const set = (values: Record<string, string | undefined>) => {
      for (const [k, v] of Object.entries(values)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    };
    set(vars);
    try {
      await body(
        parseEnv({
          RELAY_CONFIG: file,
          DATABASE_URL: database.url,
          RELAY_MASTER_KEY: Buffer.alloc(32, 7).toString('base64'),
          RELAY_DATA_DIR: join(dir, 'data'),
        }),
      );
    } finally {
      set(previous);
      await database.drop();
    }
  }

  it('openConfig gives the worker its alert webhook; the CLI (no alerts option) does not read it', () =>
    withFileEnv({ ALERT_SECRET: SECRET }, async (env) => {
      const worker = await openConfig(env, createLogger('silent'), { alerts: true });
      await worker.close();
      assert.deepEqual(worker.alertWebhook, { url: 'http://127.0.0.1:9/alerts', secret: SECRET, timeoutMs: 10_000 });
      delete process.env.ALERT_SECRET;
      const cli = await openConfig(env, createLogger('silent'));
      await cli.close();
      assert.equal(cli.alertWebhook, undefined);
    }));

  it('a receiver applying the file needs no alert secret: the block is checked for its shape only', () =>
    // The receiver resolves its own secrets, not the alert block's.
    withFileEnv({ ALERT_SECRET: undefined, RECEIVER_ONLY_SECRET: 'receiver-source-key-0123456789' }, async (env) => {
      const receiver = await openConfig(env, createLogger('silent'), { applyFile: true });
      await receiver.close();
      assert.equal(receiver.alertWebhook, undefined);
      // npm start sends alerts too: it resolves the block, so the unset secret stops it, by name.
      await assert.rejects(
        openConfig(env, createLogger('silent'), { applyFile: true, alerts: true }),
        (e: unknown) => e instanceof ConfigError && e.problems.some((p) => p.path === 'alerts.secret'),
      );
    }));

  it('an unset alert secret stops the worker, by name', () => {
    assert.throws(
      () => loadAlertWebhook(file, {}),
      (e: unknown) => e instanceof ConfigError && e.problems.some((p) => p.path === 'alerts.secret'),
    );
  });

  it('a file without alerts: none', () => {
    const none = join(dir, 'none.yaml');
    writeFileSync(none, 'outbound: { allowPrivateNetworks: [] }\n');
    assert.equal(loadAlertWebhook(none, {}), undefined);
  });

  it('the file and RELAY_ALERT_WEBHOOK_URL together are refused; either alone is used', () => {
    const fromFile = { url: 'https://ops.example.com/a', secret: SECRET };
    assert.throws(
      () => alertWebhookFrom({ RELAY_ALERT_WEBHOOK_URL: 'https://other.example.com/', RELAY_ALERT_WEBHOOK_SECRET: SECRET }, fromFile),
      /configured twice/,
    );
    assert.equal(alertWebhookFrom({}, fromFile), fromFile);
    assert.deepEqual(
      alertWebhookFrom({ RELAY_ALERT_WEBHOOK_URL: 'https://other.example.com/', RELAY_ALERT_WEBHOOK_SECRET: SECRET }, undefined),
      {
        url: 'https://other.example.com/',
        secret: SECRET,
      },
    );
    assert.equal(alertWebhookFrom({}, undefined), undefined);
  });
});
