/**
 * customerProfileEvent on real parts: a Temporal dev server, the PostgreSQL configuration store,
 * a local HTTPS sink as the destination and the fake customer API over real HTTP. Runs are
 * started as the receiver starts them (createTemporalStarter), so the route table picks the type.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { CanonicalEvent } from '../../src/model/canonical-event';
import { createHttpClient } from '../../src/http/client';
import { createLogger } from '../../src/telemetry/logger';
import { createLoyaltyApi } from '../../src/enrichment/loyalty-api';
import { createTemporalStarter } from '../../src/receiver/starter';
import type { customerProfileEvent, RelayEventResult } from '../../workflows';
import { DeliveryStatus, EventName } from '../../workflows/search-attributes';
import { pgStoreFor } from '../helpers/config-store';
import { startHttpsSink, type HttpsSink } from '../helpers/https-sink';
import { CUSTOMER_PATH, startLoyaltyApi, type FakeCustomer, type LoyaltyApiFake } from '../helpers/loyalty-api';
import { freePort } from '../helpers/ports';
import { startRelayWorker } from '../helpers/temporal';
import { sampleCustomerAdded, useTestTemporal } from '../helpers/workflow-suite';

const t = useTestTemporal();

const ASHA: FakeCustomer = {
  id: 412345678,
  firstName: 'Asha',
  lastName: 'Rao',
  sources: { INSTORE: { mobile: '919999000001', email: 'asha@example.com' } },
  extendedFields: [{ name: 'city', value: 'Bengaluru' }],
};

/** The destination's body: the profile's fields, each tolerating a missing profile. */
const BODY = {
  customerId: '{{ event.customer.id }}',
  firstName: '{{ enrichment.profile.firstName | default: null }}',
  lastName: '{{ enrichment.profile.lastName | default: null }}',
  email: '{{ enrichment.profile.email | default: null }}',
  mobile: '{{ enrichment.profile.mobile | default: null }}',
  city: '{{ enrichment.profile.fields.city | default: null }}',
  problems: '{{ enrichment.problems | default: [] }}',
};

interface Harness {
  sink: HttpsSink;
  api?: LoyaltyApiFake;
  /** Start the event as the receiver does, wait for the run; its result and description. */
  relay(event: CanonicalEvent): Promise<{ result: RelayEventResult; type: string; eventName: unknown; status: unknown }>;
}

/**
 * `api`: 'fake' (the fake customer API, as CUSTOMER_PROFILE_API_URL), 'down' (a URL nothing
 * listens on) or 'none' (neither CUSTOMER_PROFILE_API_URL nor LOYALTY_API_URL set).
 */
async function harness(api: 'fake' | 'down' | 'none', destination: Record<string, unknown> = {}): Promise<Harness> {
  const sink = await startHttpsSink();
  const fake = api === 'fake' ? await startLoyaltyApi({}, { customers: { asha: ASHA } }) : undefined;
  const { store, drop } = await pgStoreFor({
    sources: [{ id: 'capillary', kind: 'capillary', auth: { key: 'k' } }],
    destinations: [
      {
        name: 'profile-sync',
        kind: 'webhook',
        events: ['customerAdded', 'customerUpdated'],
        url: `${sink.url}/users`,
        body: BODY,
        ...destination,
      },
    ],
  });
  const http = createHttpClient({ extraCa: sink.ca, allowPrivateNetworks: ['127.0.0.0/8', '::1'] });
  const baseUrl = fake?.url ?? `http://127.0.0.1:${await freePort()}`;
  const worker = await startRelayWorker(t.server, {
    store,
    http,
    ...(api === 'none' ? {} : { profileApi: createLoyaltyApi(http, { baseUrl, timeoutMs: 1000 }) }),
    backoff: { initialMs: 100, maxMs: 400 },
  });
  const client = t.server.env.client;
  const starter = createTemporalStarter({ client, taskQueue: worker.taskQueue, startTimeoutMs: 10_000, logger: createLogger('silent') });
  t.cleanup(async () => {
    await worker.stop();
    await http.close();
    await sink.close();
    await fake?.close();
    await drop();
  });
  return {
    sink,
    ...(fake ? { api: fake } : {}),
    async relay(event) {
      const { workflowId, duplicate } = await starter.start(event);
      assert.equal(duplicate, false);
      const handle = client.workflow.getHandle<typeof customerProfileEvent>(workflowId);
      const result = await handle.result();
      const description = await handle.describe();
      return {
        result,
        type: description.type,
        eventName: description.typedSearchAttributes.get(EventName),
        status: description.typedSearchAttributes.get(DeliveryStatus),
      };
    },
  };
}

describe('customerProfileEvent', () => {
  test('customerAdded (ids only) runs as customerProfileEvent and delivers the profile looked up by customer id', async () => {
    const h = await harness('fake');
    const run = await h.relay(sampleCustomerAdded());
    assert.equal(run.type, 'customerProfileEvent');
    assert.equal(run.eventName, 'customerAdded');
    assert.equal(run.status, 'delivered');
    assert.equal(run.result.status, 'delivered');
    assert.equal(h.sink.requests.length, 1);
    assert.deepEqual(h.sink.requests[0]?.json, {
      customerId: '412345678',
      firstName: 'Asha',
      lastName: 'Rao',
      email: 'asha@example.com',
      mobile: '919999000001',
      city: 'Bengaluru',
      problems: [],
    });
    const lookups = h.api!.requests.filter((r) => r.path === CUSTOMER_PATH);
    assert.deepEqual(
      lookups.map((r) => r.query),
      [{ source: 'INSTORE', identifierName: 'id', identifierValue: '412345678' }],
    );
  });

  test('a customer the API does not know (404): delivered with a null profile, no problem reported', async () => {
    const h = await harness('fake');
    const run = await h.relay(sampleCustomerAdded({ id: '999', identifiers: {} }));
    assert.equal(run.result.status, 'delivered');
    assert.deepEqual(h.sink.requests[0]?.json, {
      customerId: '999',
      firstName: null,
      lastName: null,
      email: null,
      mobile: null,
      city: null,
      problems: [],
    });
  });

  test('the customer API answers 503, then 200: the lookup is retried within the step and the profile delivered', async () => {
    const h = await harness('fake');
    h.api!.forceStatus(503, 1);
    const run = await h.relay(sampleCustomerAdded());
    assert.equal(run.result.status, 'delivered');
    assert.equal(h.api!.requests.filter((r) => r.path === CUSTOMER_PATH).length, 2);
    const body = h.sink.requests[0]?.json as Record<string, unknown>;
    assert.equal(body.firstName, 'Asha');
    assert.deepEqual(body.problems, []);
    assert.equal(h.sink.requests.length, 1);
  });

  test('no customer API configured: delivered at once without the profile, the problem carried', async () => {
    const h = await harness('none');
    const started = Date.now();
    const run = await h.relay(sampleCustomerAdded());
    assert.equal(run.type, 'customerProfileEvent');
    assert.equal(run.result.status, 'delivered');
    assert.ok(Date.now() - started < 15_000, 'a non-retryable lookup failure is not retried');
    const body = h.sink.requests[0]?.json as Record<string, unknown>;
    assert.equal(body.firstName, null);
    assert.equal(body.customerId, '412345678');
    const problems = body.problems as { lookup: string; message: string }[];
    assert.equal(problems.length, 1);
    assert.equal(problems[0]?.lookup, 'profile');
    assert.match(problems[0]?.message ?? '', /CUSTOMER_PROFILE_API_URL/);
  });

  test(
    'the customer API is down: retried within the destination retry window, then delivered without the profile',
    { timeout: 90_000 },
    async () => {
      const h = await harness('down', { retryWindowSeconds: 3 });
      const run = await h.relay(sampleCustomerAdded());
      assert.equal(run.result.status, 'delivered');
      const body = h.sink.requests[0]?.json as Record<string, unknown>;
      assert.equal(body.firstName, null);
      const problems = body.problems as { lookup: string; message: string }[];
      assert.equal(problems[0]?.lookup, 'profile');
      assert.match(problems[0]?.message ?? '', /unreachable.*retried until the retry window ended/);
    },
  );
});
