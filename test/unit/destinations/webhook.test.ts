import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { backoffDelayMs, parseRetryAfterMs } from '../../../activities/backoff';
import type { CanonicalEvent } from '../../../src/model/canonical-event';
import type { DestinationConfig } from '../../../src/model/destination';
import { type OutboundRequest, classifyStatus } from '../../../src/destinations/connector';
import { webhookConnector, type WebhookSettings } from '../../../src/destinations/webhook';
import type { Enrichment } from '../../../src/model/enrichment';
import { MissingPlaceholderError, TemplateRenderError } from '../../../src/destinations/templates';

describe('backoffDelayMs', () => {
  const policy = { initialMs: 1000, maxMs: 60_000 };
  const top = () => 1;
  const bottom = () => 0;

  it('doubles with each attempt', () => {
    assert.deepEqual(
      [1, 2, 3, 4, 5].map((a) => backoffDelayMs(a, policy, top)),
      [1000, 2000, 4000, 8000, 16_000],
    );
  });

  it('is capped at maxMs, even for absurd attempt numbers', () => {
    assert.equal(backoffDelayMs(7, policy, top), 60_000);
    assert.equal(backoffDelayMs(50, policy, top), 60_000);
    assert.equal(backoffDelayMs(5000, policy, top), 60_000);
  });

  it('treats attempt 0 like attempt 1', () => {
    assert.equal(backoffDelayMs(0, policy, top), 1000);
  });

  it('keeps jitter within [exp/2, exp]', () => {
    assert.equal(backoffDelayMs(3, policy, bottom), 2000);
    assert.equal(
      backoffDelayMs(3, policy, () => 0.5),
      3000,
    );
    for (let attempt = 1; attempt <= 10; attempt++) {
      const exp = Math.min(policy.maxMs, policy.initialMs * 2 ** (attempt - 1));
      for (let i = 0; i < 50; i++) {
        const d = backoffDelayMs(attempt, policy, Math.random);
        assert.ok(d >= exp / 2 && d <= exp, `attempt ${attempt}: ${d} outside [${exp / 2}, ${exp}]`);
      }
    }
  });
});

describe('parseRetryAfterMs', () => {
  const now = Date.parse('2024-06-10T06:13:20.000Z');

  it('reads delay-seconds', () => {
    assert.equal(parseRetryAfterMs('120', now), 120_000);
    assert.equal(parseRetryAfterMs(' 3 ', now), 3000);
    assert.equal(parseRetryAfterMs('0', now), 0);
    assert.equal(parseRetryAfterMs(['7', '9'], now), 7000);
  });

  it('reads an HTTP-date relative to now, never negative', () => {
    assert.equal(parseRetryAfterMs('Mon, 10 Jun 2024 06:13:50 GMT', now), 30_000);
    assert.equal(parseRetryAfterMs('Monday, 10-Jun-24 06:14:20 GMT', now), 60_000);
    assert.equal(parseRetryAfterMs('Mon, 10 Jun 2024 06:00:00 GMT', now), 0);
  });

  for (const junk of ['soon', '', '5 minutes', '1.5', '-1', '0.5', '1e3']) {
    it(`ignores ${JSON.stringify(junk)}`, () => {
      assert.equal(parseRetryAfterMs(junk, now), undefined);
    });
  }

  it('is undefined when absent', () => {
    assert.equal(parseRetryAfterMs(undefined, now), undefined);
    assert.equal(parseRetryAfterMs([], now), undefined);
  });
});

describe('classifyStatus', () => {
  const cases: [number, string][] = [
    [200, 'delivered'],
    [202, 'delivered'],
    [204, 'delivered'],
    [301, 'permanent'],
    [304, 'permanent'],
    [400, 'permanent'],
    [401, 'permanent'],
    [404, 'permanent'],
    [413, 'permanent'],
    [408, 'retry'],
    [425, 'retry'],
    [429, 'retry'],
    [500, 'retry'],
    [502, 'retry'],
    [503, 'retry'],
    [410, 'gone'],
  ];
  for (const [status, verdict] of cases) {
    it(`${status} → ${verdict}`, () => assert.equal(classifyStatus(status), verdict));
  }
});

describe('webhook render', () => {
  const event: CanonicalEvent = {
    id: '0c8f3a5e-6f3b-4d6e-9a41-2b7c5d1e8f90',
    source: 'capillary-prod',
    type: 'track',
    sourceKind: 'capillary',
    name: 'pointsIssued',
    occurredAt: '2024-06-10T06:13:20.000Z',
    receivedAt: '2024-06-10T06:13:21.500Z',
    customer: { id: '564218930', identifiers: { mobile: '919876543210' } },
    properties: { totalPointsIssued: 25, loyaltyProgramId: 1017 },
  };
  const enrichment: Enrichment = { pointsBalance: { entityId: 381, totalPoints: 1250, mainPoints: 1000, promisedPoints: 250 } };

  function destination(overrides: Partial<WebhookSettings> = {}): DestinationConfig<WebhookSettings> {
    return {
      name: 'crm-hook',
      kind: 'webhook',
      version: 'abc123abc123',
      enabled: true,
      events: ['pointsIssued'],
      slaSeconds: 60,
      maxConnections: 10,
      timeoutSeconds: 10,
      retryWindowSeconds: 86_400,
      enrichment: { pointsBalance: true },
      settings: { url: 'https://hooks.example.com/loyalty', method: 'POST', allowInsecureHttp: false, headers: [], ...overrides },
    };
  }

  /** The webhook kind renders exactly one request. */
  function render(d: DestinationConfig<WebhookSettings>, e: CanonicalEvent = event): OutboundRequest {
    const requests = webhookConnector.render({ destination: d, event: e, enrichment, nowMs: Date.now() });
    assert.equal(requests.length, 1);
    return requests[0]!;
  }

  it('posts the event and its enrichment as JSON by default', () => {
    const req = render(destination());
    assert.equal(req.method, 'POST');
    assert.equal(req.url, 'https://hooks.example.com/loyalty');
    assert.deepEqual(req.headers, { 'content-type': 'application/json' });
    assert.deepEqual(JSON.parse(req.body), { ...event, enrichment });
  });

  it('lowercases header names, renders their values and leaves secret headers out', () => {
    const headers = [
      { key: 'X-Event-Name', value: '{{ event.name }}', secret: false },
      { key: 'X-Destination', value: '{{ destination.name }}', secret: false },
      { key: 'Authorization', value: 'Bearer ${HOOK_TOKEN}', secret: true },
    ];
    const req = render(destination({ headers }));
    assert.deepEqual(req.headers, { 'content-type': 'application/json', 'x-event-name': 'pointsIssued', 'x-destination': 'crm-hook' });
    assert.doesNotMatch(JSON.stringify(req), /HOOK_TOKEN|Bearer/);
  });

  it('renders the URL and a body template', () => {
    const req = render(
      destination({
        url: 'https://hooks.example.com/c/{{ event.customer.id }}/{{ event.name }}',
        body: {
          customer: '{{ event.customer.id }}',
          points: '{{ enrichment.pointsBalance.totalPoints }}',
          note: 'issued {{ event.properties.totalPointsIssued }}',
        },
      }),
    );
    assert.equal(req.url, 'https://hooks.example.com/c/564218930/pointsIssued');
    assert.equal(req.body, '{"customer":"564218930","points":1250,"note":"issued 25"}');
  });

  it('refuses a header that would render to CR/LF', () => {
    const headers = [{ key: 'X-Customer', value: 'id={{ event.customer.id }}', secret: false }];
    const hostile = { ...event, customer: { id: '1\r\nX-Injected: yes', identifiers: {} } };
    assert.throws(
      () => render(destination({ headers }), hostile),
      (e: unknown) => {
        assert.ok(e instanceof TemplateRenderError);
        assert.ok(!(e instanceof MissingPlaceholderError));
        assert.match(e.message, /X-Customer/);
        return true;
      },
    );
  });

  it('refuses a header that would render to non-ASCII', () => {
    const headers = [{ key: 'X-Name', value: '{{ event.properties.name }}', secret: false }];
    const named = { ...event, properties: { name: 'Zoë' } };
    assert.throws(() => render(destination({ headers }), named), TemplateRenderError);
  });

  it('throws MissingPlaceholderError when a template needs an absent value', () => {
    assert.throws(() => render(destination({ body: { tier: '{{ event.properties.tier }}' } })), {
      name: 'MissingPlaceholderError',
      placeholder: 'event.properties.tier',
    });
  });
});
