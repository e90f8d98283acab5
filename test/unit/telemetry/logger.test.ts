/** Log format: pretty lines for a person at a terminal, JSON otherwise; secrets redacted in both. */
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { describe, it } from 'node:test';
import { parseEnv } from '../../../src/wiring/env';
import { createLogger, logFormat, prettyStream } from '../../../src/telemetry/logger';
import { pino } from 'pino';

function capture(): { stream: PassThrough; text(): string } {
  const stream = new PassThrough();
  let out = '';
  stream.on('data', (c: Buffer) => (out += c.toString()));
  return { stream, text: () => out };
}

describe('log format', () => {
  it('is pretty on a terminal and JSON otherwise, unless RELAY_LOG_FORMAT says', () => {
    assert.equal(logFormat(undefined, true), 'pretty');
    assert.equal(logFormat(undefined, false), 'json');
    assert.equal(logFormat('json', true), 'json');
    assert.equal(logFormat('pretty', false), 'pretty');
    assert.equal(parseEnv({ RELAY_LOG_FORMAT: 'pretty' }).RELAY_LOG_FORMAT, 'pretty');
    assert.equal(parseEnv({}).RELAY_LOG_FORMAT, undefined);
    assert.throws(() => parseEnv({ RELAY_LOG_FORMAT: 'xml' }), /RELAY_LOG_FORMAT/);
  });

  it('json: one object per line, secrets redacted', () => {
    const out = capture();
    createLogger('info', 'test', out.stream).info({ headers: { authorization: 'Bearer s3cret' } }, 'hello');
    const line = JSON.parse(out.text().trim()) as Record<string, unknown>;
    assert.equal(line.msg, 'hello');
    assert.deepEqual(line.headers, { authorization: '[redacted]' });
  });

  it('pretty: a readable line with level, name and message, secrets redacted', () => {
    const out = capture();
    const logger = pino(
      { name: 'test', level: 'info', redact: { paths: ['headers.authorization'], censor: '[redacted]' } },
      prettyStream(out.stream, false),
    );
    logger.warn({ headers: { authorization: 'Bearer s3cret' } }, 'destination slow');
    const text = out.text();
    assert.match(text, /WARN.*\(test\): destination slow/);
    assert.doesNotMatch(text, /s3cret/);
    assert.throws(() => JSON.parse(text.split('\n')[0] ?? ''));
  });

  it('createLogger(…, "pretty") writes pretty lines to the destination', () => {
    const out = capture();
    const logger = createLogger('info', 'relay', out.stream, 'pretty');
    logger.info({ password: { password: 'p4ss' } }, 'worker running');
    assert.match(out.text(), /worker running/);
    assert.doesNotMatch(out.text(), /p4ss|^\{/);
  });
});
