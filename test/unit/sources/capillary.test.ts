/** The Capillary source adapter. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CanonicalEvent } from '../../../src/model/canonical-event';
import { HttpError, UnknownEventError } from '../../../src/http/inbound/errors';
import { CAPILLARY_EVENTS, capillarySource } from '../../../src/sources/capillary';
import { issuePaths } from '../../helpers/schema-violation';

const ctx = { sourceId: 'capillary-prod', receivedAt: '2024-06-10T06:13:21.500Z' };

/** `data` of a Capillary pointsIssued notification, with customer identifiers enrichment on. */
function pointsIssuedData(): Record<string, unknown> {
  return {
    customerIdentifiers: {
      customerId: 564218930,
      instore: {
        mobile: '919876543210',
        email: 'asha.rao@example.com',
        externalId: 'EXT-1029',
        cardNumbers: ['CARD0000118'],
      },
    },
    loyaltyProgramId: 1017,
    programCurrentPoints: 1250,
    totalPointsIssued: 25,
    triggeringActivity: {
      name: 'TransactionAdd',
      identifiers: [
        { key: 'transactionId', value: '889211734' },
        { key: 'billNumber', value: 'BLR-07-000481' },
      ],
      enteredBy: {
        id: 75011,
        till: { code: 'till.blr.07', name: 'Indiranagar Till 07' },
        store: { code: 'store.blr.indiranagar', name: 'Bengaluru Indiranagar' },
      },
    },
  };
}

const EVENT_ID = '0c8f3a5e-6f3b-4d6e-9a41-2b7c5d1e8f90';
const CREATED_AT = 1718000000000; // 2024-06-10T06:13:20.000Z

function flatPointsIssued(): Record<string, unknown> {
  return {
    eventName: 'pointsIssued',
    eventId: EVENT_ID,
    orgId: 100458,
    refId: '889211734',
    apiRequestId: 'a7d6c5e4-1b2f-4c3d-8e9f-0a1b2c3d4e5f',
    createdAt: CREATED_AT,
    loyaltyEventId: 'le-30021',
    data: pointsIssuedData(),
  };
}

function wrappedPointsIssued(): Record<string, unknown> {
  return {
    eventId: EVENT_ID,
    eventType: '100458_pointsIssued',
    actionType: 'WEBHOOK',
    timeStamp: CREATED_AT + 900,
    attributes: {
      createdAt: CREATED_AT,
      data: pointsIssuedData(),
      refId: '889211734',
      apiRequestId: 'a7d6c5e4-1b2f-4c3d-8e9f-0a1b2c3d4e5f',
      orgId: 100458,
    },
  };
}

const expected: CanonicalEvent = {
  id: EVENT_ID,
  source: 'capillary-prod',
  sourceKind: 'capillary',
  type: 'track',
  name: 'pointsIssued',
  occurredAt: '2024-06-10T06:13:20.000Z',
  receivedAt: '2024-06-10T06:13:21.500Z',
  customer: {
    id: '564218930',
    identifiers: { mobile: '919876543210', email: 'asha.rao@example.com', externalId: 'EXT-1029', cardNumbers: ['CARD0000118'] },
  },
  // The envelope's refId and orgId join data (data has neither here).
  properties: { ...pointsIssuedData(), refId: '889211734', orgId: 100458 },
};

function withName(name: string): Record<string, unknown> {
  return { ...flatPointsIssued(), eventName: name };
}

describe('capillary source', () => {
  it('normalizes the flat envelope', () => {
    assert.deepEqual(capillarySource.normalize(flatPointsIssued(), ctx), expected);
  });

  it('normalizes the wrapped envelope, taking the name from eventType', () => {
    assert.deepEqual(capillarySource.normalize(wrappedPointsIssued(), ctx), expected);
  });

  it('prefers attributes.eventName in the wrapped envelope', () => {
    const body = wrappedPointsIssued();
    (body.attributes as Record<string, unknown>).eventName = 'pointsIssued';
    body.eventType = '100458_somethingElse';
    assert.equal(capillarySource.normalize(body, ctx).name, 'pointsIssued');
  });

  it('accepts card numbers given as objects and numeric mobiles', () => {
    const body = flatPointsIssued();
    const data = body.data as { customerIdentifiers: { instore: Record<string, unknown> } };
    data.customerIdentifiers.instore = { mobile: 919876543210, cardNumbers: [{ cardNumber: 'CARD0000118', type: 'PHYSICAL' }] };
    assert.deepEqual(capillarySource.normalize(body, ctx).customer.identifiers, { mobile: '919876543210', cardNumbers: ['CARD0000118'] });
  });

  it('falls back to receivedAt when the sender gives no time, and reads ISO times', () => {
    const body = flatPointsIssued();
    delete body.createdAt;
    assert.equal(capillarySource.normalize(body, ctx).occurredAt, ctx.receivedAt);
    body.createdAt = '2024-06-10T11:43:20+05:30';
    assert.equal(capillarySource.normalize(body, ctx).occurredAt, '2024-06-10T06:13:20.000Z');
  });

  it('refuses an epoch time beyond what a date can hold with a 422 invalid_timestamp, not a crash', () => {
    assert.throws(
      () => capillarySource.normalize({ ...flatPointsIssued(), createdAt: 9e15 }, ctx),
      (e: unknown) => e instanceof HttpError && e.code === 'invalid_timestamp' && e.issues?.[0]?.path === 'createdAt',
    );
  });

  it('refuses a customerId beyond safe integers with unsafe_integer, naming its path', () => {
    const body = wrappedPointsIssued();
    (body.attributes as { data: { customerIdentifiers: { customerId: unknown } } }).data.customerIdentifiers.customerId = 2 ** 64;
    assert.throws(
      () => capillarySource.normalize(body, ctx),
      (e: unknown) =>
        e instanceof HttpError &&
        e.status === 422 &&
        e.code === 'unsafe_integer' &&
        e.issues?.[0]?.path === 'attributes.data.customerIdentifiers.customerId',
    );
  });

  it('types the documented per-event fields when present', () => {
    assert.deepEqual(
      issuePaths(() => capillarySource.normalize({ ...withName('tierUpgraded'), data: { previousTierNumber: 'two' } }, ctx)),
      ['data.previousTierNumber'],
    );
    assert.deepEqual(
      issuePaths(() => capillarySource.normalize({ ...withName('pointsRedeemed'), data: { totalPointsRedeemed: '10' } }, ctx)),
      ['data.totalPointsRedeemed'],
    );
    const data = pointsIssuedData();
    (data.triggeringActivity as { enteredBy: { till: unknown } }).enteredBy.till = 'till-7';
    assert.deepEqual(
      issuePaths(() => capillarySource.normalize({ ...flatPointsIssued(), data }, ctx)),
      ['data.triggeringActivity.enteredBy.till'],
    );
    const ok = capillarySource.normalize(
      { ...withName('pointsRedeemed'), data: { ...pointsIssuedData(), totalPointsRedeemed: 40, redemptionSummaryId: 88121 } },
      ctx,
    );
    assert.equal((ok.properties as { totalPointsRedeemed: number }).totalPointsRedeemed, 40);
  });

  it('accepts every event of the catalog', () => {
    for (const name of CAPILLARY_EVENTS) {
      const data: Record<string, unknown> = { ...pointsIssuedData(), pointsExpired: 10 };
      assert.equal(capillarySource.normalize({ ...withName(name), data }, ctx).name, name);
    }
    assert.equal(CAPILLARY_EVENTS.length, 65);
  });

  it('refuses an unknown event name', () => {
    assert.throws(
      () => capillarySource.normalize(withName('pointsMinted'), ctx),
      (e: unknown) => {
        assert.ok(e instanceof UnknownEventError);
        assert.equal(e.status, 422);
        assert.equal(e.code, 'unknown_event');
        assert.match(e.message, /pointsMinted/);
        return true;
      },
    );
  });

  it('matches event names case-sensitively', () => {
    assert.equal(capillarySource.normalize(withName('CouponRedeem'), ctx).name, 'CouponRedeem');
    assert.throws(() => capillarySource.normalize(withName('couponRedeem'), ctx), UnknownEventError);
    assert.throws(() => capillarySource.normalize(withName('PointsIssued'), ctx), UnknownEventError);
  });

  it('gives customerAdded the profile as traits: identifiers and scalar fields of data', () => {
    const data = { ...pointsIssuedData(), firstname: 'Asha', lastname: 'Rao', dateOfBirth: '1990-04-12', optedIn: true };
    const event = capillarySource.normalize({ ...withName('customerAdded'), data }, ctx);
    assert.equal(event.type, 'user');
    assert.deepEqual(event.traits, {
      loyaltyProgramId: 1017,
      programCurrentPoints: 1250,
      totalPointsIssued: 25,
      firstname: 'Asha',
      lastname: 'Rao',
      dateOfBirth: '1990-04-12',
      optedIn: true,
      email: 'asha.rao@example.com',
      mobile: '919876543210',
      externalId: 'EXT-1029',
    });
    assert.equal(capillarySource.normalize(flatPointsIssued(), ctx).traits, undefined);
  });

  it("keeps data's own refId over the envelope's", () => {
    const body = flatPointsIssued();
    body.data = { ...pointsIssuedData(), refId: 'from-data' };
    assert.equal(capillarySource.normalize(body, ctx).properties.refId, 'from-data');
  });

  it('marks profile changes as user events and the rest as track events', () => {
    assert.equal(capillarySource.normalize(withName('customerAdded'), ctx).type, 'user');
    assert.equal(capillarySource.normalize(withName('customerUpdated'), ctx).type, 'user');
    assert.equal(capillarySource.normalize(withName('pointsIssued'), ctx).type, 'track');
  });

  it('requires loyaltyProgramId on pointsExpired, in either envelope', () => {
    const data: Record<string, unknown> = { ...pointsIssuedData(), pointsExpired: 120 };
    delete data.loyaltyProgramId;
    assert.deepEqual(
      issuePaths(() => capillarySource.normalize({ ...withName('pointsExpired'), data }, ctx)),
      ['data.loyaltyProgramId'],
    );

    const wrapped: Record<string, unknown> = { ...wrappedPointsIssued(), eventType: '100458_pointsExpired' };
    wrapped.attributes = { ...(wrapped.attributes as object), data };
    assert.deepEqual(
      issuePaths(() => capillarySource.normalize(wrapped, ctx)),
      ['attributes.data.loyaltyProgramId'],
    );

    assert.equal(
      capillarySource.normalize({ ...withName('pointsExpired'), data: { ...data, loyaltyProgramId: 1017 } }, ctx).name,
      'pointsExpired',
    );
  });

  it('requires eventId', () => {
    const body = flatPointsIssued();
    delete body.eventId;
    assert.deepEqual(
      issuePaths(() => capillarySource.normalize(body, ctx)),
      ['eventId'],
    );
  });

  it('requires data', () => {
    const body = flatPointsIssued();
    delete body.data;
    assert.deepEqual(
      issuePaths(() => capillarySource.normalize(body, ctx)),
      ['data'],
    );
  });

  it('reports bad customer identifiers at their path in either envelope', () => {
    const flat = flatPointsIssued();
    (flat.data as { customerIdentifiers: unknown }).customerIdentifiers = { customerId: '' };
    assert.deepEqual(
      issuePaths(() => capillarySource.normalize(flat, ctx)),
      ['data.customerIdentifiers.customerId'],
    );

    const wrapped = wrappedPointsIssued();
    (wrapped.attributes as { data: { customerIdentifiers: unknown } }).data.customerIdentifiers = { customerId: '' };
    assert.deepEqual(
      issuePaths(() => capillarySource.normalize(wrapped, ctx)),
      ['attributes.data.customerIdentifiers.customerId'],
    );
  });
});
