/** The CustomerGlu destination as a pure function: its exact request against the documented format. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { customergluConnector, type CustomergluSettings } from '../../../src/destinations/customerglu';
import { capillaryEvent as event, destination, NOW, sendContext } from '../../helpers/destination-fixtures';

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
