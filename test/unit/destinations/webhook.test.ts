/** The webhook destination's request rendering. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CanonicalEvent } from '../../../src/model/canonical-event';
import type { DestinationConfig } from '../../../src/model/destination';
import { type OutboundRequest } from '../../../src/destinations/connector';
import { webhookConnector, type WebhookSettings } from '../../../src/destinations/webhook';
import type { Enrichment } from '../../../src/model/enrichment';
import { MissingPlaceholderError, TemplateRenderError } from '../../../src/destinations/templates';

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
