/**
 * `npx tsx scripts/payload-history.ts`: what one healthy event costs in Temporal history with
 * 1, 3 and 6 destinations, for a small event and a 1 MB one, with the relay's payload codecs
 * (claim check + encryption, the defaults) and without them (RELAY_PAYLOAD_ENCRYPTION=false and
 * the claim check's threshold at its maximum: the relay as it was before). Runs `src/entry/main.ts`
 * on a throwaway PostgreSQL database and a local HTTPS sink; prints a Markdown table.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { createTestDatabase } from '../test/helpers/database';
import { startHttpsSink } from '../test/helpers/https-sink';
import { startMainProcess } from '../test/helpers/process';

const COUNTS = [1, 3, 6];
const KEY = 'history-size-key';

interface Row {
  mode: string;
  size: string;
  destinations: number;
  outcome: string;
  events: number;
  bytes: number;
  largestPayload: number;
  storedRows: number;
}

function payloadSizes(value: unknown, out: number[] = []): number[] {
  if (value === null || typeof value !== 'object' || value instanceof Uint8Array) return out;
  const p = value as temporal.api.common.v1.IPayload;
  if ('metadata' in p && 'data' in p && (p.data === null || p.data instanceof Uint8Array)) {
    out.push(temporal.api.common.v1.Payload.encode(p).finish().length);
    return out;
  }
  for (const v of Array.isArray(value) ? value : Object.values(value)) payloadSizes(v, out);
  return out;
}

/** The run's end, or 'stuck: <message>' when a workflow task fails (the pre-claim-check symptom). */
async function outcome(handle: WorkflowHandle): Promise<string> {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    const history = await handle.fetchHistory();
    const failed = history.events?.find((e) => e.workflowTaskFailedEventAttributes);
    if (failed) return `stuck: ${failed.workflowTaskFailedEventAttributes?.failure?.message}`;
    const { status } = await handle.describe();
    if (status.name !== 'RUNNING') return status.name.toLowerCase();
    await new Promise((r) => setTimeout(r, 500));
  }
  return 'still running after 120 s';
}

async function measure(mode: string, env: Record<string, string>, sizes: Record<string, number>): Promise<Row[]> {
  const dir = mkdtempSync(join(tmpdir(), 'relay-history-size-'));
  const sink = await startHttpsSink();
  const database = await createTestDatabase();
  writeFileSync(join(dir, 'ca.pem'), sink.ca);
  const destinations = COUNTS.flatMap((n) =>
    Array.from(
      { length: n },
      (_, i) => `  - { name: e${n}-hook-${i + 1}, kind: webhook, events: [event${n}], url: "${sink.url}/e${n}/${i + 1}" }`,
    ),
  );
  writeFileSync(
    join(dir, 'relay.yaml'),
    `sources:\n  - { id: backend, kind: server, auth: { key: ${KEY} } }\noutbound:\n  allowPrivateNetworks: [127.0.0.1/32, "::1"]\ndestinations:\n${destinations.join('\n')}\n`,
  );
  const main = await startMainProcess(dir, { DATABASE_URL: database.url, RELAY_MAX_BODY_BYTES: String(2 * 1024 * 1024), ...env });
  const rows: Row[] = [];
  try {
    for (const [size, bytes] of Object.entries(sizes)) {
      for (const n of COUNTS) {
        const before = Number((await database.pool.query<{ n: string }>('SELECT count(*) AS n FROM claim_payloads')).rows[0]?.n ?? 0);
        const event = {
          event_id: randomUUID(),
          event_name: `event${n}`,
          user_id: 'cust-1',
          timestamp: new Date().toISOString(),
          event_properties: { email: 'asha@example.com', mobile: '919999000001', points: 250, note: 'n'.repeat(bytes) },
        };
        const res = await fetch(`${main.base}/v1/sources/backend/events`, {
          method: 'POST',
          body: JSON.stringify(event),
          headers: { 'content-type': 'application/json', 'x-api-key': KEY },
        });
        if (res.status !== 202) throw new Error(`POST answered ${res.status}: ${await res.text()}`);
        const { workflowId } = (await res.json()) as { workflowId: string };
        const handle = main.client.workflow.getHandle(workflowId);
        const end = await outcome(handle);
        if (end.startsWith('stuck')) await handle.terminate('history-size measurement: stuck run');
        const history = await handle.fetchHistory();
        const after = Number((await database.pool.query<{ n: string }>('SELECT count(*) AS n FROM claim_payloads')).rows[0]?.n ?? 0);
        rows.push({
          mode,
          size,
          destinations: n,
          outcome: end,
          events: history.events?.length ?? 0,
          bytes: temporal.api.history.v1.History.encode(history).finish().length,
          largestPayload: Math.max(0, ...payloadSizes(history)),
          storedRows: after - before,
        });
      }
    }
  } finally {
    await main.close();
    await sink.close();
    await database.drop();
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}

async function main(): Promise<void> {
  const rows = [
    ...(await measure(
      'before (no codecs)',
      { RELAY_PAYLOAD_ENCRYPTION: 'false', RELAY_CLAIM_CHECK_THRESHOLD_BYTES: String(1024 * 1024) },
      { small: 200, '1 MB': 1_000_000 },
    )),
    ...(await measure('after (claim check + encryption)', {}, { small: 200, '1 MB': 1_000_000 })),
  ];
  process.stdout.write('| codecs | event | destinations | run | history events | history bytes | largest payload | stored rows |\n');
  process.stdout.write('|---|---|---:|---|---:|---:|---:|---:|\n');
  for (const r of rows) {
    process.stdout.write(
      `| ${r.mode} | ${r.size} | ${r.destinations} | ${r.outcome} | ${r.events} | ${r.bytes} | ${r.largestPayload} | ${r.storedRows} |\n`,
    );
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
