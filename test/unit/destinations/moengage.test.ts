/** The MoEngage destination as a pure function: its exact request against the documented format. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { secretsOf } from '../../../src/destinations/connector';
import { moengageConnector, type MoengageSettings } from '../../../src/destinations/moengage';
import { TemplateRenderError } from '../../../src/destinations/templates';
import { capillaryEvent as event, destination, NOW, sendContext } from '../../helpers/destination-fixtures';

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
