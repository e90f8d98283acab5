/**
 * End to end, the routed example: the real `src/entry/main.ts` (embedded dev server + worker +
 * receiver) in a child process; a Capillary customerAdded (ids only) posted over HTTP runs as
 * customerProfileEvent, and the profile from the customer API (CUSTOMER_PROFILE_API_URL, a
 * local fake) reaches a real local HTTPS sink.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Client } from '@temporalio/client';
import type { customerProfileEvent } from '../../workflows';
import { startHttpsSink, type HttpsSink } from '../helpers/https-sink';
import { CUSTOMER_PATH, startLoyaltyApi, type LoyaltyApiFake } from '../helpers/loyalty-api';
import { startMainProcess, type RelayProcess } from '../helpers/process';

const KEY = 'e2e-profile-capillary-key';

describe('customer profile end to end (npm start process)', () => {
  let dir: string;
  let sink: HttpsSink;
  let profiles: LoyaltyApiFake;
  let relay: RelayProcess;
  let base: string;
  let client: Client;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'relay-e2e-profile-'));
    sink = await startHttpsSink();
    profiles = await startLoyaltyApi(
      {},
      {
        customers: {
          asha: {
            id: 412345678,
            firstName: 'Asha',
            lastName: 'Rao',
            sources: { INSTORE: { mobile: '919999000001', email: 'asha@example.com' } },
            extendedFields: { city: 'Bengaluru' },
          },
        },
      },
    );
    writeFileSync(join(dir, 'ca.pem'), sink.ca);
    writeFileSync(
      join(dir, 'relay.yaml'),
      `
sources:
  - id: capillary
    kind: capillary
    auth: { header: X-API-KEY, key: "\${E2E_SOURCE_KEY}" }
outbound:
  allowPrivateNetworks: [127.0.0.1/32, "::1"]
destinations:
  - name: profile-sync
    kind: webhook
    events: [customerAdded, customerUpdated]
    url: ${sink.url}/users/{{ event.customer.id }}
    body: |
      { "type": "{{ event.type }}", "event": "{{ event.name }}", "firstName": "{{ enrichment.profile.firstName | default: null }}",
        "lastName": "{{ enrichment.profile.lastName | default: null }}", "email": "{{ enrichment.profile.email | default: null }}",
        "city": "{{ enrichment.profile.fields.city | default: null }}", "problems": "{{ enrichment.problems | default: [] }}" }
`,
    );
    ({ relay, base, client } = await startMainProcess(dir, {
      CUSTOMER_PROFILE_API_URL: profiles.url,
      CUSTOMER_PROFILE_API_AUTHORIZATION: 'Bearer profile-api-token',
      E2E_SOURCE_KEY: KEY,
    }));
  });

  after(async () => {
    await client?.connection.close();
    // SIGTERM: main.ts stops its embedded dev server (SIGKILL would leave that child running).
    await relay?.stop('SIGTERM');
    await sink?.close();
    await profiles?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('a Capillary customerAdded with ids only is routed to customerProfileEvent and delivered with the profile', async () => {
    const eventId = randomUUID();
    const res = await fetch(`${base}/v1/sources/capillary/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': KEY },
      body: JSON.stringify({
        eventName: 'customerAdded',
        eventId,
        orgId: 50074,
        createdAt: Date.now(),
        data: { customerIdentifiers: { customerId: 412345678 } },
      }),
    });
    assert.equal(res.status, 202, relay.output());
    const { workflowId } = (await res.json()) as { workflowId: string };

    const [delivery] = await sink.waitFor(1, 30_000);
    assert.equal(delivery?.url, '/users/412345678');
    assert.deepEqual(delivery?.json, {
      type: 'user',
      event: 'customerAdded',
      firstName: 'Asha',
      lastName: 'Rao',
      email: 'asha@example.com',
      city: 'Bengaluru',
      problems: [],
    });
    const lookup = profiles.requests.find((r) => r.path === CUSTOMER_PATH);
    assert.deepEqual(lookup?.query, { source: 'INSTORE', identifierName: 'id', identifierValue: '412345678' });
    assert.equal(lookup?.headers.authorization, 'Bearer profile-api-token');

    const handle = client.workflow.getHandle<typeof customerProfileEvent>(workflowId);
    assert.equal((await handle.result()).status, 'delivered');
    assert.equal((await handle.describe()).type, 'customerProfileEvent');
  });

  test('SIGTERM shuts the process down gracefully', async () => {
    assert.equal(await relay.stop('SIGTERM'), 0, relay.output());
  });
});
