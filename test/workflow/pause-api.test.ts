/**
 * Pause and resume through the management API and `paused: true` in the file, on the real
 * PostgreSQL store, a real worker, a real HTTPS sink and the dev server: held deliveries go out
 * when POST /resume wakes their runs.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { applyConfig } from '../../src/config/apply';
import { parseConfig } from '../../src/config/load';
import { createHttpClient } from '../../src/http/client';
import { wakeHeldRuns } from '../../src/temporal/held-runs';
import { pgStoreFor } from '../helpers/config-store';
import { startHttpsSink } from '../helpers/https-sink';
import { fakeStarter, startReceiver } from '../helpers/receiver';
import { startRelayWorker } from '../helpers/temporal';
import { heldFor, startSampleRun, useTestTemporal } from '../helpers/workflow-suite';

const t = useTestTemporal();
const ADMIN_TOKEN = 'test-admin-token-0123456789abcdef';

async function setup(destination: Record<string, unknown> = {}) {
  const sink = await startHttpsSink({ respond: () => ({ status: 200 }) });
  const doc = {
    destinations: [{ name: 'crm', kind: 'webhook', events: ['pointsIssued'], url: `${sink.url}/hook`, ...destination }],
  };
  const { store, admin, drop } = await pgStoreFor(doc);
  const http = createHttpClient({ extraCa: sink.ca, allowPrivateNetworks: ['127.0.0.0/8', '::1'] });
  const relay = await startRelayWorker(t.server, { store, http });
  const client = t.server.env.client;
  const receiver = await startReceiver([], fakeStarter(), {
    store,
    management: { admin, adminToken: ADMIN_TOKEN, wakeHeldRuns: (name) => wakeHeldRuns(client, name) },
  });
  t.cleanup(async () => {
    await receiver.close();
    await relay.stop();
    await http.close();
    await sink.close();
    await drop();
  });
  const start = () => startSampleRun(client, relay.taskQueue);
  const post = async (path: string, body?: unknown) => {
    const res = await fetch(`${receiver.url}/v1${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  return { sink, admin, client, start, post, doc };
}

describe('pause and resume over the management API', () => {
  test('POST /pause holds new deliveries; POST /resume wakes the runs and they deliver once each', async () => {
    const h = await setup();
    const paused = await h.post('/destinations/crm/pause', { reason: 'CRM maintenance' });
    assert.equal(paused.status, 200);
    const runs = [await h.start(), await h.start(), await h.start()];
    await heldFor(h.client, 'crm', 3);
    assert.equal(h.sink.requests.length, 0, 'nothing sent while paused');

    const resumed = await h.post('/destinations/crm/resume');
    assert.equal(resumed.status, 200, JSON.stringify(resumed.body));
    assert.equal(resumed.body.paused, false);
    assert.equal(resumed.body.woken, 3);
    for (const run of runs) assert.equal((await run.result()).status, 'delivered');
    assert.equal(h.sink.requests.length, 3);
    // Woken oldest first (acceptance order): each run's resume signal came after the one of the
    // run accepted before it. Event times in nanoseconds, so no two are equal.
    const signalledAt: bigint[] = [];
    for (const run of runs) {
      const history = await run.fetchHistory();
      const signal = history.events?.find((e) => e.workflowExecutionSignaledEventAttributes?.signalName === 'destinationChanged');
      assert.ok(signal?.eventTime, 'the run was signalled');
      signalledAt.push(BigInt(String(signal.eventTime.seconds)) * 1_000_000_000n + BigInt(signal.eventTime.nanos ?? 0));
    }
    assert.deepEqual(
      [...signalledAt].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)),
      signalledAt,
      'signalled in acceptance order',
    );
    assert.equal(new Set(h.sink.requests.map((r) => r.headers['webhook-id'])).size, 3);
  });

  test('pauses and resumes racing with each other and with new events: after the last resume every event is delivered once', async () => {
    const h = await setup();
    const runs = [];
    const answers = [];
    for (let i = 0; i < 4; i++) {
      // A pause and a resume sent at once, while an event is being accepted: either may win.
      const [pause, resume, run] = await Promise.all([
        h.post('/destinations/crm/pause', { reason: `round ${i}` }),
        h.post('/destinations/crm/resume'),
        h.start(),
      ]);
      answers.push(pause.status, resume.status);
      runs.push(run);
    }
    assert.deepEqual(new Set(answers), new Set([200]));
    const last = await h.post('/destinations/crm/resume');
    assert.equal(last.body.paused, false);
    for (const run of runs) assert.equal((await run.result()).status, 'delivered');
    assert.equal(h.sink.requests.length, runs.length, 'each event once');
    assert.equal(new Set(h.sink.requests.map((r) => r.headers['webhook-id'])).size, runs.length);
  });

  test('paused: true in the file creates it paused; a later apply of the same file does not undo a resume', async () => {
    const h = await setup({ paused: true, pausedReason: 'not live yet' });
    const run = await h.start();
    await heldFor(h.client, 'crm', 1);
    assert.equal(h.sink.requests.length, 0);
    const resumed = await h.post('/destinations/crm/resume');
    assert.equal(resumed.body.woken, 1);
    assert.equal((await run.result()).status, 'delivered');

    const again = await applyConfig(h.admin, parseConfig(h.doc, {}), {});
    assert.deepEqual(
      again.changes.filter((c) => c.type === 'destination').map((c) => c.action),
      ['unchanged'],
    );
    const read = await h.admin.read((w) => w.getDestination('crm'));
    assert.equal(read?.paused, false, 'the operator resumed it; the file sets the initial state only');
  });
});
