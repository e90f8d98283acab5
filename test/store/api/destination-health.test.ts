/**
 * GET /v1/destination-health, /v1/destinations/{name}/health and /v1/event-types/{name}/schema
 * over HTTP, on a throwaway database: the figures come from what the workers share (counts
 * written by two DeliveryStats as two worker processes would, the breaker's row, the pause
 * state); without Temporal the run counts are null and say so.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Breaker } from '../../../src/breaker/breaker';
import { DeliveryStats } from '../../../src/breaker/delivery-stats';
import { ConfigAdmin } from '../../../src/config/admin';
import { PgConfigStore } from '../../../src/config/pg-store';
import { createSecretBox } from '../../../src/db/secrets';
import { capillarySource } from '../../../src/sources/capillary';
import { createTestDatabase } from '../../helpers/database';
import { callManagement, type ManagementAnswer } from '../../helpers/management-client';
import { fakeStarter, startReceiver, type TestReceiver } from '../../helpers/receiver';

const ADMIN_TOKEN = 'health-admin-token-0123456789abcdef';
let db: Awaited<ReturnType<typeof createTestDatabase>>;
let receiver: TestReceiver;

const call = (method: string, path: string, body?: unknown): Promise<ManagementAnswer> =>
  callManagement(receiver.url, ADMIN_TOKEN, method, path, body);

interface Item {
  name: string;
  state: string;
  delivered: number;
  failed: number;
  retriedAttempts: number;
  successRate: number | null;
  p95LatencyMs: number | null;
  slaBreaches: number;
  lastFailure: { at: string; message: string } | null;
  heldRuns: number | null;
  parkedRuns: number | null;
  paused: { by: string } | null;
  failedAttemptsSinceSuccess: number;
  links?: { failedRuns: string; heldRuns: string };
}

before(async () => {
  db = await createTestDatabase();
  const box = createSecretBox({ current: randomBytes(32) });
  const admin = new ConfigAdmin(db.pool, box);
  receiver = await startReceiver([], fakeStarter(), {
    store: new PgConfigStore(db.pool, box),
    management: {
      admin,
      adminToken: ADMIN_TOKEN,
      documents: { eventTypes: () => ({}) },
      health: { pool: db.pool, namespace: 'default', temporalUiUrl: 'http://localhost:8233/' },
    },
  });
  for (const name of ['crm', 'quiet', 'wallet']) {
    const created = await call('POST', '/destinations', {
      name,
      kind: 'webhook',
      events: ['pointsIssued'],
      url: `https://${name}.example.com/hook`,
    });
    assert.equal(created.status, 201, created.text);
  }
  // Two workers' counts for the same minute add up.
  const now = new Date();
  const one = new DeliveryStats(db.pool);
  const two = new DeliveryStats(db.pool);
  for (let i = 0; i < 18; i++) one.note({ destination: 'crm', outcome: 'delivered', latencyMs: 80, at: now });
  two.note({ destination: 'crm', outcome: 'delivered', latencyMs: 2000, slaBreached: true, at: now });
  two.note({ destination: 'crm', outcome: 'delivered', latencyMs: 2000, at: now });
  two.note({ destination: 'crm', outcome: 'retried', failure: 'HTTP 503 from crm.example.com', at: new Date(now.getTime() - 1000) });
  two.note({ destination: 'crm', outcome: 'failed', failure: 'HTTP 400 from crm.example.com: unknown member', at: now });
  one.note({ destination: 'wallet', outcome: 'delivered', latencyMs: 40, at: now });
  // Older than any window the API reads: not counted.
  one.note({ destination: 'wallet', outcome: 'failed', failure: 'old', at: new Date(now.getTime() - 26 * 3600_000) });
  await one.flush();
  await two.flush();
  // The breaker trips wallet: auto-paused.
  await new Breaker(db.pool).trip('wallet', 'circuit breaker: 20 failed attempts');
});

after(async () => {
  await receiver?.close();
  await db?.drop();
});

describe('destination health', () => {
  it('sums every worker’s settled deliveries in the window: success rate, p95, SLA breaches, last failure', async () => {
    const res = await call('GET', '/destination-health');
    assert.equal(res.status, 200, res.text);
    const body = res.body as unknown as { window: { minutes: number; since: string; until: string }; temporal: string; items: Item[] };
    assert.equal(body.window.minutes, 60);
    assert.ok(Date.parse(body.window.since) <= Date.now() - 59 * 60_000);
    assert.deepEqual(
      body.items.map((i) => i.name),
      ['crm', 'quiet', 'wallet'],
    );
    const crm = body.items[0] as Item & { probing: boolean };
    assert.equal(crm.state, 'active');
    assert.equal(crm.probing, false);
    assert.equal(crm.delivered, 20);
    assert.equal(crm.failed, 1);
    assert.equal(crm.retriedAttempts, 1);
    assert.equal(crm.successRate, 20 / 21);
    // 18 of 20 under 100 ms, 2 at 2 s: the 19th (p95) is in the 2.5 s bucket.
    assert.equal(crm.p95LatencyMs, 2500);
    assert.equal(crm.slaBreaches, 1);
    assert.equal(crm.lastFailure?.message, 'HTTP 400 from crm.example.com: unknown member');
    const quiet = body.items[1] as Item;
    assert.equal(quiet.successRate, null);
    assert.equal(quiet.p95LatencyMs, null);
    assert.equal(quiet.lastFailure, null);
  });

  it('says auto_paused for a destination the circuit breaker paused, paused for an operator’s', async () => {
    assert.equal((await call('POST', '/destinations/quiet/pause', { reason: 'maintenance' })).status, 200);
    const body = (await call('GET', '/destination-health')).body as unknown as { items: Item[] };
    const byName = new Map(body.items.map((i) => [i.name, i]));
    assert.equal(byName.get('wallet')?.state, 'auto_paused');
    assert.equal(byName.get('wallet')?.paused?.by, 'breaker');
    assert.equal(byName.get('quiet')?.state, 'paused');
    assert.equal(byName.get('quiet')?.paused?.by, 'operator');
    assert.equal((await call('POST', '/destinations/quiet/resume')).status, 200);
  });

  it('counts a day with windowMinutes=1440 and refuses a window it cannot read', async () => {
    const wide = (await call('GET', '/destinations/wallet/health?windowMinutes=1440')).body as unknown as Item;
    assert.equal(wide.delivered, 1);
    assert.equal(wide.failed, 0); // 26 hours ago: outside even the widest window
    for (const bad of ['0', '1441', 'soon', '1.5']) {
      const res = await call('GET', `/destination-health?windowMinutes=${bad}`);
      assert.equal(res.status, 422, bad);
      assert.equal(res.body.issues?.[0]?.path, 'windowMinutes');
    }
  });

  it('without Temporal the run counts are null and the report says so; links open the UI filtered to the runs', async () => {
    const res = await call('GET', '/destinations/crm/health');
    const item = res.body as unknown as Item & { temporal: string };
    assert.equal(item.temporal, 'unavailable');
    assert.equal(item.heldRuns, null);
    assert.equal(item.parkedRuns, null);
    assert.equal(
      item.links?.failedRuns,
      `http://localhost:8233/namespaces/default/workflows?query=${encodeURIComponent('RelayFailedDestinations = "crm" AND ExecutionStatus = "Running"')}`,
    );
  });

  it('404 for a destination that does not exist', async () => {
    const res = await call('GET', '/destinations/nope/health');
    assert.equal(res.status, 404);
    assert.equal(res.body.code, 'not_found');
  });
});

describe('event type schema', () => {
  it('serves the JSON Schema of a catalog event, with what normalize requires of it', async () => {
    const res = await call('GET', '/event-types/pointsExpired/schema');
    assert.equal(res.status, 200, res.text);
    const schema = res.body as {
      title?: string;
      required?: string[];
      properties?: Record<string, { required?: string[]; allOf?: { required?: string[] }[]; const?: string }>;
    };
    assert.equal(schema.title, 'pointsExpired');
    assert.ok(schema.required?.includes('eventId'));
    assert.equal(schema.properties?.eventName?.const, 'pointsExpired');
    const data = schema.properties?.data;
    const required = [...(data?.required ?? []), ...(data?.allOf ?? []).flatMap((s) => s.required ?? [])];
    assert.deepEqual(required.sort(), ['customerIdentifiers', 'loyaltyProgramId', 'pointsExpired']);
    // The adapter refuses the body the schema says is incomplete, and takes the one it describes.
    const ctx = { sourceId: 'cap', source: undefined as never, receivedAt: new Date().toISOString(), headers: {} };
    assert.throws(() => capillarySource.normalize({ eventId: 'e1', eventName: 'pointsExpired', data: {} }, ctx), /pointsExpired requires/);
    const ok = capillarySource.normalize(
      {
        eventId: 'e1',
        eventName: 'pointsExpired',
        data: { customerIdentifiers: { customerId: 7 }, loyaltyProgramId: 1, pointsExpired: 5 },
      },
      ctx,
    );
    assert.equal(ok.name, 'pointsExpired');
  });

  it('404 unknown_event_type for a name in no catalog (names are case-sensitive)', async () => {
    for (const name of ['PointsExpired', 'no-such-event']) {
      const res = await call('GET', `/event-types/${name}/schema`);
      assert.equal(res.status, 404, name);
      assert.equal(res.body.code, 'unknown_event_type');
    }
  });
});
