/** The ephemeral-signing-key warning: said once, when a token is first issued — not at every start. */
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, describe, it } from 'node:test';
import { pino } from 'pino';
import { createTokenService } from '../../../src/receiver/tokens';
import { fakeStarter, startReceiver, type TestReceiver } from '../../helpers/receiver';

const SOURCE = {
  id: 'kognitiv',
  kind: 'kognitiv',
  auth: { type: 'oauth', clientId: 'kognitiv-client', clientSecret: 'k-secret' },
  eventName: 'RewardIssued',
  mapping: { id: '$.id', memberId: '$.memberId' },
};

function capture() {
  const lines: { msg: string }[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(JSON.parse(chunk.toString()) as { msg: string });
      done();
    },
  });
  return { logger: pino({ level: 'warn' }, stream), warnings: () => lines.filter((l) => l.msg.includes('RELAY_TOKEN_SIGNING_KEY')) };
}

describe('token signing key warning', () => {
  const receivers: TestReceiver[] = [];
  after(async () => {
    for (const r of receivers) await r.close();
  });
  const token = (r: TestReceiver) =>
    fetch(`${r.url}/v1/sources/kognitiv/oauth/token`, {
      method: 'POST',
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: 'kognitiv-client', client_secret: 'k-secret' }),
    });

  it('is logged once, at the first token issued with a key made at start', async () => {
    const log = capture();
    const r = await startReceiver([SOURCE], fakeStarter(), { logger: log.logger, tokens: createTokenService({}) });
    receivers.push(r);
    assert.equal(log.warnings().length, 0, 'nothing said before any token is issued');
    assert.equal((await token(r)).status, 200);
    assert.equal((await token(r)).status, 200);
    assert.equal(log.warnings().length, 1);
  });

  it('is not logged when RELAY_TOKEN_SIGNING_KEY is set', async () => {
    const log = capture();
    const tokens = createTokenService({ signingKey: 'a-production-key-of-at-least-32-characters!' });
    const r = await startReceiver([SOURCE], fakeStarter(), { logger: log.logger, tokens });
    receivers.push(r);
    assert.equal((await token(r)).status, 200);
    assert.equal(log.warnings().length, 0);
  });
});
