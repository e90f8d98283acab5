/** Source kinds beyond server and capillary: realistic payloads in, the expected canonical event out. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseConfig } from '../../../src/config/load';
import type { SourceConfig } from '../../../src/model/source';
import { HttpError } from '../../../src/http/inbound/errors';
import { type BatchItem, type NormalizeContext, hashId, toInstant } from '../../../src/sources/adapter';
import { amplitudeSource } from '../../../src/sources/amplitude';
import { clevertapSource } from '../../../src/sources/clevertap';
import { kognitivSource } from '../../../src/sources/kognitiv';
import { moengageSource } from '../../../src/sources/moengage';
import { segmentSource } from '../../../src/sources/segment';
import { webengageSource } from '../../../src/sources/webengage';

const receivedAt = '2024-06-10T06:13:21.500Z';

/** A source as the configuration loader produces it (defaults applied, references resolved). */
function source(doc: Record<string, unknown>): SourceConfig {
  const [s] = parseConfig({ sources: [doc] }, {}).sources;
  assert.ok(s);
  return s;
}

function ctxFor(s: SourceConfig, headers: Record<string, string> = {}): NormalizeContext {
  return { sourceId: s.id, source: s, receivedAt, headers };
}

function refusal(fn: () => unknown): HttpError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof HttpError, `expected an HttpError, got ${String(e)}`);
    assert.ok(e.status >= 400 && e.status < 500);
    return e;
  }
  assert.fail('accepted');
}

describe('segment source', () => {
  const seg = source({ id: 'segment', kind: 'segment', auth: { type: 'signature', secret: 's' } });
  const track = {
    anonymousId: '23adfd82-aa0f-45a7-a756-24f2a7a4c895',
    context: { library: { name: 'analytics.js', version: '2.11.1' }, traits: { email: 'asha.rao@example.com' } },
    event: 'Order Completed',
    messageId: 'ajs-f8ca1e4de5024d9430b3928bd8ac6b96',
    properties: { order_id: '50314b8e9bcf000000000000', total: 27.5, currency: 'USD' },
    receivedAt: '2024-06-10T06:13:20.512Z',
    sentAt: '2024-06-10T06:13:20.481Z',
    timestamp: '2024-06-10T06:13:20.496Z',
    type: 'track',
    userId: 'cust-564218930',
    originalTimestamp: '2024-06-10T06:13:20.465Z',
  };
  const identify = {
    messageId: 'ajs-identify-0001',
    type: 'identify',
    userId: 'cust-564218930',
    traits: { email: 'asha.rao@example.com', phone: '+919876543210', name: 'Asha Rao', tier: 'Gold' },
    timestamp: '2024-06-10T06:13:20.000Z',
  };

  it('normalizes a track message', () => {
    assert.deepEqual(segmentSource.normalize(track, ctxFor(seg)), {
      id: 'ajs-f8ca1e4de5024d9430b3928bd8ac6b96',
      source: 'segment',
      sourceKind: 'segment',
      name: 'Order Completed',
      type: 'track',
      occurredAt: '2024-06-10T06:13:20.496Z',
      receivedAt,
      customer: { id: 'cust-564218930', identifiers: { email: 'asha.rao@example.com' } },
      properties: { order_id: '50314b8e9bcf000000000000', total: 27.5, currency: 'USD' },
    });
  });

  it('normalizes identify into a user event with traits', () => {
    assert.deepEqual(segmentSource.normalize(identify, ctxFor(seg)), {
      id: 'ajs-identify-0001',
      source: 'segment',
      sourceKind: 'segment',
      name: 'identify',
      type: 'user',
      traits: { email: 'asha.rao@example.com', phone: '+919876543210', name: 'Asha Rao', tier: 'Gold' },
      occurredAt: '2024-06-10T06:13:20.000Z',
      receivedAt,
      customer: { id: 'cust-564218930', identifiers: { email: 'asha.rao@example.com', mobile: '+919876543210' } },
      properties: {},
    });
  });

  it('refuses page/screen/group messages with unsupported_message_type, and a missing messageId', () => {
    assert.equal(refusal(() => segmentSource.normalize({ ...track, type: 'page' }, ctxFor(seg))).code, 'unsupported_message_type');
    const noId: Record<string, unknown> = { ...track };
    delete noId.messageId;
    const e = refusal(() => segmentSource.normalize(noId, ctxFor(seg)));
    assert.equal(e.code, 'schema_violation');
    assert.deepEqual(
      e.issues?.map((i) => i.path),
      ['messageId'],
    );
  });

  it('refuses a numeric userId beyond safe integers', () => {
    assert.equal(refusal(() => segmentSource.normalize({ ...track, userId: 2 ** 53 + 2 }, ctxFor(seg))).code, 'unsafe_integer');
  });
});

describe('kognitiv source', () => {
  const kog = source({
    id: 'kognitiv',
    kind: 'kognitiv',
    auth: { type: 'oauth', clientId: 'kognitiv-prod', clientSecret: 'x' },
    mapping: {
      id: '$.notificationId',
      name: '$.eventType',
      memberId: '$.member.memberId',
      time: '$.occurredOn',
      email: '$.member.emails[0]',
    },
  });
  // A body as a Kognitiv admin would template it: {{memberId}}, {{memberEmail}}, {{rewardCode}}…
  const rewardIssued = {
    notificationId: 'c2f0a7e1-4a7e-4d1b-9c33-7a1e8f0b9d21',
    eventType: 'RewardIssued',
    occurredOn: '2024-06-10T11:43:20.000+05:30',
    member: { memberId: 'M-001827364', emails: ['asha.rao@example.com'], firstName: 'Asha' },
    reward: { code: 'FREE-COFFEE', name: 'Free coffee', expiresOn: '2024-07-10' },
  };

  it('maps the configured paths to id, name, member id, time and email', () => {
    assert.deepEqual(kognitivSource.normalize(rewardIssued, ctxFor(kog)), {
      id: 'c2f0a7e1-4a7e-4d1b-9c33-7a1e8f0b9d21',
      source: 'kognitiv',
      sourceKind: 'kognitiv',
      name: 'RewardIssued',
      type: 'track',
      occurredAt: '2024-06-10T06:13:20.000Z',
      receivedAt,
      customer: { id: 'M-001827364', identifiers: { email: 'asha.rao@example.com' } },
      properties: rewardIssued,
    });
  });

  it('hashes the body when no id path is mapped, stably across key order', () => {
    const noId = source({
      id: 'k2',
      kind: 'kognitiv',
      auth: { key: 'k' },
      eventName: 'RewardRedeemed',
      mapping: { memberId: 'member.memberId' },
    });
    const a = kognitivSource.normalize(rewardIssued, ctxFor(noId));
    const reordered = Object.fromEntries(Object.entries(rewardIssued).reverse());
    assert.notEqual(JSON.stringify(reordered), JSON.stringify(rewardIssued));
    assert.equal(a.id, kognitivSource.normalize(reordered, ctxFor(noId)).id);
    assert.match(a.id, /^sha256-[0-9a-f]{40}$/);
    assert.equal(a.name, 'RewardRedeemed');
    assert.equal(a.occurredAt, receivedAt);
    assert.notEqual(a.id, kognitivSource.normalize({ ...rewardIssued, reward: { code: 'OTHER' } }, ctxFor(noId)).id);
  });

  it('names the mapped path of a missing member id', () => {
    const e = refusal(() => kognitivSource.normalize({ ...rewardIssued, member: {} }, ctxFor(kog)));
    assert.equal(e.code, 'schema_violation');
    assert.deepEqual(
      e.issues?.map((i) => i.path),
      ['member.memberId'],
    );
  });

  it('validates the mapping at load: bad paths and no name are configuration problems', () => {
    assert.throws(
      () => parseConfig({ sources: [{ id: 'k', kind: 'kognitiv', auth: { key: 'k' }, mapping: { memberId: 'a..b', name: '$.x' } }] }, {}),
      /sources\.0\.mapping\.memberId: not a JSON path/,
    );
    assert.throws(
      () => parseConfig({ sources: [{ id: 'k', kind: 'kognitiv', auth: { key: 'k' }, mapping: { memberId: '$.__proto__.x' } }] }, {}),
      /mapping\.memberId: not a JSON path/,
    );
    assert.throws(
      () => parseConfig({ sources: [{ id: 'k', kind: 'kognitiv', auth: { key: 'k' }, mapping: { memberId: '$.m' } }] }, {}),
      /mapping\.name: give mapping\.name/,
    );
  });
});

describe('webengage source', () => {
  const we = source({ id: 'webengage', kind: 'webengage', auth: { type: 'webengage', licenseCode: '~2024c5d1', secretKey: 's3cr3t' } });
  const body = {
    event_name: 'cart_abandoned',
    event_time: '2024-06-10T06:13:20+0000',
    license_code: '~2024c5d1',
    user_id: 'cust-564218930',
    event_data: { cart_value: 1499, items: 3 },
  };

  it('normalizes a webhook, the id from x-request-id, and answers 200 (WebEngage counts only 200)', () => {
    assert.equal(webengageSource.acceptedStatus, 200);
    assert.deepEqual(webengageSource.normalize(body, ctxFor(we, { 'x-request-id': 'we-7f3a9c' })), {
      id: 'we-7f3a9c',
      source: 'webengage',
      sourceKind: 'webengage',
      name: 'cart_abandoned',
      type: 'track',
      occurredAt: '2024-06-10T06:13:20.000Z',
      receivedAt,
      customer: { id: 'cust-564218930', identifiers: {} },
      properties: { cart_value: 1499, items: 3 },
    });
    assert.equal(webengageSource.normalize(body, ctxFor(we)).id, hashId(body));
  });

  it("refuses a license code that is not this source's", () => {
    const e = refusal(() => webengageSource.normalize({ ...body, license_code: '~other' }, ctxFor(we)));
    assert.deepEqual(
      e.issues?.map((i) => i.path),
      ['license_code'],
    );
  });

  it('refuses an unparseable event_time with invalid_timestamp', () => {
    assert.equal(refusal(() => webengageSource.normalize({ ...body, event_time: 'yesterday' }, ctxFor(we))).code, 'invalid_timestamp');
  });
});

describe('moengage (Streams) source', () => {
  const moe = source({ id: 'moengage', kind: 'moengage', auth: { type: 'oauth', clientId: 'moe', clientSecret: 'x' } });
  const event = (over: Record<string, unknown> = {}) => ({
    event_name: 'Purchase Completed',
    event_code: 'purchase_completed',
    event_uuid: 'a0b1c2d3-0000-4000-8000-000000000001',
    event_time: 1718000000,
    event_type: 'CUSTOM_EVENT',
    event_source: 'MOENGAGE',
    uid: 'cust-564218930',
    event_attributes: { amount: 1499, currency: 'INR' },
    user_attributes: { moengage_user_id: '5f1e0a', email: 'asha.rao@example.com', mobile: '919876543210' },
    device_attributes: { moengage_device_id: 'd-1' },
    ...over,
  });
  const batch = (events: unknown[]) => ({ app_name: 'Loyalty Brand', source: 'MOENGAGE', moe_request_id: 'req-1', events });

  it('normalizes each event of a batch', () => {
    const items = moengageSource.normalizeBatch(batch([event()]), ctxFor(moe));
    assert.deepEqual(items, [
      {
        index: 0,
        event: {
          id: 'a0b1c2d3-0000-4000-8000-000000000001',
          source: 'moengage',
          sourceKind: 'moengage',
          name: 'Purchase Completed',
          type: 'track',
          traits: { moengage_user_id: '5f1e0a', email: 'asha.rao@example.com', mobile: '919876543210' },
          occurredAt: '2024-06-10T06:13:20.000Z',
          receivedAt,
          customer: { id: 'cust-564218930', identifiers: { email: 'asha.rao@example.com', mobile: '919876543210' } },
          properties: { amount: 1499, currency: 'INR' },
        },
      },
    ]);
  });

  it('refuses a bad event on its own, with its index in the path, keeping the good ones', () => {
    const items: BatchItem[] = moengageSource.normalizeBatch(
      batch([event(), event({ event_time: 'soon', event_uuid: 'b' }), event({ uid: 2 ** 64, event_uuid: 'c' }), { nope: 1 }]),
      ctxFor(moe),
    );
    assert.ok('event' in items[0]!);
    const codes = items.slice(1).map((i) => ('error' in i ? [i.error.code, i.error.issues?.[0]?.path] : ['accepted']));
    assert.deepEqual(codes, [
      ['invalid_timestamp', 'events.1.event_time'],
      ['unsafe_integer', 'events.2.uid'],
      ['schema_violation', 'events.3.event_name'],
    ]);
  });

  it('refuses more than 100 events, and a body without events', () => {
    assert.equal(
      refusal(() => moengageSource.normalizeBatch(batch(Array.from({ length: 101 }, () => event())), ctxFor(moe))).code,
      'batch_too_large',
    );
    assert.equal(refusal(() => moengageSource.normalizeBatch({ app_name: 'x' }, ctxFor(moe))).code, 'schema_violation');
  });
});

describe('clevertap source', () => {
  const ct = source({ id: 'clevertap', kind: 'clevertap', auth: { key: 'k' }, eventName: 'winbackCampaign' });
  const profile = {
    objectId: '__g3f8c2d1e0a94b7c8d6e5f4a3b2c1d0e',
    Identity: 'cust-564218930',
    email: 'asha.rao@example.com',
    phone: '+919876543210',
    ts: 1718000000,
    profileData: { tier: 'Gold', points: 1250 },
    key_values: { coupon: 'WINBACK20' },
  };
  const body = { target_id: 1718000001, profiles: [profile, { ...profile, Identity: 'cust-2', key_values: { eventName: 'couponSent' } }] };

  it('turns each profile into an event, named by key_values.eventName or the source setting', () => {
    const items = clevertapSource.normalizeBatch(body, ctxFor(ct));
    const [first, second] = items.map((i) => ('event' in i ? i.event : assert.fail(i.error.message)));
    assert.deepEqual(first, {
      id: hashId({ target_id: 1718000001, profile }),
      source: 'clevertap',
      sourceKind: 'clevertap',
      name: 'winbackCampaign',
      type: 'track',
      traits: { tier: 'Gold', points: 1250 },
      occurredAt: '2024-06-10T06:13:20.000Z',
      receivedAt,
      customer: { id: 'cust-564218930', identifiers: { email: 'asha.rao@example.com', mobile: '+919876543210' } },
      properties: { coupon: 'WINBACK20' },
    });
    assert.equal(second?.name, 'couponSent');
    assert.notEqual(second?.id, first?.id);
  });
});

describe('amplitude source', () => {
  const amp = source({ id: 'amplitude', kind: 'amplitude', auth: { key: 'k' } });
  const body = {
    event_type: 'Purchase',
    user_id: 'cust-564218930',
    device_id: 'C8F9E604-F01A-4BD9-95C6-8E5357DF265D',
    insert_id: '5f0adeff-6668-4427-8d02-57d803a2b841',
    event_time: '2024-06-10 06:13:20.250000',
    event_properties: { revenue: 27.5, sku: 'LATTE-L' },
    user_properties: { tier: 'Gold' },
  };

  it('normalizes an event-streaming webhook; event_time is UTC without a zone', () => {
    assert.deepEqual(amplitudeSource.normalize(body, ctxFor(amp)), {
      id: '5f0adeff-6668-4427-8d02-57d803a2b841',
      source: 'amplitude',
      sourceKind: 'amplitude',
      name: 'Purchase',
      type: 'track',
      traits: { tier: 'Gold' },
      occurredAt: '2024-06-10T06:13:20.250Z',
      receivedAt,
      customer: { id: 'cust-564218930', identifiers: {} },
      properties: { revenue: 27.5, sku: 'LATTE-L' },
    });
  });

  it('makes $identify a user event and needs user_id or device_id', () => {
    assert.equal(amplitudeSource.normalize({ ...body, event_type: '$identify' }, ctxFor(amp)).type, 'user');
    const e = refusal(() => amplitudeSource.normalize({ event_type: 'Purchase', time: 1718000000000 }, ctxFor(amp)));
    assert.deepEqual(
      e.issues?.map((i) => i.path),
      ['user_id'],
    );
  });
});

describe('toInstant', () => {
  it('reads zones with and without a colon, epoch seconds and milliseconds', () => {
    assert.equal(toInstant('2024-06-10T11:43:20+05:30', 't'), '2024-06-10T06:13:20.000Z');
    assert.equal(toInstant('2024-06-10T11:43:20.5+0530', 't'), '2024-06-10T06:13:20.500Z');
    assert.equal(toInstant(1718000000, 't', 's'), '2024-06-10T06:13:20.000Z');
    assert.equal(toInstant(1718000000, 't', 'auto'), '2024-06-10T06:13:20.000Z');
    assert.equal(toInstant(1718000000000, 't', 'auto'), '2024-06-10T06:13:20.000Z');
  });

  for (const bad of ['2024-02-30T00:00:00Z', '2024-06-10T06:13:20', 'NaN', '', '2024-13-01T00:00:00Z'] as const) {
    it(`refuses ${JSON.stringify(bad)}`, () => {
      assert.equal(refusal(() => toInstant(bad, 't')).code, 'invalid_timestamp');
    });
  }
  it('refuses negative, infinite and out-of-range epochs', () => {
    for (const n of [-1, Infinity, 9e15]) assert.equal(refusal(() => toInstant(n, 't')).code, 'invalid_timestamp');
  });
});

describe('source configuration', () => {
  const problems = (doc: unknown, env: Record<string, string> = {}): string[] => {
    try {
      parseConfig(doc, env);
    } catch (e) {
      return (e as { problems: { path: string; message: string }[] }).problems.map((p) => `${p.path}: ${p.message}`);
    }
    assert.fail('accepted');
  };

  it('resolves ${ENV} in every credential of every auth type, and reports unset ones at their path', () => {
    const doc = {
      sources: [
        {
          id: 'k',
          kind: 'kognitiv',
          eventName: 'X',
          mapping: { memberId: '$.m' },
          auth: { type: 'oauth', clientId: 'c', clientSecret: '${KOG_SECRET}' },
        },
        { id: 's', kind: 'segment', auth: { type: 'signature', secret: '${SEG_SECRET:-dev}' } },
      ],
    };
    const [k, s] = parseConfig(doc, { KOG_SECRET: 'from-env' }).sources;
    assert.deepEqual(k?.auth, { type: 'oauth', clientId: 'c', clientSecret: 'from-env', tokenTtlSeconds: 900 });
    assert.deepEqual(s?.auth, { type: 'signature', header: 'X-Signature', algorithm: 'sha1', secret: 'dev' });
    assert.deepEqual(problems(doc), [
      'sources[0].auth.clientSecret: environment variable KOG_SECRET is not set (use ${KOG_SECRET:-default} for a default)',
    ]);
  });

  it('refuses unknown kinds, unknown auth types and settings of another kind', () => {
    assert.match(problems({ sources: [{ id: 'a', kind: 'braze', auth: { key: 'k' } }] }).join('\n'), /sources\.0\.kind/);
    assert.match(
      problems({ sources: [{ id: 'a', kind: 'server', auth: { type: 'hmac', key: 'k' } }] }).join('\n'),
      /sources\.0\.auth\.type/,
    );
    assert.match(problems({ sources: [{ id: 'a', kind: 'server', eventName: 'x', auth: { key: 'k' } }] }).join('\n'), /eventName/);
  });
});
