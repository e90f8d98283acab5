/** The customer lookup client of the loyalty API against the local fake (real HTTP on 127.0.0.1). */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createHttpClient, type HttpClient } from '../../../src/http/client';
import { createLoyaltyApi, LoyaltyApiUnavailableError, type LoyaltyApi } from '../../../src/enrichment/loyalty-api';
import type { CustomerDetails } from '../../../src/model/lookups';
import { CUSTOMER_PATH, startLoyaltyApi, type LoyaltyApiFake } from '../../helpers/loyalty-api';
import { freePort } from '../../helpers/ports';

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
