/** The webhook destination's body rendering against JSON-injection attempts through placeholders. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { webhookConnector, type WebhookSettings } from '../../../src/destinations/webhook';
import { capillaryEvent as event, destination, NOW } from '../../helpers/destination-fixtures';

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
