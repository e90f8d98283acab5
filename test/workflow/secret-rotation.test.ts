/**
 * A secret rotated while a delivery is retrying reaches its next attempt: a destination's
 * secret header and signing secret and its credential set's token, changed through the store's
 * admin (the management API's path) after a 503, are what the retry sends — while the
 * retry's settings stay those of the version the run planned with. Neither the old nor the new
 * secrets appear in the run's history. Real dev server, PostgreSQL store, HTTPS sink.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import type { Payload } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { Webhook } from 'standardwebhooks';
import { workflowIdFor } from '../../src/model/canonical-event';
import { createHttpClient } from '../../src/http/client';
import { pgStoreFor } from '../helpers/config-store';
import { startHttpsSink } from '../helpers/https-sink';
import { startRelayWorker, testPayloadCodecs } from '../helpers/temporal';
import { samplePointsIssued, useTestTemporal } from '../helpers/workflow-suite';

const t = useTestTemporal();

test('a rotated secret header, signing secret and credential token reach the retry of an in-flight delivery; history holds none', async () => {
  const old = {
    key: `key-old-${randomBytes(8).toString('hex')}`,
    token: `tok-old-${randomBytes(8).toString('hex')}`,
    whsec: `whsec_${randomBytes(32).toString('base64')}`,
  };
  const rotated = {
    key: `key-new-${randomBytes(8).toString('hex')}`,
    token: `tok-new-${randomBytes(8).toString('hex')}`,
    whsec: `whsec_${randomBytes(32).toString('base64')}`,
  };
  let firstAnswered!: () => void;
  const first = new Promise<void>((resolve) => (firstAnswered = resolve));
  // The first attempt gets a 503 asking for a retry in 3 s; the rotation happens meanwhile.
  const sink = await startHttpsSink({
    respond: (_req, i) => {
      if (i === 0) {
        firstAnswered();
        return { status: 503, headers: { 'retry-after': '3' } };
      }
      return { status: 200 };
    },
  });
  t.cleanup(() => sink.close());
  const { store, admin, drop } = await pgStoreFor(
    {
      credentials: [{ name: 'crm-token', type: 'bearer', token: '${TOKEN}' }],
      destinations: [
        {
          name: 'crm',
          kind: 'webhook',
          events: ['pointsIssued'],
          url: `${sink.url}/v1/{{ event.name }}`,
          headers: [{ key: 'X-Api-Key', value: '${KEY}' }],
          auth: 'crm-token',
          signing: { secret: '${WHSEC}' },
          body: { c: '{{ event.customer.id }}' },
        },
      ],
    },
    { TOKEN: old.token, KEY: old.key, WHSEC: old.whsec },
  );
  const http = createHttpClient({ extraCa: sink.ca, allowPrivateNetworks: ['127.0.0.0/8', '::1'] });
  const worker = await startRelayWorker(t.server, { store, http, backoff: { initialMs: 100, maxMs: 400 } });
  t.cleanup(async () => {
    await worker.stop();
    await http.close();
    await drop();
  });

  const event = samplePointsIssued();
  const running = worker.run(event);
  await first;
  // Rotate all three, and change a setting too: the URL path (not a secret) stays pinned.
  await admin.transaction(async (w) => {
    const d = (await w.getDestination('crm'))!;
    await w.replaceDestination(
      'crm',
      {
        ...d,
        url: `${sink.url}/v2/{{ event.name }}`,
        headers: [{ key: 'X-Api-Key', value: rotated.key, secret: true }],
        signing: { secret: rotated.whsec },
      },
      { expected: d.version },
    );
    const c = (await w.getCredential('crm-token'))!;
    await w.replaceCredential('crm-token', { name: 'crm-token', type: 'bearer', token: rotated.token }, { expected: c.version });
  });
  const result = await running;

  assert.equal(result.status, 'delivered', JSON.stringify(result));
  assert.equal(result.destinations[0]?.destinationVersion, '1', 'the run keeps the version it planned with');
  assert.equal(sink.requests.length, 2);
  const [before, retry] = sink.requests;
  assert.ok(before && retry);
  assert.equal(before.headers['x-api-key'], old.key);
  assert.equal(before.headers.authorization, `Bearer ${old.token}`);
  assert.deepEqual(new Webhook(old.whsec).verify(before.body, before.headers), { c: '412345678' });

  assert.equal(retry.url, '/v1/pointsIssued', 'settings stay pinned to the planned version');
  assert.equal(retry.headers['x-api-key'], rotated.key);
  assert.equal(retry.headers.authorization, `Bearer ${rotated.token}`);
  assert.deepEqual(new Webhook(rotated.whsec).verify(retry.body, retry.headers), { c: '412345678' });
  assert.throws(() => new Webhook(old.whsec).verify(retry.body, retry.headers), 'the old signing secret no longer signs');
  assert.equal(retry.headers['webhook-id'], before.headers['webhook-id']);

  // The history (inputs, results, markers, failures) holds no secret, old or new: read raw, and
  // with every payload decoded by the relay's codec (so not merely sealed: absent).
  const raw = await t.server.env.client.workflowService.getWorkflowExecutionHistory({
    namespace: t.server.namespace,
    execution: { workflowId: workflowIdFor(event.source, event.id) },
  });
  const history = temporal.api.history.v1.History.toObject(temporal.api.history.v1.History.create(raw.history ?? {}), { bytes: Array });
  let payloads = payloadsIn(history);
  for (const codec of [...testPayloadCodecs()].reverse()) payloads = await codec.decode(payloads);
  const text = [JSON.stringify(history), ...payloads.map((p) => Buffer.from(p.data ?? []).toString('utf8'))].join('\n');
  assert.match(text, /activityTaskScheduledEventAttributes/, 'the retry ran as a scheduled activity');
  assert.match(text, /412345678/, 'decoded payloads are readable here');
  for (const secret of [old.key, old.token, old.whsec, rotated.key, rotated.token, rotated.whsec]) {
    assert.ok(!text.includes(secret), `history holds a secret (${secret.slice(0, 8)}…)`);
    const b64 = secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : undefined;
    if (b64) assert.ok(!text.includes(b64), 'history holds a signing secret');
  }
});

/** Every payload in a history's object form (search attributes apart: plaintext by design). */
function payloadsIn(message: unknown): Payload[] {
  const found: Payload[] = [];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) return v.forEach(walk);
    if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      if (o.metadata && typeof o.metadata === 'object' && 'encoding' in o.metadata) {
        found.push(temporal.api.common.v1.Payload.fromObject(o));
        return;
      }
      for (const [k, x] of Object.entries(o)) if (k !== 'searchAttributes') walk(x);
    }
  };
  walk(message);
  return found;
}
