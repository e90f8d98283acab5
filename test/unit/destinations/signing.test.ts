/** Standard Webhooks signatures, checked by the independent `standardwebhooks` library. */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import { signatureHeaders, signingSecretProblem } from '../../../src/destinations/signing';
import { webhookConnector, type WebhookSettings } from '../../../src/destinations/webhook';
import { destination, sendContext } from '../../helpers/destination-fixtures';

describe('Standard Webhooks signing', () => {
  const secret = `whsec_${randomBytes(32).toString('base64')}`;
  const settings: WebhookSettings = {
    url: 'https://h.example',
    method: 'POST',
    allowInsecureHttp: false,
    headers: [],
    signing: { secret: '${WHSEC}' },
  };
  const d = destination('webhook', settings);

  it('verifies with the independent standardwebhooks library', async () => {
    const body = '{"customer":"412345678","points":250}';
    const { headers } = await webhookConnector.sendHeaders({
      ...sendContext(d, { signingSecret: secret }, body),
      nowSeconds: Math.floor(Date.now() / 1000),
    });
    assert.equal(headers['webhook-id'], 'msg_test');
    assert.match(headers['webhook-signature'] ?? '', /^v1,[A-Za-z0-9+/]+=*$/);
    assert.deepEqual(new Webhook(secret).verify(body, headers), JSON.parse(body));
  });

  it('fails verification for a changed body or another secret (the check has teeth)', () => {
    const now = Math.floor(Date.now() / 1000);
    const headers = signatureHeaders(secret, 'msg_1', now, '{"a":1}');
    assert.throws(() => new Webhook(secret).verify('{"a":2}', headers), WebhookVerificationError);
    const other = `whsec_${randomBytes(32).toString('base64')}`;
    assert.throws(() => new Webhook(other).verify('{"a":1}', headers), WebhookVerificationError);
  });

  it('validates the secret format', () => {
    assert.equal(signingSecretProblem(secret), undefined);
    assert.match(signingSecretProblem('not-whsec') ?? '', /must start with "whsec_"/);
    assert.match(signingSecretProblem('whsec_@@@@') ?? '', /base64/);
    assert.match(signingSecretProblem(`whsec_${Buffer.from('short').toString('base64')}`) ?? '', /24 to 64 bytes/);
  });
});
