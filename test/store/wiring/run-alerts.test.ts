/**
 * The worker reads only the `alerts` block of the configuration file (only its own `${…}`s
 * resolved): openConfig against a throwaway database.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ConfigError, loadAlertWebhook } from '../../../src/config/load';
import { parseEnv } from '../../../src/wiring/env';
import { createLogger } from '../../../src/telemetry/logger';
import { alertWebhookFrom, openConfig } from '../../../src/wiring/run';
import { createTestDatabase } from '../../helpers/database';

const SECRET = `whsec_${Buffer.alloc(32, 5).toString('base64')}`;
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
