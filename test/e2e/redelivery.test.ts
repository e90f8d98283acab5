/**
 * Redelivery through the management API, end to end in one process: a real dev server, a real
 * worker (relayEvent and bulkRedeliver), the PostgreSQL store, runs started as the receiver
 * starts them, and a real HTTPS sink standing in for two destinations — `crm`, which the tests
 * break (400: the run parks at once) and fix, and `wallet`, always 2xx.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Client, Connection } from '@temporalio/client';
import { redeliverCommand } from '../../src/cli/redeliver';
import { workflowIdFor, type CanonicalEvent } from '../../src/model/canonical-event';
import { createHttpClient } from '../../src/http/client';
import { createLogger } from '../../src/telemetry/logger';
import { createTemporalStarter } from '../../src/receiver/starter';
import { parkedRunsQuery } from '../../src/temporal/redelivery';
import type { RedeliveryProgress } from '../../workflows/bulk-redeliver';
import { DeliveryStatus } from '../../workflows/search-attributes';
import { pgStoreFor } from '../helpers/config-store';
import { startHttpsSink, type RecordedRequest } from '../helpers/https-sink';
import { callManagement, type ManagementAnswer } from '../helpers/management-client';
import { fakeStarter, startReceiver, type TestReceiver } from '../helpers/receiver';
import { startWiredRelayWorker } from '../helpers/temporal';
import { samplePointsIssued, useTestTemporal } from '../helpers/workflow-suite';

const ADMIN_TOKEN = 'redelivery-admin-token-0123456789';
const t = useTestTemporal();

type Answer = ManagementAnswer;

type CrmMode = 200 | 400 | 503;

interface Stack {
  receiver: TestReceiver;
  client: Client;
  taskQueue: string;
  /** What `crm` answers from now on. */
  setCrm(mode: CrmMode): void;
  requests: RecordedRequest[];
  call(method: string, path: string, body?: unknown, receiver?: TestReceiver): Promise<Answer>;
  /** Start an event's run as the receiver does. */
  start(event?: CanonicalEvent): Promise<CanonicalEvent>;
  startReceiverWith(options: { maxRuns?: number; client?: Client }): Promise<TestReceiver>;
}

let stack: Promise<Stack> | undefined;

/** One stack for the file: the store, sink, worker and receiver cost seconds each. */
function setup(): Promise<Stack> {
  stack ??= (async () => {
    let crm: CrmMode = 400;
    const sink = await startHttpsSink({
      respond: (req) =>
        req.url.startsWith('/crm') ? { status: crm, body: crm === 400 ? '{"error":"unknown member"}' : '{}' } : { status: 200 },
    });
    const { store, admin, drop } = await pgStoreFor({
      destinations: [
        { name: 'crm', kind: 'webhook', events: ['pointsIssued', 'pointsRedeemed'], url: `${sink.url}/crm` },
        // Answers as crm does: a pointsRedeemed run has two failed destinations.
        { name: 'crm2', kind: 'webhook', events: ['pointsRedeemed'], url: `${sink.url}/crm2` },
        { name: 'wallet', kind: 'webhook', events: ['pointsIssued'], url: `${sink.url}/wallet` },
        { name: 'tiers', kind: 'webhook', events: ['tierUpgraded'], url: `${sink.url}/tiers` },
      ],
    });
    const http = createHttpClient({ extraCa: sink.ca, allowPrivateNetworks: ['127.0.0.0/8', '::1'] });
    const worker = await startWiredRelayWorker(t.server, { store, http }, 'redeliver');
    const { taskQueue } = worker;
    const client = t.server.env.client;
    const logger = createLogger('silent');
    const starter = createTemporalStarter({ client, taskQueue, startTimeoutMs: 10_000, logger });
    const receivers: TestReceiver[] = [];
    const startReceiverWith = async (options: { maxRuns?: number; client?: Client }) => {
      const r = await startReceiver([], fakeStarter(), {
        store,
        management: {
          admin,
          adminToken: ADMIN_TOKEN,
          redelivery: { client: options.client ?? client, taskQueue, maxRuns: options.maxRuns ?? 1000, timeoutMs: 3000 },
        },
      });
      receivers.push(r);
      return r;
    };
    const receiver = await startReceiverWith({});
    t.cleanup(async () => {
      for (const r of receivers) await r.close();
      await worker.stop();
      await http.close();
      await sink.close();
      await drop();
    });
    return {
      receiver,
      client,
      taskQueue,
      setCrm: (mode) => {
        crm = mode;
      },
      requests: sink.requests,
      startReceiverWith,
      call: (method, path, body, r = receiver) => callManagement(r.url, ADMIN_TOKEN, method, path, body),
      async start(event = samplePointsIssued()) {
        await starter.start(event);
        return event;
      },
    };
  })();
  return stack;
}

/** Requests the sink got for this event at this destination (path), in order. */
function requestsFor(s: Stack, event: CanonicalEvent, destination: string): RecordedRequest[] {
  return s.requests.filter((r) => r.url.startsWith(`/${destination}`) && (r.json as { id?: string } | undefined)?.id === event.id);
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, tries = 400): Promise<T> {
  for (let i = 0; i < tries; i++) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.fail(`timed out waiting for ${what}`);
}

async function statusOf(s: Stack, event: CanonicalEvent): Promise<string | undefined> {
  const d = await s.client.workflow.getHandle(workflowIdFor(event.source, event.id)).describe();
  return d.typedSearchAttributes.get(DeliveryStatus);
}

async function parked(s: Stack, event: CanonicalEvent): Promise<void> {
  await until(`run of ${event.id} parked`, async () =>
    (await statusOf(s, event))?.match(/^(failed|partially_delivered)$/) ? true : undefined,
  );
}

async function finished(s: Stack, id: string): Promise<RedeliveryProgress> {
  return until(`bulk redelivery ${id} to end`, async () => {
    const got = await s.call('GET', `/redeliveries/${id}`);
    assert.equal(got.status, 200, got.text);
    const progress = got.body as unknown as RedeliveryProgress;
    return progress.state === 'running' ? undefined : progress;
  });
}

describe('redelivering one event', () => {
  test('parked: wallet delivered, crm refused with 400 → redeliver crm once it is fixed; same webhook-id; wallet never again', async () => {
    const s = await setup();
    s.setCrm(400);
    const event = await s.start();
    await parked(s, event);
    assert.equal(await statusOf(s, event), 'partially_delivered');
    const path = `/events/${event.source}/${encodeURIComponent(event.id)}/redeliver`;

    // Refusals: nothing is sent for any of them.
    const wallet = await s.call('POST', path, { destinations: ['wallet'] });
    assert.equal(wallet.status, 409, wallet.text);
    assert.equal(wallet.body.code, 'already_delivered');
    const tiers = await s.call('POST', path, { destinations: ['tiers'] });
    assert.equal(tiers.status, 422, tiers.text);
    assert.equal(tiers.body.code, 'not_a_destination_of_run');
    const unknown = await s.call('POST', path, { destinations: ['nope'] });
    assert.equal(unknown.status, 404, unknown.text);
    assert.equal(unknown.body.code, 'destination_not_found');
    const malformed = await s.call('POST', path, { destinations: 'crm' });
    assert.equal(malformed.status, 422, malformed.text);
    assert.equal(malformed.body.code, 'validation_failed');
    assert.equal(malformed.body.issues?.[0]?.path, 'destinations');
    const noRun = await s.call('POST', `/events/${event.source}/no-such-event/redeliver`, {});
    assert.equal(noRun.status, 404, noRun.text);
    assert.equal(noRun.body.code, 'run_not_found');
    assert.equal(requestsFor(s, event, 'crm').length, 1);
    assert.equal(requestsFor(s, event, 'wallet').length, 1);

    // Fixed: an empty POST redelivers the failed destinations.
    s.setCrm(200);
    const ok = await fetch(`${s.receiver.url}/v1${path}`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    assert.equal(ok.status, 200);
    assert.deepEqual(await ok.json(), { workflowId: workflowIdFor(event.source, event.id), redelivering: ['crm'] });
    const result = (await s.client.workflow.getHandle(workflowIdFor(event.source, event.id)).result()) as { status: string };
    assert.equal(result.status, 'delivered');
    const crm = requestsFor(s, event, 'crm');
    assert.equal(crm.length, 2);
    assert.equal(crm[1]?.headers['webhook-id'], crm[0]?.headers['webhook-id'], 'the redelivery carries the original webhook-id');
    assert.equal(requestsFor(s, event, 'wallet').length, 1, 'wallet got its 2xx: never sent the event again');

    const again = await s.call('POST', path, {});
    assert.equal(again.status, 409, again.text);
    assert.equal(again.body.code, 'run_closed');
  });

  test('by workflow id; a run still retrying is not parked (409), and nothing is sent for it', async () => {
    const s = await setup();
    s.setCrm(503);
    const event = await s.start();
    await until('run retrying', async () => ((await statusOf(s, event)) === 'retrying' ? true : undefined));
    const before = requestsFor(s, event, 'crm').length;
    const answer = await s.call('POST', `/runs/${encodeURIComponent(workflowIdFor(event.source, event.id))}/redeliver`, {
      destinations: ['crm'],
    });
    assert.equal(answer.status, 409, answer.text);
    assert.equal(answer.body.code, 'not_parked');
    assert.match(answer.body.message ?? '', /not parked \(retrying\)/);
    assert.ok(requestsFor(s, event, 'crm').length <= before + 1, 'no extra request beyond the scheduled retry');
    // Let it deliver (its next retry), so it does not linger into the bulk tests.
    s.setCrm(200);
    await s.client.workflow.getHandle(workflowIdFor(event.source, event.id)).result();
  });

  test('a destination being redelivered is not_failed (409) while another failed one still waits', async () => {
    const s = await setup();
    s.setCrm(400);
    const event = await s.start(samplePointsIssued({ name: 'pointsRedeemed' }));
    await parked(s, event);
    assert.equal(await statusOf(s, event), 'failed');
    const path = `/events/${event.source}/${encodeURIComponent(event.id)}/redeliver`;
    s.setCrm(503);
    const first = await s.call('POST', path, { destinations: ['crm'] });
    assert.equal(first.status, 200, first.text);
    await until('crm retrying', async () => ((await statusOf(s, event)) === 'retrying' ? true : undefined));
    const again = await s.call('POST', path, { destinations: ['crm'] });
    assert.equal(again.status, 409, again.text);
    assert.equal(again.body.code, 'not_failed');
    assert.match(again.body.message ?? '', /"crm" did not fail: it is retrying/);
    // crm2 still failed: it can be redelivered meanwhile.
    const other = await s.call('POST', path, { destinations: ['crm2'] });
    assert.equal(other.status, 200, other.text);
    s.setCrm(200);
    const result = (await s.client.workflow.getHandle(workflowIdFor(event.source, event.id)).result()) as { status: string };
    assert.equal(result.status, 'delivered');
  });

  test('Temporal unreachable: 503 temporal_unavailable with Retry-After', async () => {
    const s = await setup();
    const dead = new Client({ connection: Connection.lazy({ address: '127.0.0.1:1', connectTimeout: 500 }) });
    const r = await s.startReceiverWith({ client: dead });
    const one = await s.call('POST', '/events/capillary/any/redeliver', {}, r);
    assert.equal(one.status, 503, one.text);
    assert.equal(one.body.code, 'temporal_unavailable');
    assert.ok(Number(one.headers.get('retry-after')) > 0);
    const bulk = await s.call('POST', '/redeliveries', { since: '2026-01-01T00:00Z' }, r);
    assert.equal(bulk.status, 503, bulk.text);
    assert.equal(bulk.body.code, 'temporal_unavailable');
  });
});

describe('bulk redelivery', () => {
  const N = 20;
  let events: CanonicalEvent[] = [];
  let since = '';
  let untilTime = '';

  test(`${N} runs park while crm refuses`, async () => {
    const s = await setup();
    s.setCrm(400);
    since = new Date(Date.now() - 1000).toISOString();
    events = [];
    for (let i = 0; i < N; i++) events.push(await s.start());
    for (const e of events) await parked(s, e);
    untilTime = new Date(Date.now() + 1000).toISOString();
    await until('visibility to list them', async () => {
      const { count } = await s.client.workflow.count(parkedRunsQuery({ destination: 'crm', since, until: untilTime }));
      return count === N ? true : undefined;
    });
  });

  test('bad input: 422 with a code saying why, 404 for an unknown destination or operation', async () => {
    const s = await setup();
    const cases: [unknown, number, string, string?][] = [
      [{ since: untilTime, until: since }, 422, 'empty_range'],
      [{ since, until: since }, 422, 'empty_range'],
      [{ since: '2999-01-01T00:00Z' }, 422, 'empty_range'],
      [{}, 422, 'validation_failed', 'since'],
      [{ since: 'yesterday' }, 422, 'validation_failed', 'since'],
      [{ since: '2026-11-29T00:00' }, 422, 'validation_failed', 'since'],
      [{ since: '2026-02-31T00:00Z' }, 422, 'validation_failed', 'since'],
      [{ since, status: 'delivered' }, 422, 'validation_failed', 'status'],
      [{ since, colour: 'blue' }, 422, 'validation_failed'],
      [{ since, destination: 'nope' }, 404, 'destination_not_found'],
    ];
    for (const [body, status, code, path] of cases) {
      const answer = await s.call('POST', '/redeliveries', body);
      assert.equal(answer.status, status, `${JSON.stringify(body)}: ${answer.text}`);
      assert.equal(answer.body.code, code, JSON.stringify(body));
      if (path)
        assert.ok(
          answer.body.issues?.some((i) => i.path === path),
          `${JSON.stringify(body)}: ${answer.text}`,
        );
    }
    const notJson = await s.call('POST', '/redeliveries', '{"since":');
    assert.equal(notJson.status, 400);
    assert.equal(notJson.body.code, 'malformed_json');

    const small = await s.startReceiverWith({ maxRuns: N - 1 });
    const tooMany = await s.call('POST', '/redeliveries', { destination: 'crm', since, until: untilTime }, small);
    assert.equal(tooMany.status, 422, tooMany.text);
    assert.equal(tooMany.body.code, 'too_many_runs');
    assert.match(tooMany.body.message ?? '', new RegExp(`^${N} parked runs match; .*at most ${N - 1}`));

    for (const id of [
      'redelivery-00000000-0000-4000-8000-000000000000',
      'not-an-id',
      events[0] ? workflowIdFor('capillary', events[0].id) : 'x',
    ]) {
      const missing = await s.call('GET', `/redeliveries/${encodeURIComponent(id)}`);
      assert.equal(missing.status, 404, `${id}: ${missing.text}`);
      assert.equal(missing.body.code, 'redelivery_not_found');
    }
    const anonymous = await fetch(`${s.receiver.url}/v1/redeliveries`, { method: 'POST' });
    assert.equal(anonymous.status, 401);
    assert.equal(
      events.every((e) => requestsFor(s, e, 'crm').length === 1),
      true,
      'nothing sent by a refused request',
    );
  });

  test('every parked run is redelivered once; the same request again skips them all', async () => {
    const s = await setup();
    s.setCrm(200);
    const request = { destination: 'crm', status: 'partially_delivered', since, until: untilTime };
    const started = await s.call('POST', '/redeliveries', request);
    assert.equal(started.status, 202, started.text);
    const id = String(started.body.id);
    assert.equal(started.headers.get('location'), `/v1/redeliveries/${id}`);
    assert.equal(started.body.total, N);
    const first = await finished(s, id);
    assert.deepEqual(
      { state: first.state, total: first.total, done: first.done, skipped: first.skipped, failed: first.failed },
      { state: 'completed', total: N, done: N, skipped: 0, failed: 0 },
    );
    for (const e of events) {
      const result = (await s.client.workflow.getHandle(workflowIdFor(e.source, e.id)).result()) as { status: string };
      assert.equal(result.status, 'delivered');
    }
    const sent = () => events.map((e) => requestsFor(s, e, 'crm'));
    for (const [i, crm] of sent().entries()) {
      assert.equal(crm.length, 2, `event ${i}: the refused attempt and one redelivery`);
      assert.equal(crm[1]?.headers['webhook-id'], crm[0]?.headers['webhook-id']);
      assert.equal(requestsFor(s, events[i] as CanonicalEvent, 'wallet').length, 1);
    }

    // The same request again: nothing is sent. (Its runs have ended, or are listed while their
    // redelivery settles and refused by their validators: skipped either way.)
    const again = await s.call('POST', '/redeliveries', request);
    assert.equal(again.status, 202, again.text);
    const second = await finished(s, String(again.body.id));
    assert.equal(second.state, 'completed');
    assert.equal(second.done, 0);
    assert.equal(second.failed, 0);
    assert.equal(second.skipped, second.total);
    assert.ok(
      sent().every((crm) => crm.length === 2),
      'no event sent to crm a third time',
    );
  });

  test('two identical bulk requests at once: every run is redelivered by one of them, exactly once', async () => {
    const s = await setup();
    s.setCrm(400);
    const from = new Date(Date.now() - 1000).toISOString();
    const batch: CanonicalEvent[] = [];
    for (let i = 0; i < 10; i++) batch.push(await s.start());
    for (const e of batch) await parked(s, e);
    const to = new Date(Date.now() + 1000).toISOString();
    await until('visibility to list them', async () => {
      const { count } = await s.client.workflow.count(parkedRunsQuery({ since: from, until: to }));
      return count === batch.length ? true : undefined;
    });
    s.setCrm(200);
    const [a, b] = await Promise.all([0, 1].map(() => s.call('POST', '/redeliveries', { since: from, until: to })));
    assert.equal(a?.status, 202, a?.text);
    assert.equal(b?.status, 202, b?.text);
    const [pa, pb] = await Promise.all([finished(s, String(a?.body.id)), finished(s, String(b?.body.id))]);
    assert.equal(pa.done + pb.done, batch.length, `done ${pa.done} + ${pb.done}`);
    assert.equal(pa.failed + pb.failed, 0);
    for (const e of batch) {
      await s.client.workflow.getHandle(workflowIdFor(e.source, e.id)).result();
      const ok = requestsFor(s, e, 'crm').filter((_r, i) => i > 0);
      assert.equal(ok.length, 1, `${e.id}: redelivered once`);
    }
  });

  test('relay redeliver --bulk follows the operation to its end; --source/--event redelivers one', async () => {
    const s = await setup();
    s.setCrm(400);
    const from = new Date(Date.now() - 1000).toISOString();
    const batch = [await s.start(), await s.start(), await s.start()];
    for (const e of batch) await parked(s, e);
    await until('visibility', async () => {
      const { count } = await s.client.workflow.count(
        parkedRunsQuery({ destination: 'crm', since: from, until: new Date(Date.now() + 1000).toISOString() }),
      );
      return count === batch.length ? true : undefined;
    });
    s.setCrm(200);
    const port = Number(new URL(s.receiver.url).port);
    const lines: string[] = [];
    const out = { write: (chunk: string) => lines.push(chunk) > 0, isTTY: false } as unknown as NodeJS.WritableStream;
    const err: string[] = [];
    const errOut = { write: (chunk: string) => err.push(chunk) > 0 } as unknown as NodeJS.WritableStream;
    const env = { PORT: port, RELAY_ADMIN_TOKEN: ADMIN_TOKEN };

    // One event first, by source and event id.
    const [one, ...rest] = batch as [CanonicalEvent, ...CanonicalEvent[]];
    assert.equal(
      await redeliverCommand(['--source', one.source, '--event', one.id, '--destination', 'crm'], env, {
        out,
        err: errOut,
        intervalMs: 100,
      }),
      0,
    );
    assert.match(lines.join(''), /redelivering to crm/);
    await s.client.workflow.getHandle(workflowIdFor(one.source, one.id)).result();
    // Again: the API's refusal, printed, exit code 1.
    assert.equal(await redeliverCommand(['--source', one.source, '--event', one.id], env, { out, err: errOut, intervalMs: 100 }), 1);
    assert.match(err.join(''), /409 run_closed/);

    lines.length = 0;
    const code = await redeliverCommand(['--bulk', '--destination', 'crm', '--since', from], env, { out, err: errOut, intervalMs: 100 });
    assert.equal(code, 0, lines.join(''));
    const text = lines.join('');
    assert.match(text, /^redelivery-[0-9a-f-]{36}: \d+ parked run\(s\) match/);
    assert.match(text, /\[#+\] \d+\/\d+ {2}\d+ redelivered · \d+ skipped · 0 failed/);
    assert.match(text, /: completed — \d+ run\(s\): \d+ redelivered/);
    for (const e of rest) {
      await s.client.workflow.getHandle(workflowIdFor(e.source, e.id)).result();
      assert.equal(requestsFor(s, e, 'crm').length, 2);
    }
  });
});
