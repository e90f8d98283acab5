/**
 * The `alerts` block of the configuration file: validated like a webhook destination's URL and
 * headers, its secret a `whsec_…`.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, parseConfig } from '../../../src/config/load';

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
