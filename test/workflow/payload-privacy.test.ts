/**
 * No PII in Temporal: an event carrying a customer's email and mobile number runs through
 * relayEvent (enrichment lookup, one destination delivered, one refusing with an answer that
 * echoes the event) on a real dev server; its history and description, read raw from Temporal
 * (no codec), hold the email and mobile in no form — plain, base64 at any alignment, hex or
 * URL-encoded. The same history decoded with the relay's codec does hold them: the data is
 * there, sealed.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Payload } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { workflowIdFor } from '../../src/model/canonical-event';
import { createHttpClient } from '../../src/http/client';
import { createLoyaltyApi } from '../../src/enrichment/loyalty-api';
import { createCredentialProvider } from '../../src/destinations/credentials';
import { pgStoreFor } from '../helpers/config-store';
import { startHttpsSink } from '../helpers/https-sink';
import { startLoyaltyApi } from '../helpers/loyalty-api';
import { startRelayWorker, testPayloadCodecs } from '../helpers/temporal';
import { samplePointsIssued, useTestTemporal } from '../helpers/workflow-suite';

const t = useTestTemporal();
const EMAIL = 'asha.rao@example.com';
const MOBILE = '919999000001';

/** Every form a value takes once written: plain, hex, URL-encoded, and base64 at each of the three byte alignments. */
function formsOf(value: string): string[] {
  const forms = new Set([value, Buffer.from(value).toString('hex'), encodeURIComponent(value)]);
  for (let pad = 0; pad < 3; pad++) {
    const b64 = Buffer.from(`${'x'.repeat(pad)}${value}`).toString('base64');
    // Drop the characters that mix in the padding's bits or the next byte's.
    const start = Math.ceil((pad * 4) / 3) + 1;
    forms.add(b64.slice(start, b64.length - 4));
    forms.add(
      b64
        .slice(start, b64.length - 4)
        .replace(/\+/g, '-')
        .replace(/\//g, '_'),
    );
  }
  return [...forms].filter((f) => f.length >= 8);
}

function assertAbsent(where: string, haystacks: string[], value: string): void {
  for (const form of formsOf(value)) {
    for (const h of haystacks) assert.ok(!h.includes(form), `${where} holds ${value} as "${form}"`);
  }
}

/** Every payload in a proto message, wherever it sits (walks the object form), with its path; search attributes apart (plaintext by design). */
function payloadsIn(message: unknown): { path: string; payload: Payload }[] {
  const found: { path: string; payload: Payload }[] = [];
  const walk = (v: unknown, path: string) => {
    if (Array.isArray(v)) return v.forEach((x, i) => walk(x, `${path}[${i}]`));
    if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      if (o.metadata && typeof o.metadata === 'object' && 'encoding' in o.metadata) {
        found.push({ path, payload: temporal.api.common.v1.Payload.fromObject(o) });
        return;
      }
      for (const [k, x] of Object.entries(o)) if (k !== 'searchAttributes') walk(x, `${path}.${k}`);
    }
  };
  walk(message, '');
  return found;
}

describe('payload privacy', () => {
  test('a run’s raw history and description hold no email or mobile in any form', async () => {
    const sink = await startHttpsSink({
      // `crm` takes it; `wallet` refuses, echoing the whole request body (email and mobile) in its answer.
      respond: (req) =>
        req.url.startsWith('/wallet') ? { status: 400, body: `{"error":"unknown card","you_sent":${req.body}}` } : { status: 200 },
    });
    t.cleanup(() => sink.close());
    const loyalty = await startLoyaltyApi({ [MOBILE]: { totalPoints: 4500 } });
    t.cleanup(() => loyalty.close());
    const body = { email: '{{ event.customer.identifiers.email }}', mobile: '{{ event.customer.identifiers.mobile }}' };
    const { store, drop } = await pgStoreFor({
      destinations: [
        { name: 'crm', kind: 'webhook', events: ['pointsIssued'], url: `${sink.url}/crm`, body, enrichment: { pointsBalance: true } },
        { name: 'wallet', kind: 'webhook', events: ['pointsIssued'], url: `${sink.url}/wallet`, body, parkingPeriodSeconds: 1 },
      ],
    });
    const http = createHttpClient({ extraCa: sink.ca, allowPrivateNetworks: ['127.0.0.0/8', '::1'] });
    const worker = await startRelayWorker(t.server, {
      store,
      http,
      credentials: createCredentialProvider(store, http),
      loyaltyApi: createLoyaltyApi(http, { baseUrl: loyalty.url }),
      backoff: { initialMs: 100, maxMs: 400 },
    });
    t.cleanup(async () => {
      await worker.stop();
      await http.close();
      await drop();
    });

    const event = samplePointsIssued({
      customer: { id: '412345678', identifiers: { mobile: MOBILE, email: EMAIL } },
      properties: { loyaltyProgramId: 973, totalPointsIssued: 250, contact: { email: EMAIL, mobile: MOBILE } },
    });
    const outcome = await worker.run(event);
    assert.equal(outcome.status, 'partially_delivered', JSON.stringify(outcome));
    // The destinations did get the PII: the relay delivers it, it just does not keep it in Temporal.
    assert.ok(sink.requests.some((r) => r.body.includes(EMAIL) && r.url === '/crm'));
    assert.ok(
      loyalty.requests.some((r) => JSON.stringify(r.query).includes(MOBILE)),
      'the enrichment lookup asked for the mobile',
    );

    const { workflowService } = t.server.env.client;
    const namespace = t.server.namespace;
    const workflowId = workflowIdFor(event.source, event.id);
    const raw = await workflowService.getWorkflowExecutionHistory({ namespace, execution: { workflowId } });
    const history = temporal.api.history.v1.History.create(raw.history ?? {});
    assert.ok((history.events?.length ?? 0) > 10, 'a whole run');
    const described = await workflowService.describeWorkflowExecution({ namespace, execution: { workflowId } });

    const haystacks = [
      Buffer.from(temporal.api.history.v1.History.encode(history).finish()).toString('latin1'),
      JSON.stringify(temporal.api.history.v1.History.toObject(history, { bytes: String })),
      Buffer.from(temporal.api.workflowservice.v1.DescribeWorkflowExecutionResponse.encode(described).finish()).toString('latin1'),
      JSON.stringify(temporal.api.workflowservice.v1.DescribeWorkflowExecutionResponse.toObject(described, { bytes: String })),
    ];
    assertAbsent('the raw history', haystacks, EMAIL);
    assertAbsent('the raw history', haystacks, MOBILE);
    // The refusal's failure (message, details with the echoing snippet) is in there, sealed.
    assert.ok(history.events?.some((e) => e.activityTaskFailedEventAttributes || e.markerRecordedEventAttributes?.failure));

    // Decoded with the relay's codec, the same payloads hold them: sealed, not absent.
    const payloads = payloadsIn(temporal.api.history.v1.History.toObject(history, { bytes: Array }));
    assert.ok(payloads.length > 5);
    // Local activity markers' `data` is Core's own bookkeeping (sequence, attempt, activity id and type, times), not a relay payload.
    const unsealed = payloads.filter(
      (p) =>
        Buffer.from(p.payload.metadata?.encoding ?? []).toString() !== 'binary/encrypted' &&
        !/\.details\.data\.payloads\[0\]$/.test(p.path),
    );
    const markers = payloads.filter((p) => /markerRecordedEventAttributes\.details\.data\./.test(p.path));
    for (const m of markers) {
      const keys = Object.keys(JSON.parse(Buffer.from(m.payload.data ?? []).toString('utf8')) as object).sort();
      const bookkeeping = ['activity_id', 'activity_type', 'attempt', 'backoff', 'complete_time', 'original_schedule_time', 'seq'];
      assert.deepEqual(
        keys.filter((k) => !bookkeeping.includes(k)),
        [],
        `marker data holds bookkeeping only: ${keys.join(', ')}`,
      );
    }
    assert.deepEqual(
      unsealed.map((p) => `${p.path} ${Buffer.from(p.payload.metadata?.encoding ?? []).toString()}`),
      [],
      'every payload is sealed',
    );
    let decoded = payloads.map((p) => p.payload);
    for (const codec of [...testPayloadCodecs()].reverse()) decoded = await codec.decode(decoded);
    const plain = decoded.map((p) => Buffer.from(p.data ?? []).toString('utf8')).join('\n');
    assert.ok(plain.includes(EMAIL) && plain.includes(MOBILE), 'the decoded history holds the event');
  });
});
