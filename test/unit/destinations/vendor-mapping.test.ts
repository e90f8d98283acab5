/**
 * MoEngage and CustomerGlu mapping (README "MoEngage and CustomerGlu mapping"): exact request
 * bodies for Capillary customerAdded, pointsIssued and tierUpgraded events as the receiver
 * normalizes them, the flattening rule, PII left out unless asked for, the id each vendor gets
 * (`customerIdFrom`), per-event user attributes, identity-resolution identifiers, and the
 * configuration errors of each new setting.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { openApiDocument } from '../../../src/api/openapi';
import type { CanonicalEvent } from '../../../src/model/canonical-event';
import { parseConfig } from '../../../src/config/load';
import type { FieldIssue } from '../../../src/model/field-issue';
import type { DestinationConfig } from '../../../src/model/destination';
import type { Enrichment } from '../../../src/model/enrichment';
import { customergluConnector, type CustomergluSettings } from '../../../src/destinations/customerglu';
import { moengageConnector, standardizeTraits, type MoengageSettings } from '../../../src/destinations/moengage';
import { flattenAttributes, withoutPii } from '../../../src/destinations/vendor-mapping';
import { capillarySource } from '../../../src/sources/capillary';
import { TemplateRenderError } from '../../../src/destinations/templates';
import { assertProblem, configProblems } from '../../helpers/config-problems';
import { destination as baseDestination, NOW } from '../../helpers/destination-fixtures';

const ctx = { sourceId: 'capillary-prod', receivedAt: '2026-11-23T09:59:01.000Z' };

/** `data.customerIdentifiers` as Capillary sends it with identifiers enrichment on. */
const customerIdentifiers = {
  customerId: 564218930,
  instore: { mobile: '919876543210', email: 'asha.rao@example.com', externalId: 'EXT-1029', cardNumbers: ['CARD0000118'] },
};

const triggeringActivity = {
  name: 'TransactionAdd',
  identifiers: [
    { key: 'transactionId', value: '889211734' },
    { key: 'billNumber', value: 'BLR-07-000481' },
  ],
  enteredBy: { id: 75011, till: { code: 'till.blr.07' }, store: { code: 'store.blr.indiranagar', name: 'Indiranagar' } },
};

function capillary(eventName: string, data: Record<string, unknown>): CanonicalEvent {
  return capillarySource.normalize({ eventName, eventId: `evt-${eventName}`, orgId: 100458, createdAt: 1795427940000, data }, ctx);
}

const pointsIssued = capillary('pointsIssued', {
  customerIdentifiers,
  loyaltyProgramId: 1017,
  programCurrentPoints: 1250,
  totalPointsIssued: 25,
  triggeringActivity,
});

/** Capillary's documented tierUpgraded sample, with the tier list (an array of objects). */
const tierUpgraded = capillary('tierUpgraded', {
  customerIdentifiers: { customerId: 564218930, instore: { mobile: '919876543210', cardNumbers: [] } },
  entityInformation: { entityType: 'USER', entityId: 564218930 },
  loyaltyProgramDetails: {
    id: 1017,
    name: 'Default',
    isDefault: true,
    tiers: [
      { tierNumber: 1, tierName: 'SILVER' },
      { tierNumber: 2, tierName: 'GOLD' },
    ],
  },
  loyaltyProgramId: 1017,
  previousTierNumber: 1,
  upgradedTierNumber: 2,
  tierExpiryDate: '2027-11-23',
  upgradeType: 'STRATEGY',
});

const customerAdded = capillary('customerAdded', {
  customerIdentifiers,
  firstname: 'Asha',
  lastname: 'Rao',
  gender: 'F',
  dateOfBirth: '1990-04-12',
  optedIn: true,
});

const OCCURRED = Math.floor(1795427940000 / 1000);
const enrichment: Enrichment = { pointsBalance: { totalPoints: 4500 }, store: { code: 'store.blr.indiranagar' } };

/** The shared destination, subscribed to the three mapped events and enriched with the store too. */
function destination<S>(kind: string, settings: S): DestinationConfig<S> {
  return baseDestination(kind, settings, {
    events: ['pointsIssued', 'tierUpgraded', 'customerAdded'],
    enrichment: { pointsBalance: true, store: true },
  });
}

const moeBase: MoengageSettings = { dataCenter: '01', workspaceId: 'WS1', dataApiKey: '${MOE_KEY}', allowInsecureHttp: false };
const gluBase: CustomergluSettings = { writeKey: '${CG_KEY}', baseUrl: 'https://events.customerglu.com', allowInsecureHttp: false };

function moe(event: CanonicalEvent, extra: Partial<MoengageSettings> = {}, enriched: Enrichment = enrichment) {
  return moengageConnector
    .render({ destination: destination('moengage', { ...moeBase, ...extra }), event, enrichment: enriched, nowMs: NOW })
    .map((r) => ({ url: r.url, part: r.part, body: JSON.parse(r.body) as unknown }));
}

function glu(event: CanonicalEvent, extra: Partial<CustomergluSettings> = {}, enriched: Enrichment = enrichment) {
  const requests = customergluConnector.render({
    destination: destination('customerglu', { ...gluBase, ...extra }),
    event,
    enrichment: enriched,
    nowMs: NOW,
  });
  assert.equal(requests.length, 1);
  return JSON.parse(requests[0]?.body ?? '') as Record<string, unknown>;
}

/** pointsIssued's event attributes under the default settings: flattened, no PII. */
const pointsIssuedAttributes = {
  'customerIdentifiers.customerId': 564218930,
  'customerIdentifiers.instore.externalId': 'EXT-1029',
  loyaltyProgramId: 1017,
  programCurrentPoints: 1250,
  totalPointsIssued: 25,
  'triggeringActivity.name': 'TransactionAdd',
  'triggeringActivity.enteredBy.id': 75011,
  'triggeringActivity.enteredBy.till.code': 'till.blr.07',
  'triggeringActivity.enteredBy.store.code': 'store.blr.indiranagar',
  'triggeringActivity.enteredBy.store.name': 'Indiranagar',
  orgId: 100458,
  points_balance: 4500,
  store_code: 'store.blr.indiranagar',
};

describe('moengage: exact requests per Capillary event', () => {
  it('pointsIssued: one event request, attributes flattened, PII and arrays of objects left out', () => {
    assert.deepEqual(moe(pointsIssued), [
      {
        url: 'https://api-01.moengage.com/v1/event/WS1',
        part: undefined,
        body: {
          type: 'event',
          customer_id: '564218930',
          actions: [{ action: 'pointsIssued', attributes: pointsIssuedAttributes, current_time: OCCURRED }],
        },
      },
    ]);
  });

  it('tierUpgraded with userAttributes: the profile gets tier and balance, then the event', () => {
    const userAttributes = {
      tier: '{{ event.properties.upgradedTierNumber }}',
      points_balance: '{{ enrichment.pointsBalance.totalPoints }}',
    };
    assert.deepEqual(moe(tierUpgraded, { userAttributes }), [
      {
        url: 'https://api-01.moengage.com/v1/customer/WS1',
        part: 'customer',
        body: { type: 'customer', customer_id: '564218930', attributes: { tier: 2, points_balance: 4500 } },
      },
      {
        url: 'https://api-01.moengage.com/v1/event/WS1',
        part: undefined,
        body: {
          type: 'event',
          customer_id: '564218930',
          actions: [
            {
              action: 'tierUpgraded',
              attributes: {
                'customerIdentifiers.customerId': 564218930,
                'entityInformation.entityType': 'USER',
                'entityInformation.entityId': 564218930,
                'loyaltyProgramDetails.id': 1017,
                'loyaltyProgramDetails.name': 'Default',
                'loyaltyProgramDetails.isDefault': true,
                loyaltyProgramId: 1017,
                previousTierNumber: 1,
                upgradedTierNumber: 2,
                tierExpiryDate: '2027-11-23',
                upgradeType: 'STRATEGY',
                orgId: 100458,
                points_balance: 4500,
                store_code: 'store.blr.indiranagar',
              },
              current_time: OCCURRED,
            },
          ],
        },
      },
    ]);
  });

  it('customerAdded: standard Track User names, email and mobile in the profile only', () => {
    const [customer, ev] = moe(customerAdded, {}, {});
    assert.deepEqual(customer, {
      url: 'https://api-01.moengage.com/v1/customer/WS1',
      part: 'customer',
      body: {
        type: 'customer',
        customer_id: '564218930',
        attributes: {
          dateOfBirth: '1990-04-12',
          optedIn: true,
          externalId: 'EXT-1029',
          first_name: 'Asha',
          last_name: 'Rao',
          email: 'asha.rao@example.com',
          mobile: '919876543210',
          gender: 'F',
        },
      },
    });
    assert.deepEqual(ev?.body, {
      type: 'event',
      customer_id: '564218930',
      actions: [
        {
          action: 'customerAdded',
          attributes: {
            'customerIdentifiers.customerId': 564218930,
            'customerIdentifiers.instore.externalId': 'EXT-1029',
            firstname: 'Asha',
            lastname: 'Rao',
            gender: 'F',
            dateOfBirth: '1990-04-12',
            optedIn: true,
            orgId: 100458,
          },
          current_time: OCCURRED,
        },
      ],
    });
  });

  it('includePii: true copies email and mobile into event attributes and keeps them where the payload has them', () => {
    const [req] = moe(pointsIssued, { includePii: true });
    const attributes = (req?.body as { actions: { attributes: Record<string, unknown> }[] }).actions[0]?.attributes;
    assert.deepEqual(attributes, {
      ...pointsIssuedAttributes,
      'customerIdentifiers.instore.mobile': '919876543210',
      'customerIdentifiers.instore.email': 'asha.rao@example.com',
      'customerIdentifiers.instore.cardNumbers': ['CARD0000118'],
      email: 'asha.rao@example.com',
      mobile: '919876543210',
    });
  });

  it('customerIdFrom picks the id MoEngage is keyed on, for both requests', () => {
    const requests = moe(customerAdded, { customerIdFrom: 'event.customer.identifiers.externalId' }, {});
    assert.deepEqual(
      requests.map((r) => (r.body as { customer_id: string }).customer_id),
      ['EXT-1029', 'EXT-1029'],
    );
    const [fromEnrichment] = moe(
      pointsIssued,
      { customerIdFrom: 'enrichment.customerIdentifiers.externalId' },
      {
        customerIdentifiers: { source: 'INSTORE', id: 564218930, externalId: 'CRM-77' },
      },
    );
    assert.equal((fromEnrichment?.body as { customer_id: string }).customer_id, 'CRM-77');
  });

  it('an event without a value at customerIdFrom fails for this destination, naming the path', () => {
    assert.throws(
      () => moe(tierUpgraded, { customerIdFrom: 'event.customer.identifiers.externalId' }),
      (e: unknown) =>
        e instanceof TemplateRenderError &&
        e.message === 'moengage customerIdFrom "event.customer.identifiers.externalId" has no value for this event: no user id to send',
    );
    assert.throws(
      () => moe(pointsIssued, { customerIdFrom: 'event.properties.customerIdentifiers' }),
      /customerIdFrom "event.properties.customerIdentifiers" holds an object/,
    );
  });

  it('userAttributes without a value for this event are left out; none left means no customer request', () => {
    const userAttributes = { tier: '{{ event.properties.upgradedTierNumber }}' };
    assert.deepEqual(
      moe(pointsIssued, { userAttributes }).map((r) => r.part),
      [undefined],
    );
    const [customer] = moe(pointsIssued, {
      userAttributes: { ...userAttributes, member: true, last_points: '{{ event.properties.totalPointsIssued }}' },
    });
    assert.deepEqual((customer?.body as { attributes: unknown }).attributes, { member: true, last_points: 25 });
  });

  it('moe_ keys are dropped unless listed in identityAttributes (identity-resolution workspaces)', () => {
    const withIdentity = { ...customerAdded, traits: { ...customerAdded.traits, moe_mobile: '+919876543210', moe_other: 'x' } };
    const attributesOf = (settings: Partial<MoengageSettings>) =>
      (moe(withIdentity, settings, {})[0]?.body as { attributes: Record<string, unknown> }).attributes;
    assert.equal(attributesOf({}).moe_mobile, undefined);
    assert.equal(attributesOf({ identityAttributes: ['moe_mobile'] }).moe_mobile, '+919876543210');
    assert.equal(attributesOf({ identityAttributes: ['moe_mobile'] }).moe_other, undefined);
    const templated = moe(pointsIssued, {
      identityAttributes: ['moe_email'],
      userAttributes: { moe_email: '{{ event.customer.identifiers.email }}' },
    })[0];
    assert.deepEqual((templated?.body as { attributes: unknown }).attributes, { moe_email: 'asha.rao@example.com' });
    const event = { ...pointsIssued, properties: { ...pointsIssued.properties, moe_mobile: '1' } };
    const ev = moe(event, { identityAttributes: ['moe_mobile'] })[0]?.body as { actions: { attributes: Record<string, unknown> }[] };
    assert.equal(ev.actions[0]?.attributes.moe_mobile, undefined, 'event attributes never carry moe_ keys');
  });
});

describe('customerglu: exact requests per Capillary event', () => {
  it('pointsIssued: nested properties kept, PII left out, enrichment under the flat names', () => {
    assert.deepEqual(glu(pointsIssued), {
      event_id: 'evt-pointsIssued',
      event_name: 'pointsIssued',
      event_properties: {
        customerIdentifiers: { customerId: 564218930, instore: { externalId: 'EXT-1029' } },
        loyaltyProgramId: 1017,
        programCurrentPoints: 1250,
        totalPointsIssued: 25,
        triggeringActivity,
        orgId: 100458,
        points_balance: 4500,
        store_code: 'store.blr.indiranagar',
      },
      timestamp: '2026-11-23T09:59:00.000Z',
      user_id: '564218930',
    });
  });

  it('tierUpgraded: the tier list kept as CustomerGlu takes it', () => {
    const body = glu(tierUpgraded, {}, {});
    assert.deepEqual(body.event_properties, {
      customerIdentifiers: { customerId: 564218930, instore: {} },
      entityInformation: { entityType: 'USER', entityId: 564218930 },
      loyaltyProgramDetails: {
        id: 1017,
        name: 'Default',
        isDefault: true,
        tiers: [
          { tierNumber: 1, tierName: 'SILVER' },
          { tierNumber: 2, tierName: 'GOLD' },
        ],
      },
      loyaltyProgramId: 1017,
      previousTierNumber: 1,
      upgradedTierNumber: 2,
      tierExpiryDate: '2027-11-23',
      upgradeType: 'STRATEGY',
      orgId: 100458,
    });
    assert.equal(body.event_name, 'tierUpgraded');
    assert.equal(body.user_id, '564218930');
  });

  it('customerAdded: user_id from customerIdFrom (the id registered with CustomerGlu), PII only when asked', () => {
    assert.deepEqual(glu(customerAdded, { customerIdFrom: 'event.customer.identifiers.externalId' }, {}), {
      event_id: 'evt-customerAdded',
      event_name: 'customerAdded',
      event_properties: {
        customerIdentifiers: { customerId: 564218930, instore: { externalId: 'EXT-1029' } },
        firstname: 'Asha',
        lastname: 'Rao',
        gender: 'F',
        dateOfBirth: '1990-04-12',
        optedIn: true,
        orgId: 100458,
      },
      timestamp: '2026-11-23T09:59:00.000Z',
      user_id: 'EXT-1029',
    });
    const withPii = glu(customerAdded, { includePii: true }, {}).event_properties as Record<string, unknown>;
    assert.equal(withPii.email, 'asha.rao@example.com');
    assert.equal(withPii.mobile, '919876543210');
    assert.deepEqual(withPii.customerIdentifiers, customerIdentifiers);
  });

  it('an event without a value at customerIdFrom fails for this destination', () => {
    assert.throws(
      () => glu(tierUpgraded, { customerIdFrom: 'event.customer.identifiers.externalId' }),
      /customerglu customerIdFrom "event.customer.identifiers.externalId" has no value for this event/,
    );
  });
});

describe('the flattening rule', () => {
  it('dots nested keys, keeps scalars and homogeneous scalar arrays, stringifies mixed ones, drops the rest', () => {
    assert.deepEqual(
      flattenAttributes({
        a: { b: { c: 1 }, d: 'x' },
        tags: ['gold', 'vip'],
        nums: [1, 2.5],
        mixed: [1, 'a', true],
        withNull: ['a', null],
        objects: [{ sku: 'A' }],
        nested: [[1]],
        empty: [],
        emptyObject: {},
        nothing: null,
        nan: Number.NaN,
        flag: false,
      }),
      { 'a.b.c': 1, 'a.d': 'x', tags: ['gold', 'vip'], nums: [1, 2.5], mixed: ['1', 'a', 'true'], withNull: ['a'], flag: false },
    );
  });

  it('removes PII keys at any depth and values equal to the event’s identifiers', () => {
    const ids = { email: 'a@example.com', mobile: '9199', cardNumbers: ['C1'] };
    assert.deepEqual(
      withoutPii({ contact: { Email: 'x@example.com', phone: '1' }, copy: '9199', cards: ['C1', 'C2'], keep: 1, only: ['C1'] }, ids),
      { contact: {}, cards: ['C2'], keep: 1 },
    );
  });

  it('maps trait names to MoEngage standard attributes, the standard name winning over an alias', () => {
    assert.deepEqual(standardizeTraits({ firstName: 'A', first_name: 'B', lastname: 'R', phone: '91', fullName: 'A R', tier: 'Gold' }), {
      tier: 'Gold',
      name: 'A R',
      first_name: 'B',
      last_name: 'R',
      mobile: '91',
    });
  });
});

describe('configuration errors', () => {
  const env = { MOE_KEY: 'moe-secret', CG_KEY: 'cg-secret' };
  function problemsOf(destination: Record<string, unknown>): FieldIssue[] {
    return configProblems({ destinations: [{ name: 'd', events: ['pointsIssued'], ...destination }] }, env);
  }
  const moeEntry = { kind: 'moengage', dataCenter: '01', workspaceId: 'WS1', dataApiKey: '${MOE_KEY}' };
  const gluEntry = { kind: 'customerglu', writeKey: '${CG_KEY}' };

  it('accepts the new settings and keeps them', () => {
    const config = parseConfig(
      {
        destinations: [
          {
            name: 'moe',
            events: ['tierUpgraded'],
            ...moeEntry,
            customerIdFrom: 'event.customer.identifiers.externalId',
            userAttributes: { tier: '{{ event.properties.upgradedTierNumber }}', loyalty_member: true },
            identityAttributes: ['moe_mobile'],
            includePii: true,
          },
          { name: 'glu', events: ['pointsIssued'], ...gluEntry, customerIdFrom: 'event.properties.customerIdentifiers.instore.externalId' },
        ],
      },
      env,
    );
    assert.equal((config.destinations[0]?.settings as MoengageSettings).customerIdFrom, 'event.customer.identifiers.externalId');
    assert.deepEqual((config.destinations[0]?.settings as MoengageSettings).identityAttributes, ['moe_mobile']);
  });

  for (const [name, entry] of [
    ['moengage', moeEntry],
    ['customerglu', gluEntry],
  ] as const) {
    it(`${name}: refuses a customerIdFrom that is not a path`, () => {
      assertProblem(problemsOf({ ...entry, customerIdFrom: '{{ event.customer.id }}' }), 'destinations[0].customerIdFrom', /bare path/);
      assertProblem(
        problemsOf({ ...entry, customerIdFrom: 'customer.id' }),
        'destinations[0].customerIdFrom',
        /must start with one of: event, enrichment/,
      );
      assertProblem(problemsOf({ ...entry, customerIdFrom: 'event..id' }), 'destinations[0].customerIdFrom', /is not a path/);
      assertProblem(
        problemsOf({ ...entry, customerIdFrom: 'event.customer.id | default: "x"' }),
        'destinations[0].customerIdFrom',
        /bare path/,
      );
      assertProblem(problemsOf({ ...entry, customerIdFrom: 42 }), 'destinations[0].customerIdFrom', /expected string/);
    });
  }

  it('moengage: refuses bad userAttributes, each with its message', () => {
    assertProblem(
      problemsOf({ ...moeEntry, userAttributes: { tier: '{{ tier }}' } }),
      'destinations[0].userAttributes.tier',
      /must start with one of/,
    );
    assertProblem(
      problemsOf({ ...moeEntry, userAttributes: { tier: '{{ event.properties.tier' } }),
      'destinations[0].userAttributes.tier',
      /unbalanced/,
    );
    assertProblem(
      problemsOf({ ...moeEntry, userAttributes: { tier: '{{ event.properties.tier | upper }}' } }),
      'destinations[0].userAttributes.tier',
      /the only filter is "default/,
    );
    assertProblem(
      problemsOf({ ...moeEntry, userAttributes: { token: '${MOE_KEY}' } }),
      'destinations[0].userAttributes.token',
      /no \$\{\.\.\.\} secrets/,
    );
    assertProblem(
      problemsOf({ ...moeEntry, userAttributes: { tiers: { a: 1 } } }),
      'destinations[0].userAttributes.tiers',
      /a user attribute is a template string/,
    );
    assertProblem(problemsOf({ ...moeEntry, userAttributes: [] }), 'destinations[0].userAttributes', /expected record/);
    assertProblem(
      problemsOf({ ...moeEntry, userAttributes: { ' tier': 'x' } }),
      'destinations[0].userAttributes. tier',
      /no surrounding spaces/,
    );
    assertProblem(
      problemsOf({ ...moeEntry, userAttributes: { moe_mobile: '{{ event.customer.identifiers.mobile }}' } }),
      'destinations[0].userAttributes.moe_mobile',
      /list moe_mobile in identityAttributes/,
    );
  });

  it('moengage: identityAttributes are moe_ names; customerglu has no userAttributes', () => {
    assertProblem(problemsOf({ ...moeEntry, identityAttributes: ['mobile'] }), 'destinations[0].identityAttributes.0', /moe_ names/);
    assertProblem(problemsOf({ ...moeEntry, includePii: 'yes' }), 'destinations[0].includePii', /expected boolean/);
    assertProblem(problemsOf({ ...gluEntry, userAttributes: { tier: 'x' } }), 'destinations[0]', /userAttributes/);
  });
});

describe('OpenAPI', () => {
  const schemas = (
    openApiDocument() as {
      components: { schemas: Record<string, { description?: string; properties?: Record<string, { description?: string }> }> };
    }
  ).components.schemas;
  for (const id of ['MoengageDestination', 'MoengageDestinationResource', 'CustomergluDestination', 'CustomergluDestinationUpdate']) {
    it(`${id}: the schema and each of its fields are described`, () => {
      const schema = schemas[id];
      assert.ok(schema?.description, `${id} has no description`);
      const bare = Object.entries(schema.properties ?? {})
        .filter(([key, p]) => !p.description && !['kind', 'version', 'createdAt', 'updatedAt'].includes(key))
        .map(([key]) => key);
      assert.deepEqual(bare, [], `${id}: fields without a description`);
    });
  }
  it('documents the MoEngage baseUrl', () => {
    assert.match(schemas.MoengageDestination?.properties?.baseUrl?.description ?? '', /proxy, a test double/);
  });
});
