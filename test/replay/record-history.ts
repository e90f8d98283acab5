/**
 * Records a relayEvent history for the replay tests. Run when the workflow ships a new
 * version, and commit the file:
 *   npx tsx test/replay/record-history.ts relay-event-v1                      # webhook scenario
 *   npx tsx test/replay/record-history.ts relay-event-v2-multi-request user-sync
 *   npx tsx test/replay/record-history.ts relay-event-v3-local-planning-user-sync user-sync
 * Recorded so far: v1 (first release), v2-multi-request (MoEngage user sync, remote planning),
 * v2-local-planning (local planning, single request), v3 (both patches).
 * Scenarios: `webhook` — one destination that answers 503 once (a retried activity), with
 * enrichment, an SLA timer and search attribute updates; `user-sync` — a MoEngage destination
 * and a customerAdded event: two requests (customer API, then event API) after the
 * multi-request-delivery patch, plus store/till enrichment.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FileConfigStore } from '../../src/config/file-store';
import { parseConfig } from '../../src/config/load';
import { createHttpClient } from '../../src/http/client';
import { createLoyaltyApi } from '../../src/loyalty-api';
import { startHttpsSink } from '../helpers/https-sink';
import { startLoyaltyApi } from '../helpers/loyalty-api';
import { resolveTemporalCli } from '../../src/temporal/cli';
import { startRelayWorker, startTestTemporal } from '../helpers/temporal';

async function main(name: string, scenario: string): Promise<void> {
  if (scenario !== 'webhook' && scenario !== 'user-sync') throw new Error(`unknown scenario ${scenario}`);
  const temporal = await startTestTemporal();
  const sink = await startHttpsSink({ respond: (_r, i) => (i === 0 ? { status: 503 } : { status: 200 }) });
  const loyalty = await startLoyaltyApi({ '919999000001': { totalPoints: 4500 } });
  const http = createHttpClient({ extraCa: sink.ca, allowPrivateNetworks: ['127.0.0.0/8', '::1'] });
  const destination =
    scenario === 'webhook'
      ? {
          name: 'crm',
          kind: 'webhook',
          events: ['pointsIssued'],
          url: `${sink.url}/hooks`,
          body: { balance: '{{ enrichment.pointsBalance.totalPoints }}' },
          enrichment: { pointsBalance: true },
        }
      : {
          name: 'moe',
          kind: 'moengage',
          events: ['customerAdded'],
          dataCenter: '01',
          workspaceId: 'WS1',
          dataApiKey: 'recording-key',
          baseUrl: sink.url,
          enrichment: { pointsBalance: true, store: true, till: true },
        };
  const config = parseConfig({ destinations: [destination] }, {});
  const relay = await startRelayWorker(
    temporal,
    {
      store: new FileConfigStore(config, {}),
      http,
      loyaltyApi: createLoyaltyApi(http, { baseUrl: loyalty.url }),
      backoff: { initialMs: 100, maxMs: 200 },
    },
    'record',
  );
  const now = new Date().toISOString();
  const workflowId = `relay:capillary:${name}`;
  await relay.run({
    id: name,
    source: 'capillary',
    sourceKind: 'capillary',
    ...(scenario === 'webhook'
      ? { name: 'pointsIssued', type: 'track' as const, properties: { totalPointsIssued: 250 } }
      : {
          name: 'customerAdded',
          type: 'user' as const,
          traits: { first_name: 'Asha' },
          properties: { triggeringActivity: { enteredBy: { store: { code: 'blr-01' }, till: { code: 'till-07' } } } },
        }),
    occurredAt: now,
    receivedAt: now,
    customer: { id: '412345678', identifiers: { mobile: '919999000001' } },
  });
  await relay.stop();
  // The CLI's JSON export is the standard history format (the SDK's historyToJSON fails on this build).
  const cli = resolveTemporalCli(process.env, () => undefined, { build: false }).executable;
  if (cli.type !== 'existing-path') throw new Error('recording needs a temporal CLI binary');
  const json = execFileSync(cli.path, ['workflow', 'show', '--address', temporal.address, '-w', workflowId, '--output', 'json']);
  const file = join(__dirname, 'histories', `${name}.json`);
  writeFileSync(file, json);
  process.stdout.write(`wrote ${file} (${(JSON.parse(json.toString()) as { events: unknown[] }).events.length} events)\n`);
  await http.close();
  await sink.close();
  await loyalty.close();
  await temporal.stop();
}

main(process.argv[2] ?? 'relay-event-v1', process.argv[3] ?? 'webhook').catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
