/**
 * The customerProfileEvent example's parts, fast: the customer lookup client against the local
 * fake (real HTTP), the route table, and the lookupCustomerProfile activity in a mock activity
 * context.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createProfileActivities } from '../../../activities/profile';
import type { CanonicalEvent } from '../../../src/model/canonical-event';
import { FailureType } from '../../../src/model/failure-types';
import { createHttpClient, type HttpClient } from '../../../src/http/client';
import { createLoyaltyApi, LoyaltyApiUnavailableError, type CustomerLookupKey, type LoyaltyApi } from '../../../src/enrichment/loyalty-api';
import type { CustomerDetails } from '../../../src/model/lookups';
import { GENERIC_WORKFLOW, routes, workflowTypeFor, type Route } from '../../../workflows/routes';
import { CUSTOMER_PATH, startLoyaltyApi, type LoyaltyApiFake } from '../../helpers/loyalty-api';
import { freePort } from '../../helpers/ports';
import { sampleCustomerAdded } from '../../helpers/workflow-suite';

describe('customerDetails (customer lookup client) against the fake', () => {
  let fake: LoyaltyApiFake;
  let http: HttpClient;
  let api: LoyaltyApi;
  before(async () => {
    fake = await startLoyaltyApi(
      {},
      {
        customers: {
          asha: {
            id: 412345678,
            firstName: 'Asha',
            lastName: 'Rao',
            sources: { INSTORE: { mobile: '919999000001', email: 'asha@example.com', externalId: 'ext-1' } },
            extendedFields: { gender: 'Female', dob_date: '1990-04-01', vip: true, tier: 3, nested: { no: 1 }, gone: null },
          },
          ravi: {
            id: 412345679,
            firstName: 'Ravi',
            lastName: 'Kumar',
            namesAt: 'top',
            sources: { INSTORE: { mobile: '919999000002' } },
            extendedFields: [
              { name: 'city', value: 'Bengaluru' },
              { name: 'anniversary', value: '2015-02-14' },
              { name: 'points_opt_in', value: false },
            ],
          },
          meera: {
            id: 412345680,
            firstName: 'Meera',
            namesAt: 'top-lowercase',
            sources: { INSTORE: { email: 'meera@example.com' } },
          },
          // Known only in another source: INSTORE answers 404.
          ecom: { id: 412345681, firstName: 'Eco', sources: { ECOMMERCE: { email: 'eco@example.com' } } },
        },
      },
    );
    http = createHttpClient({ allowPrivateNetworks: ['127.0.0.0/8'] });
    api = createLoyaltyApi(http, { baseUrl: `${fake.url}/`, authorization: 'Basic cHJvZmlsZQ==' });
  });
  after(async () => {
    await http.close();
    await fake.close();
  });

  it('looks a customer up by id (source=INSTORE, identifierName=id) and reads names in the profile, identifiers and extendedFields', async () => {
    const before = fake.requests.length;
    const details = await api.customerDetails({ name: 'id', value: '412345678' });
    assert.deepEqual(details, {
      id: '412345678',
      firstName: 'Asha',
      lastName: 'Rao',
      email: 'asha@example.com',
      mobile: '919999000001',
      externalId: 'ext-1',
      // Scalars as text; objects and nulls left out.
      fields: { gender: 'Female', dob_date: '1990-04-01', vip: 'true', tier: '3' },
    } satisfies CustomerDetails);
    const request = fake.requests[before];
    assert.equal(request?.path, CUSTOMER_PATH);
    assert.deepEqual(request?.query, { source: 'INSTORE', identifierName: 'id', identifierValue: '412345678' });
    assert.equal(request?.headers.authorization, 'Basic cHJvZmlsZQ==');
  });

  it('reads names at the top level, and extendedFields as [{ name, value }]', async () => {
    assert.deepEqual(await api.customerDetails({ name: 'mobile', value: '919999000002' }), {
      id: '412345679',
      firstName: 'Ravi',
      lastName: 'Kumar',
      mobile: '919999000002',
      fields: { city: 'Bengaluru', anniversary: '2015-02-14', points_opt_in: 'false' },
    });
  });

  it('reads the older lowercase firstname at the top level; absent fields stay absent', async () => {
    assert.deepEqual(await api.customerDetails({ name: 'email', value: 'meera@example.com' }), {
      id: '412345680',
      firstName: 'Meera',
      email: 'meera@example.com',
    });
  });

  it('finds a customer by any identifier of theirs', async () => {
    const byEmail = await api.customerDetails({ name: 'email', value: 'asha@example.com' });
    const byExternal = await api.customerDetails({ name: 'externalId', value: 'ext-1' });
    assert.equal(byEmail?.id, '412345678');
    assert.equal(byExternal?.id, '412345678');
  });

  it('answers null on 404: unknown id, unknown identifier, or unknown in INSTORE', async () => {
    assert.equal(await api.customerDetails({ name: 'id', value: '1' }), null);
    assert.equal(await api.customerDetails({ name: 'mobile', value: '910000000000' }), null);
    assert.equal(await api.customerDetails({ name: 'id', value: '412345681' }), null);
    // An identifier of one kind is not found by another kind's name.
    assert.equal(await api.customerDetails({ name: 'email', value: '919999000001' }), null);
  });

  it('throws LoyaltyApiUnavailableError on 5xx and 429, then answers once the API is back', async () => {
    fake.forceStatus(503, 1);
    await assert.rejects(api.customerDetails({ name: 'id', value: '412345678' }), LoyaltyApiUnavailableError);
    fake.forceStatus(500, 1);
    await assert.rejects(api.customerDetails({ name: 'id', value: '412345678' }), /answered 500/);
    fake.forceStatus(429, 1, { 'retry-after': '1' });
    await assert.rejects(api.customerDetails({ name: 'id', value: '412345678' }), LoyaltyApiUnavailableError);
    assert.equal((await api.customerDetails({ name: 'id', value: '412345678' }))?.firstName, 'Asha');
  });

  it('throws a plain error (not "unavailable") when the API refuses the lookup with another 4xx', async () => {
    fake.forceStatus(401, 1);
    await assert.rejects(api.customerDetails({ name: 'id', value: '412345678' }), (e: Error) => {
      assert.ok(!(e instanceof LoyaltyApiUnavailableError));
      assert.match(e.message, /refused the lookup with 401/);
      return true;
    });
  });

  it('throws LoyaltyApiUnavailableError when nothing listens', async () => {
    const down = createLoyaltyApi(http, { baseUrl: `http://127.0.0.1:${await freePort()}`, timeoutMs: 2000 });
    await assert.rejects(down.customerDetails({ name: 'id', value: '412345678' }), LoyaltyApiUnavailableError);
  });

  it('keeps the key-based lookup of existing callers (customers keyed by the value they are looked up by)', async () => {
    const profile = await api.customerProfile({ name: 'mobile', value: '919999000001' }, 'INSTORE');
    assert.deepEqual(profile, { source: 'INSTORE', id: 412345678, mobile: '919999000001', email: 'asha@example.com', externalId: 'ext-1' });
    const keyed = await startLoyaltyApi({}, { customers: { 'key-1': { id: 5, sources: { INSTORE: { mobile: '910000000005' } } } } });
    try {
      const keyedApi = createLoyaltyApi(http, { baseUrl: keyed.url });
      assert.equal((await keyedApi.customerProfile({ name: 'mobile', value: 'key-1' }, 'INSTORE'))?.id, 5);
    } finally {
      await keyed.close();
    }
  });
});

describe('workflowTypeFor (route table)', () => {
  it('routes Capillary customerAdded and customerUpdated to customerProfileEvent', () => {
    assert.equal(workflowTypeFor({ source: 'capillary', name: 'customerAdded' }), 'customerProfileEvent');
    assert.equal(workflowTypeFor({ source: 'capillary', name: 'customerUpdated' }), 'customerProfileEvent');
    // Routes without a source apply to every source id.
    assert.equal(workflowTypeFor({ source: 'capillary-eu', name: 'customerAdded' }), 'customerProfileEvent');
  });

  it('runs every other event as relayEvent (names are case-sensitive)', () => {
    assert.equal(GENERIC_WORKFLOW, 'relayEvent');
    assert.equal(workflowTypeFor({ source: 'capillary', name: 'pointsIssued' }), 'relayEvent');
    assert.equal(workflowTypeFor({ source: 'capillary', name: 'customeradded' }), 'relayEvent');
  });

  it('a route with a source applies to that source only; the first matching route wins', () => {
    const table: Route[] = [
      { event: 'tierUpgraded', source: 'capillary', workflow: 'tierEvent' },
      { event: 'tierUpgraded', workflow: 'anyTierEvent' },
      { event: 'tierUpgraded', workflow: 'neverReached' },
    ];
    assert.equal(workflowTypeFor({ source: 'capillary', name: 'tierUpgraded' }, table), 'tierEvent');
    assert.equal(workflowTypeFor({ source: 'backend', name: 'tierUpgraded' }, table), 'anyTierEvent');
    assert.equal(workflowTypeFor({ source: 'capillary', name: 'pointsIssued' }, table), 'relayEvent');
    assert.equal(workflowTypeFor({ source: 'capillary', name: 'tierUpgraded' }, []), 'relayEvent');
  });

  it('every routed workflow is one the worker registers', async () => {
    const registered = (await import('../../../workflows')) as Record<string, unknown>;
    for (const r of routes) assert.equal(typeof registered[r.workflow], 'function', `${r.workflow} is not exported by workflows/index.ts`);
  });
});

/** A LoyaltyApi whose customerDetails records its keys and answers as told. */
function stubApi(answer: (key: CustomerLookupKey) => Promise<CustomerDetails | null>): LoyaltyApi & { keys: CustomerLookupKey[] } {
  const keys: CustomerLookupKey[] = [];
  const unused = () => Promise.reject(new Error('not used by the profile lookup'));
  return {
    keys,
    pointsBalance: unused,
    customerProfile: unused,
    customerDetails(key) {
      keys.push(key);
      return answer(key);
    },
  };
}

/** The activity's ApplicationFailure, asserted. */
async function failureOf(run: Promise<unknown>): Promise<ApplicationFailure> {
  try {
    await run;
  } catch (e) {
    assert.ok(e instanceof ApplicationFailure, `expected an ApplicationFailure, got ${String(e)}`);
    return e;
  }
  assert.fail('the activity did not fail');
}

/** The activity as a plain function (the worker calls it the same way: unbound). */
function lookupWith(api: LoyaltyApi | undefined) {
  const activities = createProfileActivities(api);
  return (input: { event: CanonicalEvent }) => activities.lookupCustomerProfile(input);
}

describe('lookupCustomerProfile activity', () => {
  const env = new MockActivityEnvironment({ activityType: 'lookupCustomerProfile' });

  it('without a customer API fails non-retryably (ProfileApiNotConfigured), naming the variables', async () => {
    const lookupCustomerProfile = lookupWith(undefined);
    const failure = await failureOf(env.run(lookupCustomerProfile, { event: sampleCustomerAdded({ id: '1', identifiers: {} }) }));
    assert.equal(failure.type, 'ProfileApiNotConfigured');
    assert.equal(failure.nonRetryable, true);
    assert.match(failure.message, /CUSTOMER_PROFILE_API_URL/);
  });

  it('looks up by the customer id first, even when the event has identifiers', async () => {
    const api = stubApi(() => Promise.resolve({ id: '412345678', firstName: 'Asha' }));
    const lookupCustomerProfile = lookupWith(api);
    const profile = await env.run(lookupCustomerProfile, {
      event: sampleCustomerAdded({ id: '412345678', identifiers: { mobile: '919999000001', email: 'asha@example.com' } }),
    });
    assert.deepEqual(profile, { id: '412345678', firstName: 'Asha' });
    assert.deepEqual(api.keys, [{ name: 'id', value: '412345678' }]);
  });

  it('without a customer id, uses the identifiers: mobile, else email, else externalId', async () => {
    const api = stubApi(() => Promise.resolve(null));
    const lookupCustomerProfile = lookupWith(api);
    const ids = [
      { mobile: '919999000001', email: 'a@example.com', externalId: 'x' },
      { email: 'a@example.com', externalId: 'x' },
      { externalId: 'x' },
    ];
    for (const identifiers of ids) {
      assert.equal(await env.run(lookupCustomerProfile, { event: sampleCustomerAdded({ identifiers }) }), null);
    }
    assert.deepEqual(api.keys, [
      { name: 'mobile', value: '919999000001' },
      { name: 'email', value: 'a@example.com' },
      { name: 'externalId', value: 'x' },
    ]);
  });

  it('fails non-retryably when the event has nothing to look up by', async () => {
    const api = stubApi(() => Promise.resolve(null));
    const lookupCustomerProfile = lookupWith(api);
    const failure = await failureOf(env.run(lookupCustomerProfile, { event: sampleCustomerAdded({ identifiers: {} }) }));
    assert.equal(failure.type, 'ProfileLookupImpossible');
    assert.equal(failure.nonRetryable, true);
    assert.equal(api.keys.length, 0);
  });

  it('an unavailable API is a retryable LoyaltyApiUnavailable failure', async () => {
    const api = stubApi(() => Promise.reject(new LoyaltyApiUnavailableError('loyalty API answered 503')));
    const lookupCustomerProfile = lookupWith(api);
    const failure = await failureOf(env.run(lookupCustomerProfile, { event: sampleCustomerAdded({ id: '1', identifiers: {} }) }));
    assert.equal(failure.type, FailureType.LoyaltyApiUnavailable);
    assert.equal(failure.nonRetryable, false);
    assert.match(failure.message, /503/);
  });

  it('a refused lookup (another error) is non-retryable ProfileLookupFailed', async () => {
    const api = stubApi(() => Promise.reject(new Error('loyalty API refused the lookup with 401: nope')));
    const lookupCustomerProfile = lookupWith(api);
    const failure = await failureOf(env.run(lookupCustomerProfile, { event: sampleCustomerAdded({ id: '1', identifiers: {} }) }));
    assert.equal(failure.type, 'ProfileLookupFailed');
    assert.equal(failure.nonRetryable, true);
  });

  it('against the fake over HTTP: the profile by id', async () => {
    const fake = await startLoyaltyApi(
      {},
      {
        customers: { c: { id: 77, firstName: 'Asha', sources: { INSTORE: { mobile: '919999000001' } }, extendedFields: { city: 'Pune' } } },
      },
    );
    const http = createHttpClient({ allowPrivateNetworks: ['127.0.0.0/8'] });
    try {
      const lookupCustomerProfile = lookupWith(createLoyaltyApi(http, { baseUrl: fake.url }));
      const profile = await env.run(lookupCustomerProfile, { event: sampleCustomerAdded({ id: '77', identifiers: {} }) });
      assert.deepEqual(profile, { id: '77', firstName: 'Asha', mobile: '919999000001', fields: { city: 'Pune' } });
    } finally {
      await http.close();
      await fake.close();
    }
  });
});
