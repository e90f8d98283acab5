/**
 * Destination kinds as pure functions: each kind's exact request against its documented
 * format, JSON-injection attempts through placeholders, Standard Webhooks signatures checked
 * by the independent `standardwebhooks` library, the outbound guard and the concurrency limiter.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import type { ApplicationFailure } from '@temporalio/common';
import { enrichEvent, enrichmentFor } from '../../../activities/enrich';
import { LoyaltyApiUnavailableError, type LoyaltyApi } from '../../../src/enrichment/loyalty-api';
import type { CanonicalEvent } from '../../../src/model/canonical-event';
import type { DestinationConfig } from '../../../src/model/destination';
import { secretsOf, type SendContext } from '../../../src/destinations/connector';
import { customergluConnector, type CustomergluSettings } from '../../../src/destinations/customerglu';
import { moengageConnector, type MoengageSettings } from '../../../src/destinations/moengage';
import { signatureHeaders, signingSecretProblem } from '../../../src/destinations/signing';
import { webhookConnector, type WebhookSettings } from '../../../src/destinations/webhook';
import { createConcurrencyLimiter } from '../../../src/http/limiter';
import { BlockedAddressError, createOutboundGuard } from '../../../src/http/outbound-guard';
import { TemplateRenderError } from '../../../src/destinations/templates';
import { loyaltyEvent } from '../../helpers/activity-fakes';

const NOW = Date.parse('2026-11-23T10:00:00.000Z');

const event = (overrides: Partial<CanonicalEvent> = {}): CanonicalEvent => loyaltyEvent({ source: 'capillary', ...overrides });

function destination<S>(kind: string, settings: S): DestinationConfig<S> {
  return {
    name: `${kind}-dest`,
    kind,
    version: 'v',
    enabled: true,
    events: ['pointsIssued'],
    slaSeconds: 60,
    maxConnections: 10,
    timeoutSeconds: 10,
    retryWindowSeconds: 3600,
    enrichment: { pointsBalance: true },
    settings,
  };
}

const noCredentials = {
  headersFor: () => Promise.reject(new Error('no credentials in this test')),
};

function sendContext<S>(d: DestinationConfig<S>, secrets: Record<string, string>, body = '{}'): SendContext<S> {
  return {
    destination: d,
    request: { method: 'POST', url: 'https://x.example', headers: {}, body },
    idempotencyKey: 'msg_test',
    secrets,
    credentials: noCredentials,
    nowSeconds: Math.floor(NOW / 1000),
    forceRefresh: false,
  };
}

describe('moengage', () => {
  const settings: MoengageSettings = { dataCenter: '03', workspaceId: 'WS123', dataApiKey: '${MOE_KEY}', allowInsecureHttp: false };
  const d = destination('moengage', settings);

  it('maps a track event to the event API body', () => {
    const requests = moengageConnector.render({
      destination: d,
      event: event({ properties: { totalPointsIssued: 250, moe_internal: 'x', loyaltyProgramId: 973 } }),
      enrichment: { pointsBalance: { totalPoints: 4500 }, store: { code: 'blr-01' } },
      nowMs: NOW,
    });
    assert.equal(requests.length, 1);
    const [req] = requests;
    assert.equal(req?.method, 'POST');
    assert.equal(req?.url, 'https://api-03.moengage.com/v1/event/WS123');
    assert.deepEqual(req?.headers, { 'content-type': 'application/json', 'moe-appkey': 'WS123' });
    assert.equal(req?.part, undefined);
    assert.deepEqual(JSON.parse(req?.body ?? ''), {
      type: 'event',
      customer_id: '412345678',
      actions: [
        {
          action: 'pointsIssued',
          attributes: { totalPointsIssued: 250, loyaltyProgramId: 973, points_balance: 4500, store_code: 'blr-01' },
          current_time: Date.parse('2026-11-23T09:59:00.000Z') / 1000,
        },
      ],
    });
  });

  it('sends a user event to the customer API first, then the event API', () => {
    const requests = moengageConnector.render({
      destination: d,
      event: event({ name: 'customerAdded', type: 'user', traits: { first_name: 'Asha', tier: 'Gold' }, properties: {} }),
      enrichment: {},
      nowMs: NOW,
    });
    assert.deepEqual(
      requests.map((r) => [r.url, r.part]),
      [
        ['https://api-03.moengage.com/v1/customer/WS123', 'customer'],
        ['https://api-03.moengage.com/v1/event/WS123', undefined],
      ],
    );
    assert.deepEqual(JSON.parse(requests[0]?.body ?? ''), {
      type: 'customer',
      customer_id: '412345678',
      attributes: { email: 'asha@example.com', mobile: '919999000001', first_name: 'Asha', tier: 'Gold' },
    });
  });

  it('never sends a time in the future', () => {
    const [req] = moengageConnector.render({
      destination: d,
      event: event({ occurredAt: '2030-01-01T00:00:00Z' }),
      enrichment: {},
      nowMs: NOW,
    });
    const body = JSON.parse(req?.body ?? '') as { actions: { current_time: number }[] };
    assert.equal(body.actions[0]?.current_time, NOW / 1000);
  });

  it('needs a customer id', () => {
    assert.throws(
      () => moengageConnector.render({ destination: d, event: event({ customer: { identifiers: {} } }), enrichment: {}, nowMs: NOW }),
      TemplateRenderError,
    );
  });

  it('authenticates with Basic workspaceId:apiKey at send time only', async () => {
    const { headers } = await moengageConnector.sendHeaders(sendContext(d, { dataApiKey: 'moe-secret' }));
    assert.deepEqual(headers, { authorization: `Basic ${Buffer.from('WS123:moe-secret').toString('base64')}` });
    assert.deepEqual(secretsOf(moengageConnector, settings), { dataApiKey: '${MOE_KEY}' });
  });
});

describe('customerglu', () => {
  const settings: CustomergluSettings = { writeKey: '${CG_KEY}', baseUrl: 'https://events.customerglu.com', allowInsecureHttp: false };
  const d = destination('customerglu', settings);

  it('posts the server format to /server/v4 with X-API-KEY', async () => {
    const [req, ...rest] = customergluConnector.render({
      destination: d,
      event: event(),
      enrichment: { pointsBalance: { totalPoints: 4500 }, problems: [{ lookup: 'x', message: 'y' }] },
      nowMs: NOW,
    });
    assert.equal(rest.length, 0);
    assert.equal(req?.url, 'https://events.customerglu.com/server/v4');
    assert.deepEqual(req?.headers, { 'content-type': 'application/json' });
    assert.deepEqual(JSON.parse(req?.body ?? ''), {
      event_id: '7f0c2a8e-4b1d-4c52-9a77-1f6f3f0b9d01',
      event_name: 'pointsIssued',
      event_properties: { loyaltyProgramId: 973, totalPointsIssued: 250, points_balance: 4500 },
      timestamp: '2026-11-23T09:59:00.000Z',
      user_id: '412345678',
    });
    const { headers } = await customergluConnector.sendHeaders(sendContext(d, { writeKey: 'cg-secret' }));
    assert.deepEqual(headers, { 'x-api-key': 'cg-secret' });
  });
});

describe('webhook body rendering resists JSON injection', () => {
  const base: WebhookSettings = {
    url: 'https://hooks.example.com/{{ event.customer.id }}',
    method: 'POST',
    allowInsecureHttp: false,
    headers: [],
    body: { customer: '{{ event.customer.id }}', note: 'id={{ event.customer.id }}', props: '{{ event.properties }}' },
  };
  const hostile = [
    '", "admin": true, "x": "',
    '"}, {"injected": 1',
    'line1\nline2\r\n"quoted"',
    '{{ event.id }}',
    '\\"; DROP',
    '</script>{"a":1}',
  ];
  for (const value of hostile) {
    it(`keeps ${JSON.stringify(value)} a plain string value`, () => {
      const e = event({ customer: { id: value, identifiers: {} }, properties: { nested: value } });
      const [req] = webhookConnector.render({ destination: destination('webhook', base), event: e, enrichment: {}, nowMs: NOW });
      const body = JSON.parse(req?.body ?? '') as Record<string, unknown>;
      assert.deepEqual(Object.keys(body).sort(), ['customer', 'note', 'props']);
      assert.equal(body.customer, value);
      assert.equal(body.note, `id=${value}`);
      assert.deepEqual(body.props, { nested: value });
      assert.equal(req?.url, `https://hooks.example.com/${encodeURIComponent(value)}`);
    });
  }
});

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

describe('outbound guard', () => {
  const guard = createOutboundGuard();
  const refused = [
    '127.0.0.1',
    '10.1.2.3',
    '172.16.0.1',
    '192.168.1.1',
    '169.254.169.254',
    '100.100.100.200',
    '0.0.0.0',
    '::1',
    'fe80::1',
    'fd00:ec2::254',
    '::ffff:127.0.0.1',
    '::ffff:10.0.0.1',
  ];
  const allowed = ['93.184.216.34', '8.8.8.8', '2606:4700:4700::1111', '172.32.0.1'];
  for (const a of refused) it(`refuses ${a}`, () => assert.equal(guard.allows(a), false));
  for (const a of allowed) it(`allows ${a}`, () => assert.equal(guard.allows(a), true));

  it('lets the allowlist through, and only it', () => {
    const dev = createOutboundGuard(['127.0.0.0/8', '::1']);
    assert.equal(dev.allows('127.0.0.1'), true);
    assert.equal(dev.allows('::1'), true);
    assert.equal(dev.allows('10.0.0.1'), false);
  });

  // IPv6 forms embedding an IPv4 address are judged by the IPv4 address they carry.
  const embedded: [string, string][] = [
    ['64:ff9b::a9fe:a9fe', 'NAT64 of 169.254.169.254'],
    ['64:ff9b::7f00:1', 'NAT64 of 127.0.0.1'],
    ['64:ff9b::10.0.0.1', 'NAT64 of 10.0.0.1, dotted'],
    ['64:ff9b:1::a9fe:a9fe', 'local-use NAT64 (refused as a whole)'],
    ['64:ff9b:1:a9fe:a9:fe00::', 'local-use NAT64, /48 layout'],
    ['2002:7f00:1::', '6to4 of 127.0.0.1'],
    ['2002:a9fe:a9fe::1', '6to4 of 169.254.169.254'],
    ['2002:c0a8:101::1', '6to4 of 192.168.1.1'],
    ['::7f00:1', 'IPv4-compatible 127.0.0.1'],
    ['::127.0.0.1', 'IPv4-compatible 127.0.0.1, dotted'],
    ['::a9fe:a9fe', 'IPv4-compatible 169.254.169.254'],
    ['::ffff:0:7f00:1', 'IPv4-translated 127.0.0.1'],
    ['::ffff:0:a9fe:a9fe', 'IPv4-translated 169.254.169.254'],
    ['::ffff:7f00:1', 'IPv4-mapped 127.0.0.1, hex'],
    ['::ffff:a9fe:a9fe', 'IPv4-mapped 169.254.169.254, hex'],
    ['::ffff:6464:64c8', 'IPv4-mapped 100.100.100.200 (CGNAT), hex'],
    ['2001:0:7f00:1::1', 'Teredo with server 127.0.0.1'],
    ['2001:0:808:808::80ff:fffe', 'Teredo with client 127.0.0.1 (XOR 0xffffffff)'],
    ['2001:0:808:808::5601:5601', 'Teredo with client 169.254.169.254'],
    ['::', 'unspecified'],
    ['0:0:0:0:0:ffff:127.0.0.1', 'IPv4-mapped, long form'],
  ];
  for (const [a, why] of embedded) it(`refuses ${a} (${why})`, () => assert.equal(guard.allows(a), false));
  for (const a of ['64:ff9b::808:808', '2002:808:808::1', '::ffff:808:808', '2001:0:808:808::f7f7:f7f7'])
    it(`allows ${a} (a public IPv4 address embedded)`, () => assert.equal(guard.allows(a), true));

  it('an IPv4 allowlist entry allows the embedded forms of that range only', () => {
    const dev = createOutboundGuard(['127.0.0.0/8']);
    for (const a of ['64:ff9b::7f00:1', '2002:7f00:1::', '::ffff:7f00:1', '::ffff:127.0.0.1', '::7f00:1', '2001:0:808:808::80ff:fffe'])
      assert.equal(dev.allows(a), true, a);
    for (const a of ['64:ff9b::a9fe:a9fe', '2002:a9fe:a9fe::1', '::ffff:0:a9fe:a9fe', '2001:0:7f00:1::5601:5601', '::1'])
      assert.equal(dev.allows(a), false, a);
    // Teredo: both the server and the client must pass.
    assert.equal(dev.allows('2001:0:a9fe:a9fe::80ff:fffe'), false);
  });

  it('refuses the OWASP SSRF literal forms as the URL parser normalizes them', () => {
    const urls = [
      'http://2130706433/',
      'http://0177.0.0.1/',
      'http://0x7f.1/',
      'http://127.1/',
      'http://0/',
      'http://[::]/',
      'http://[0:0:0:0:0:ffff:127.0.0.1]/',
      'https://[64:ff9b::a9fe:a9fe]/',
      'https://[::127.0.0.1]/',
      'https://[::ffff:0:7f00:1]/',
      'https://[2002:a9fe:a9fe::]/',
    ];
    for (const url of urls) assert.throws(() => guard.checkLiteral(new URL(url).hostname), BlockedAddressError, url);
  });

  it('refuses names resolving to loopback, with a trailing dot too', async () => {
    for (const name of ['localhost', 'localhost.']) {
      const err = await new Promise<unknown>((resolve) => guard.lookup(name, {}, (e) => resolve(e)));
      // A resolver may not know `localhost.`: then the lookup fails, which refuses it as well.
      assert.ok(err instanceof Error, `${name}: ${String(err)}`);
      if (name === 'localhost') assert.ok(err instanceof BlockedAddressError, String(err));
    }
  });

  it('checks the resolved address of a name (localhost resolves to loopback)', async () => {
    const err = await new Promise<unknown>((resolve) => guard.lookup('localhost', {}, (e) => resolve(e)));
    assert.ok(err instanceof BlockedAddressError, String(err));
    assert.throws(() => guard.checkLiteral('[::1]'), BlockedAddressError);
  });
});

describe('concurrency limiter', () => {
  it('never lets more than the limit run, and runs everything', async () => {
    const limiter = createConcurrencyLimiter();
    let active = 0;
    let peak = 0;
    let done = 0;
    await Promise.all(
      Array.from({ length: 20 }, async () => {
        const release = await limiter.acquire('d', 3);
        active += 1;
        peak = Math.max(peak, active);
        await new Promise((r) => setTimeout(r, 5));
        active -= 1;
        done += 1;
        release();
      }),
    );
    assert.equal(peak, 3);
    assert.equal(done, 20);
    assert.equal(limiter.active('d'), 0);
  });

  it('gives up waiting when the signal aborts', async () => {
    const limiter = createConcurrencyLimiter();
    const hold = await limiter.acquire('d', 1);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 20); // a ref'd timer: AbortSignal.timeout() would let the test's event loop drain
    await assert.rejects(limiter.acquire('d', 1, controller.signal), /no connection slot to d came free in time.*not sent/);
    hold();
    const again = await limiter.acquire('d', 1);
    again();
  });
});

describe('enrichment per destination', () => {
  const data = {
    pointsBalance: { totalPoints: 10 },
    customerIdentifiers: { INSTORE: { source: 'INSTORE', mobile: '91', cardNumbers: ['CARD-1'] } },
    store: { code: 's1' },
  };
  it('keeps only what the destination chose; card numbers only when asked for', () => {
    assert.deepEqual(enrichmentFor({ pointsBalance: false, customerIdentifiers: 'INSTORE' }, data), {
      customerIdentifiers: { source: 'INSTORE', mobile: '91' },
    });
    assert.deepEqual(enrichmentFor({ pointsBalance: true, customerIdentifiers: 'INSTORE', cardNumbers: true, store: true }, data), {
      pointsBalance: { totalPoints: 10 },
      customerIdentifiers: { source: 'INSTORE', mobile: '91', cardNumbers: ['CARD-1'] },
      store: { code: 's1' },
    });
  });
});

describe('enrichment while the loyalty API cannot answer', () => {
  const event = {
    id: 'e1',
    source: 'capillary',
    sourceKind: 'capillary',
    name: 'pointsIssued',
    type: 'track',
    occurredAt: '',
    receivedAt: '',
    customer: { id: '1', identifiers: { mobile: '91' } },
    properties: {},
  } as CanonicalEvent;
  const down: LoyaltyApi = {
    pointsBalance: () => Promise.reject(new LoyaltyApiUnavailableError('loyalty API answered 503')),
    customerProfile: () => Promise.reject(new LoyaltyApiUnavailableError('loyalty API answered 503')),
    customerDetails: () => Promise.reject(new LoyaltyApiUnavailableError('loyalty API answered 503')),
  };
  const failure = (giveUpAtMs?: number) =>
    enrichEvent(event, { pointsBalance: true }, down, giveUpAtMs).then(
      () => assert.fail('enrich answered'),
      (e: unknown) => e as ApplicationFailure,
    );

  it('is retryable until the give-up time, then not (the run delivers without it)', async () => {
    const retry = await failure(Date.now() + 60_000);
    assert.equal(retry.type, 'LoyaltyApiUnavailable');
    assert.equal(retry.nonRetryable, false);
    const last = await failure(Date.now() - 1);
    assert.equal(last.nonRetryable, true);
    assert.match(last.message, /retried until the retry window ended/);
    assert.equal((await failure()).nonRetryable, false, 'no give-up time: retried');
  });
});
