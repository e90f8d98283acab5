/** The customerProfileEvent example's lookupCustomerProfile activity in a mock activity context. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createProfileActivities } from '../../../activities/profile';
import type { CanonicalEvent } from '../../../src/model/canonical-event';
import { FailureType } from '../../../src/model/failure-types';
import { createHttpClient } from '../../../src/http/client';
import { createLoyaltyApi, LoyaltyApiUnavailableError, type CustomerLookupKey, type LoyaltyApi } from '../../../src/enrichment/loyalty-api';
import type { CustomerDetails } from '../../../src/model/lookups';
import { failureOf } from '../../helpers/activity-fakes';
import { startLoyaltyApi } from '../../helpers/loyalty-api';
import { sampleCustomerAdded } from '../../helpers/workflow-suite';

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
