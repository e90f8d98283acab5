/**
 * Records event-workflow histories for the replay tests. Run when a workflow ships a new
 * version, and commit the files (`npx tsx test/replay/record-history.ts` records them all;
 * `… record-history.ts NAME` records one). The v2 baseline (relayEvent v2: drain first, no
 * patches; see README "Upgrading to relayEvent v2"):
 *   v2-healthy         one webhook with enrichment, 200 at the first (local) attempt
 *   v2-park-redeliver  503 (retried as a regular activity after a timer, SLA timer), then 400:
 *                      parked; a redeliver Update; 200
 *   v2-held            a paused destination: held, a destinationChanged signal, delivered
 *   v2-user-sync       MoEngage customerAdded: two requests (customer API, then event API),
 *                      routed to customerProfileEvent (profile lookup)
 * A workflow change that makes one of these fail to replay needs `patched()` or a new workflow
 * type (README, "Changing a workflow safely").
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CanonicalEvent } from '../../src/model/canonical-event';
import { FileConfigStore } from '../helpers/file-store';
import { parseConfig } from '../../src/config/load';
import type { DestinationPlan, DestinationState } from '../../src/model/destination';
import { createHttpClient } from '../../src/http/client';
import { createLoyaltyApi } from '../../src/enrichment/loyalty-api';
import { createLogger } from '../../src/telemetry/logger';
import { createTemporalStarter } from '../../src/receiver/starter';
import { resolveTemporalCli } from '../../src/temporal/cli';
import { destinationChangedSignal, redeliverUpdate } from '../../workflows/messages';
import { FailedDestinations, HeldDestinations } from '../../workflows/search-attributes';
import { startHttpsSink, type SinkResponse } from '../helpers/https-sink';
import { startLoyaltyApi } from '../helpers/loyalty-api';
import { startRelayWorker, startTestTemporal } from '../helpers/temporal';

export const SCENARIOS = ['v2-healthy', 'v2-park-redeliver', 'v2-held', 'v2-user-sync'] as const;
type Scenario = (typeof SCENARIOS)[number];

/** A file store whose destination can be paused (the PostgreSQL store's pause, in memory). */
class PausableStore extends FileConfigStore {
  paused = new Set<string>();
  override async resolveSubscriptions(event: { source: string; name: string }): Promise<DestinationPlan[]> {
    return (await super.resolveSubscriptions(event)).map((p) => ({ ...p, paused: this.paused.has(p.name) }));
  }
  override async destinationState(name: string): Promise<DestinationState> {
    return this.paused.has(name) ? 'paused' : super.destinationState(name);
  }
}

async function record(name: Scenario): Promise<void> {
  const temporal = await startTestTemporal();
  const answers: Record<Scenario, SinkResponse[]> = {
    'v2-healthy': [{ status: 200 }],
    'v2-park-redeliver': [{ status: 503 }, { status: 400 }, { status: 200 }],
    'v2-held': [{ status: 200 }],
    'v2-user-sync': [{ status: 200 }],
  };
  const sink = await startHttpsSink({ respond: (_r, i) => answers[name][i] ?? { status: 200 } });
  const loyalty = await startLoyaltyApi({ '919999000001': { totalPoints: 4500 } });
  const http = createHttpClient({ extraCa: sink.ca, allowPrivateNetworks: ['127.0.0.0/8', '::1'] });
  const userSync = name === 'v2-user-sync';
  const destination = userSync
    ? {
        name: 'moe',
        kind: 'moengage',
        events: ['customerAdded'],
        dataCenter: '01',
        workspaceId: 'WS1',
        dataApiKey: 'recording-key',
        baseUrl: sink.url,
        enrichment: { pointsBalance: true, store: true, till: true },
      }
    : {
        name: 'crm',
        kind: 'webhook',
        events: ['pointsIssued'],
        url: `${sink.url}/hooks`,
        body: { balance: '{{ enrichment.pointsBalance.totalPoints }}' },
        enrichment: { pointsBalance: true },
        slaSeconds: 1,
      };
  const store = new PausableStore(parseConfig({ destinations: [destination] }, {}), {});
  if (name === 'v2-held') store.paused.add('crm');
  const relay = await startRelayWorker(
    temporal,
    { store, http, loyaltyApi: createLoyaltyApi(http, { baseUrl: loyalty.url }), backoff: { initialMs: 1500, maxMs: 1500 } },
    'record',
  );
  const now = new Date().toISOString();
  const event: CanonicalEvent = {
    id: name,
    source: 'capillary',
    sourceKind: 'capillary',
    ...(userSync
      ? {
          name: 'customerAdded',
          type: 'user' as const,
          traits: { first_name: 'Asha' },
          properties: { triggeringActivity: { enteredBy: { store: { code: 'blr-01' }, till: { code: 'till-07' } } } },
        }
      : { name: 'pointsIssued', type: 'track' as const, properties: { totalPointsIssued: 250 } }),
    occurredAt: now,
    receivedAt: now,
    customer: { id: '412345678', identifiers: { mobile: '919999000001' } },
  };
  const starter = createTemporalStarter({
    client: temporal.env.client,
    taskQueue: relay.taskQueue,
    startTimeoutMs: 5000,
    logger: createLogger('silent'),
  });
  const { workflowId } = await starter.start(event);
  const handle = temporal.env.client.workflow.getHandle(workflowId);
  const waitFor = async (what: string, check: () => Promise<boolean>) => {
    for (let i = 0; i < 600; i++) {
      if (await check()) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`${name}: never ${what}`);
  };
  if (name === 'v2-park-redeliver') {
    await waitFor('parked', async () => ((await handle.describe()).typedSearchAttributes.get(FailedDestinations) ?? []).includes('crm'));
    await waitFor('accepting a redeliver', () =>
      handle.executeUpdate(redeliverUpdate, { args: [{}] }).then(
        () => true,
        () => false,
      ),
    );
  }
  if (name === 'v2-held') {
    await waitFor('held', async () => ((await handle.describe()).typedSearchAttributes.get(HeldDestinations) ?? []).includes('crm'));
    store.paused.delete('crm');
    await handle.signal(destinationChangedSignal, { destination: 'crm' });
  }
  await handle.result();
  await relay.stop();
  // The CLI's JSON export is the standard history format (the SDK's historyToJSON fails on this build).
  const cli = resolveTemporalCli(process.env, () => undefined, { build: false }).executable;
  if (cli.type !== 'existing-path') throw new Error('recording needs a temporal CLI binary');
  const json = execFileSync(cli.path, ['workflow', 'show', '--address', temporal.address, '-w', workflowId, '--output', 'json']);
  const file = join(__dirname, 'histories', `relay-event-${name}.json`);
  writeFileSync(file, json);
  process.stdout.write(`wrote ${file} (${(JSON.parse(json.toString()) as { events: unknown[] }).events.length} events)\n`);
  await http.close();
  await sink.close();
  await loyalty.close();
  await temporal.stop();
}

async function main(names: string[]): Promise<void> {
  for (const name of names.length > 0 ? names : SCENARIOS) {
    if (!(SCENARIOS as readonly string[]).includes(name)) throw new Error(`unknown scenario ${name} (${SCENARIOS.join(', ')})`);
    await record(name as Scenario);
  }
}

main(process.argv.slice(2)).catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
