/**
 * Scrubbing of destination answers before they enter history or logs: the secret values of a
 * destination and its credential set (in the forms an echo shows them) and Authorization-looking
 * values are removed, then the text is cut. The deliver activity applies it to the response
 * snippet and error messages of a failure (an echoing destination, with a scripted HttpClient).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import { createActivities } from '../../../activities';
import type { DeliveryFailureDetails } from '../../../src/model/failure-types';
import { REDACTED, scrubAuthorizationLike, scrubSecrets, SNIPPET_CHARS } from '../../../src/payloads/scrub';
import { createLoyaltyApi } from '../../../src/enrichment/loyalty-api';
import { activityEnv, fakeHttp, memoryLogger, MemoryStore, webhookDestination } from '../../helpers/activity-fakes';

const API_KEY = 'k-live-7f3a9c2e11';
const TOKEN = 'tok_4bd2a7e9c0ffee51';
const SIGNING = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

describe('scrubSecrets', () => {
  it('removes each secret value, as is and URL-, JSON- and base64-encoded', () => {
    const text = [
      API_KEY,
      encodeURIComponent('p@ss w/rd:1'),
      JSON.stringify('quo"te-secret').slice(1, -1),
      Buffer.from(API_KEY).toString('base64'),
    ].join(' | ');
    const out = scrubSecrets(text, [API_KEY, 'p@ss w/rd:1', 'quo"te-secret']);
    assert.equal(out, [REDACTED, REDACTED, REDACTED, REDACTED].join(' | '));
  });

  it('removes the credential of a Bearer or Basic value, and Basic user:password and password alone', () => {
    const basic = `Basic ${Buffer.from('relay:s3cret-pass').toString('base64')}`;
    const out = scrubSecrets(
      `got ${Buffer.from('relay:s3cret-pass').toString('base64')} user=relay:s3cret-pass pw s3cret-pass tok ${TOKEN}`,
      [basic, `Bearer ${TOKEN}`],
    );
    for (const leaked of ['s3cret-pass', TOKEN, Buffer.from('relay:s3cret-pass').toString('base64')]) assert.ok(!out.includes(leaked), out);
  });

  it('scrubs before cutting: a secret straddling the cut leaves no prefix', () => {
    const text = `${'x'.repeat(SNIPPET_CHARS - 5)}${API_KEY}`;
    const out = scrubSecrets(text, [API_KEY]);
    assert.equal(out.length, SNIPPET_CHARS);
    assert.ok(!out.includes(API_KEY.slice(0, 5)));
  });

  it('cuts at the limit given', () => {
    assert.equal(scrubSecrets('a'.repeat(600), []), 'a'.repeat(SNIPPET_CHARS));
    assert.equal(scrubSecrets('a'.repeat(600), [], 200).length, 200);
  });

  it('leaves short values and ordinary text alone', () => {
    assert.equal(scrubSecrets('{"error":"customer_id missing","code":42}', ['42']), '{"error":"customer_id missing","code":42}');
  });
});

describe('scrubAuthorizationLike', () => {
  for (const [input, expected] of [
    ['Authorization: Bearer abc.def.ghi-jkl', `Authorization: ${REDACTED}`],
    ['{"authorization":"Basic dXNlcjpwYXNz"}', `{"authorization":"${REDACTED}"}`],
    ['{"headers":{"x-api-key":"zzz-123-unknown"}}', `{"headers":{"x-api-key":"${REDACTED}"}}`],
    ['client_secret=abc123&grant_type=client_credentials', `client_secret=${REDACTED}&grant_type=client_credentials`],
    ["password: 'hunter22'", `password: '${REDACTED}'`],
    ['sent Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig to us', `sent Bearer ${REDACTED} to us`],
    ['token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln in text', `token ${REDACTED} in text`],
  ] as const) {
    it(JSON.stringify(input), () => assert.equal(scrubAuthorizationLike(input), expected));
  }

  it('keeps fields that only look close (token_type, x-event)', () => {
    const text = '{"token_type":"Bearer","x-event":"pointsIssued"}';
    assert.equal(scrubAuthorizationLike(text), text);
  });
});

describe('deliver: what an echoing destination answers is scrubbed before it enters history or logs', () => {
  /** A destination echoing the request, headers included, with a 400 (a permanent failure: its snippet is kept). */
  async function echoed(body: (headers: Record<string, string>) => string) {
    const store = new MemoryStore(webhookDestination({ auth: 'crm-auth', signing: { secret: '${SIGNING}' } }));
    store.secrets.set('crm-hook', { 'header:X-Api-Key': API_KEY, signingSecret: SIGNING });
    store.credentials.set('crm-auth', { name: 'crm-auth', type: 'bearer', token: TOKEN });
    let sent: Record<string, string> = {};
    const { http } = fakeHttp([]);
    const echoing = {
      ...http,
      send: (req: Parameters<typeof http.send>[0]) => {
        sent = req.headers;
        return Promise.resolve({ status: 400, headers: {}, body: body(req.headers), truncated: false });
      },
    };
    const activities = createActivities({
      store,
      http: echoing,
      backoff: { initialMs: 1000, maxMs: 60_000 },
      random: () => 0.5,
      userAgent: 't',
    });
    const { logger, lines } = memoryLogger();
    const input = {
      destination: 'crm-hook',
      destinationVersion: 'v1',
      request: {
        method: 'POST' as const,
        url: 'https://hooks.example.com/loyalty',
        headers: { 'content-type': 'application/json' },
        body: '{}',
      },
      idempotencyKey: 'msg_0123456789abcdef0123456789abcdef',
      timeoutSeconds: 7,
      retryWindowSeconds: 3600,
    };
    const error = await activityEnv({}, logger)
      .run(() => activities.deliver(input))
      .then(
        () => assert.fail('expected a failure'),
        (e: unknown) => e,
      );
    assert.ok(error instanceof ApplicationFailure);
    return { failure: error, details: error.details?.[0] as DeliveryFailureDetails, sent, lines };
  }

  it('the snippet keeps the answer but none of the secret header, bearer token or signature', async () => {
    const { details, sent, failure, lines } = await echoed((h) => JSON.stringify({ error: 'bad request', echo: h }));
    assert.equal(sent.authorization, `Bearer ${TOKEN}`, 'the request did carry the secrets');
    const snippet = details.responseSnippet ?? '';
    assert.match(snippet, /"error":"bad request"/);
    for (const leaked of [API_KEY, TOKEN, SIGNING, sent['webhook-signature'] ?? 'never']) {
      assert.ok(!snippet.includes(leaked), `snippet leaks ${leaked}: ${snippet}`);
      assert.ok(!failure.message.includes(leaked));
      assert.ok(!JSON.stringify(lines).includes(leaked), 'nor do the log lines');
    }
  });

  it('an echo in another shape (plain text, base64) is scrubbed too', async () => {
    const { details } = await echoed(
      (h) => `you sent key=${h['x-api-key']} and ${Buffer.from(h['x-api-key'] ?? '').toString('base64')} and ${TOKEN}`,
    );
    const snippet = details.responseSnippet ?? '';
    assert.ok(
      !snippet.includes(API_KEY) && !snippet.includes(Buffer.from(API_KEY).toString('base64')) && !snippet.includes(TOKEN),
      snippet,
    );
  });
});

describe('loyalty API: a refused lookup message carries no Authorization value', () => {
  it('scrubs LOYALTY_API_AUTHORIZATION from the answer it quotes', async () => {
    const authorization = `Bearer ${TOKEN}`;
    const { http } = fakeHttp([{ status: 400, body: `bad request; you sent Authorization ${authorization}` }]);
    const api = createLoyaltyApi(http, { baseUrl: 'https://loyalty.example.com', authorization });
    const e = await api.pointsBalance({ name: 'mobile', value: '919999000001' }).then(
      () => assert.fail('expected a refusal'),
      (err: unknown) => err as Error,
    );
    assert.match(e.message, /refused the lookup with 400/);
    assert.ok(!e.message.includes(TOKEN), e.message);
  });
});
