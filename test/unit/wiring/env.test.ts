/** The environment's alert settings: a webhook URL needs its Standard Webhooks secret. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseEnv } from '../../../src/wiring/env';

describe('alert settings (environment)', () => {
  test('a URL needs a Standard Webhooks secret', () => {
    const secret = `whsec_${Buffer.alloc(32, 1).toString('base64')}`;
    assert.throws(() => parseEnv({ RELAY_ALERT_WEBHOOK_URL: 'https://ops.example.com/alerts' }), /RELAY_ALERT_WEBHOOK_SECRET/);
    assert.throws(
      () => parseEnv({ RELAY_ALERT_WEBHOOK_URL: 'https://ops.example.com/alerts', RELAY_ALERT_WEBHOOK_SECRET: 'plain' }),
      /whsec_/,
    );
    const env = parseEnv({ RELAY_ALERT_WEBHOOK_URL: 'https://ops.example.com/alerts', RELAY_ALERT_WEBHOOK_SECRET: secret });
    assert.equal(env.RELAY_ALERT_WEBHOOK_SECRET, secret);
    assert.equal(env.RELAY_BREAKER_PROBE_SECONDS, 60);
  });
});
