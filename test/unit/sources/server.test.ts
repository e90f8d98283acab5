/** The server source adapter. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HttpError } from '../../../src/http/inbound/errors';
import { serverSource } from '../../../src/sources/server';
import { issuePaths } from '../../helpers/schema-violation';

describe('server source', () => {
  const valid = {
    event_id: 'ord-20240610-0042',
    event_name: 'purchase_completed',
    event_properties: { amount: 1499.5, currency: 'INR', store: 'BLR-07' },
    timestamp: '2024-06-10T11:43:20.250+05:30',
    user_id: 'cust-564218930',
  };
  const serverCtx = { sourceId: 'backend', receivedAt: '2024-06-10T06:13:21.000Z' };

  it('normalizes a valid body', () => {
    assert.deepEqual(serverSource.normalize(valid, serverCtx), {
      id: 'ord-20240610-0042',
      source: 'backend',
      sourceKind: 'server',
      name: 'purchase_completed',
      type: 'track',
      occurredAt: '2024-06-10T06:13:20.250Z',
      receivedAt: '2024-06-10T06:13:21.000Z',
      customer: { id: 'cust-564218930', identifiers: {} },
      properties: { amount: 1499.5, currency: 'INR', store: 'BLR-07' },
    });
  });

  it('accepts empty event_properties', () => {
    assert.deepEqual(serverSource.normalize({ ...valid, event_properties: {} }, serverCtx).properties, {});
  });

  for (const field of ['event_id', 'event_name', 'event_properties', 'timestamp', 'user_id'] as const) {
    it(`answers 422 naming ${field} when it is missing`, () => {
      const body: Record<string, unknown> = { ...valid };
      delete body[field];
      assert.deepEqual(
        issuePaths(() => serverSource.normalize(body, serverCtx)),
        [field],
      );
    });
  }

  it('lists every missing field at once', () => {
    assert.deepEqual(issuePaths(() => serverSource.normalize({ event_properties: {} }, serverCtx)).sort(), [
      'event_id',
      'event_name',
      'timestamp',
      'user_id',
    ]);
  });

  for (const timestamp of ['2024-06-10 06:13:20', '1718000000', 'yesterday', '2024-06-10T06:13:20', '2024-02-30T00:00:00Z']) {
    it(`refuses the timestamp ${JSON.stringify(timestamp)} with invalid_timestamp`, () => {
      assert.throws(
        () => serverSource.normalize({ ...valid, timestamp }, serverCtx),
        (e: unknown) => e instanceof HttpError && e.status === 422 && e.code === 'invalid_timestamp' && e.issues?.[0]?.path === 'timestamp',
      );
    });
  }

  it('refuses a body that is not an object', () => {
    assert.throws(
      () => serverSource.normalize([valid], serverCtx),
      (e: unknown) => e instanceof HttpError && e.status === 422,
    );
  });
});
