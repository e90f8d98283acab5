/**
 * Pause / resume and PATCH of the management API, over HTTP on a throwaway database of the
 * machine's PostgreSQL. Waking held runs on resume is covered against a real dev server in
 * test/workflow/pause-api.test.ts.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { ConfigAdmin } from '../../../src/config/admin';
import { applyConfig, formatApplyReport } from '../../../src/config/apply';
import { parseConfig } from '../../../src/config/load';
import { PgConfigStore } from '../../../src/config/pg-store';
import { createSecretBox } from '../../../src/db/secrets';
import { createTestDatabase } from '../../helpers/database';
import { callManagement, type ManagementAnswer } from '../../helpers/management-client';
import { fakeStarter, startReceiver, type TestReceiver } from '../../helpers/receiver';

const ADMIN_TOKEN = 'test-admin-token-0123456789abcdef';

let db: Awaited<ReturnType<typeof createTestDatabase>>;
let receiver: TestReceiver;
let store: PgConfigStore;
let admin: ConfigAdmin;
/** Names the receiver was asked to wake (a stand-in for Temporal here; the dev server test does it for real). */
const woken: string[] = [];

type Answer = ManagementAnswer;

function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  return callManagement(receiver.url, ADMIN_TOKEN, method, path, body, headers);
}

async function createHook(overrides: Record<string, unknown> = {}): Promise<Answer> {
  const created = await call('POST', '/destinations', {
    name: `hook-${randomBytes(4).toString('hex')}`,
    kind: 'webhook',
    events: ['pointsIssued'],
    url: 'https://hooks.example.com/loyalty',
    ...overrides,
  });
  assert.equal(created.status, 201, created.text);
  return created;
}

before(async () => {
  db = await createTestDatabase();
  const box = createSecretBox({ current: randomBytes(32) });
  store = new PgConfigStore(db.pool, box);
  admin = new ConfigAdmin(db.pool, box);
  receiver = await startReceiver([], fakeStarter(), {
    store,
    management: {
      admin,
      adminToken: ADMIN_TOKEN,
      wakeHeldRuns: (name) => {
        woken.push(name);
        return Promise.resolve(0);
      },
    },
  });
});

after(async () => {
  await receiver?.close();
  await db?.drop();
});

describe('management API: pause and resume', () => {
  it('pauses with a reason, shows it on the destination, and holds new plans', async () => {
    const { body: d } = await createHook();
    const name = String(d.name);
    assert.equal(d.paused, false);
    const paused = await call('POST', `/destinations/${name}/pause`, { reason: 'CRM maintenance until 14:00' });
    assert.equal(paused.status, 200, paused.text);
    assert.equal(paused.body.paused, true);
    assert.equal(paused.body.pausedReason, 'CRM maintenance until 14:00');
    assert.ok(typeof paused.body.pausedAt === 'string');
    const read = await call('GET', `/destinations/${name}`);
    assert.equal(read.body.paused, true);
    assert.equal(read.body.pausedReason, 'CRM maintenance until 14:00');
    assert.equal(read.body.pausedBy, 'operator');
    // State, not definition: no new version.
    assert.equal(read.body.version, d.version);
    assert.equal(await store.destinationState(name), 'paused');
    const [plan] = await store.resolveSubscriptions({ source: 'any', name: 'pointsIssued' }).then((p) => p.filter((x) => x.name === name));
    assert.equal(plan?.paused, true);
  });

  it('pausing a paused destination answers 200 and changes nothing (reason and time stay)', async () => {
    const { body: d } = await createHook();
    const first = await call('POST', `/destinations/${String(d.name)}/pause`, { reason: 'first' });
    const again = await call('POST', `/destinations/${String(d.name)}/pause`, { reason: 'second' });
    assert.equal(again.status, 200, again.text);
    assert.deepEqual(again.body, first.body);
  });

  it('pause without a body; resume clears the reason and wakes the held runs', async () => {
    const { body: d } = await createHook();
    const name = String(d.name);
    const paused = await call('POST', `/destinations/${name}/pause`);
    assert.equal(paused.status, 200, paused.text);
    assert.equal(paused.body.pausedReason, null);
    const resumed = await call('POST', `/destinations/${name}/resume`);
    assert.equal(resumed.status, 200, resumed.text);
    assert.deepEqual(resumed.body, { name, paused: false, pausedReason: null, pausedAt: null, pausedBy: null, woken: 0 });
    assert.ok(woken.includes(name));
    assert.equal(await store.destinationState(name), 'active');
    // Resuming an active destination: 200, still active (and the wake is harmless).
    const again = await call('POST', `/destinations/${name}/resume`);
    assert.equal(again.status, 200);
    assert.equal(again.body.paused, false);
  });

  it('an unknown destination: 404 not_found for pause and resume, nothing woken', async () => {
    const before = woken.length;
    for (const action of ['pause', 'resume']) {
      const res = await call('POST', `/destinations/no-such-hook/${action}`);
      assert.equal(res.status, 404, res.text);
      assert.equal(res.body.code, 'not_found');
      assert.match(res.text, /no-such-hook/);
    }
    assert.equal(woken.length, before);
  });

  it('refuses a bad pause body with a precise code, never 500', async () => {
    const { body: d } = await createHook();
    const path = `/destinations/${String(d.name)}/pause`;
    const cases: [unknown, string][] = [
      [{ reason: 7 }, 'reason'],
      [{ reason: 'x'.repeat(501) }, 'reason'],
      [{ why: 'typo' }, 'why'],
      [{ reason: 'a\u0000b' }, 'reason'],
      [[], ''],
    ];
    for (const [body, field] of cases) {
      const res = await call('POST', path, body);
      assert.equal(res.status, 422, res.text);
      assert.equal(res.body.code, 'validation_failed');
      assert.ok(
        res.body.issues?.some((i) => i.path === field),
        res.text,
      );
    }
    assert.equal((await call('POST', path, '{"reason": ')).body.code, 'malformed_json');
    const form = await call('POST', path, 'reason=x', { 'content-type': 'application/x-www-form-urlencoded' });
    assert.equal(form.status, 415);
    assert.equal((await call('GET', `/destinations/${String(d.name)}`)).body.paused, false, 'a refused pause changes nothing');
  });

  it('resume with Temporal unreachable: 503 held_runs_not_woken, the store resumed, and a second resume wakes them', async () => {
    let reachable = false;
    const other = await startReceiver([], fakeStarter(), {
      store,
      management: {
        admin,
        adminToken: ADMIN_TOKEN,
        wakeHeldRuns: () => (reachable ? Promise.resolve(2) : Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:7233'))),
      },
    });
    try {
      const { body: d } = await createHook();
      const path = `${other.url}/v1/destinations/${String(d.name)}`;
      const post = (action: string) => fetch(`${path}/${action}`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
      assert.equal((await post('pause')).status, 200);
      const failed = await post('resume');
      assert.equal(failed.status, 503);
      assert.equal(failed.headers.get('retry-after'), '5');
      const body = (await failed.json()) as { code: string; message: string };
      assert.equal(body.code, 'held_runs_not_woken');
      assert.match(body.message, /send resume again/);
      assert.doesNotMatch(body.message, /ECONNREFUSED/, 'internals stay in the log');
      assert.equal(await store.destinationState(String(d.name)), 'active');
      reachable = true;
      const again = await post('resume');
      assert.equal(again.status, 200);
      assert.equal(((await again.json()) as { woken: number }).woken, 2);
    } finally {
      await other.close();
    }
  });

  it('needs the admin token', async () => {
    const { body: d } = await createHook();
    const res = await fetch(`${receiver.url}/v1/destinations/${String(d.name)}/pause`, { method: 'POST' });
    assert.equal(res.status, 401);
  });

  it('PUT may send the pause state back as read, but not change it (422 naming /pause)', async () => {
    const { body: d } = await createHook();
    const name = String(d.name);
    await call('POST', `/destinations/${name}/pause`, { reason: 'hold' });
    const read = await call('GET', `/destinations/${name}`);
    const echoed = await call(
      'PUT',
      `/destinations/${name}`,
      { ...read.body, description: 'changed' },
      { 'if-match': read.headers.get('etag')! },
    );
    assert.equal(echoed.status, 200, echoed.text);
    assert.equal(echoed.body.paused, true, 'an update keeps the pause');
    assert.equal(echoed.body.pausedReason, 'hold');
    const flip = await call('PUT', `/destinations/${name}`, { ...echoed.body, paused: false }, { 'if-match': echoed.headers.get('etag')! });
    assert.equal(flip.status, 422, flip.text);
    assert.ok(
      flip.body.issues?.some((i) => i.path === 'paused' && /\/resume/.test(i.message)),
      flip.text,
    );
    assert.equal(await store.destinationState(name), 'paused');
  });

  it('a destination created with paused: true starts paused, with its reason', async () => {
    const { body: d } = await createHook({ paused: true, pausedReason: 'not live yet' });
    assert.equal(d.paused, true);
    assert.equal(d.pausedReason, 'not live yet');
    assert.equal(await store.destinationState(String(d.name)), 'paused');
    const stray = await call('POST', '/destinations', {
      name: 'reason-without-pause',
      kind: 'webhook',
      events: ['pointsIssued'],
      url: 'https://hooks.example.com/x',
      pausedReason: 'why?',
    });
    assert.equal(stray.status, 422, stray.text);
    assert.ok(
      stray.body.issues?.some((i) => i.path === 'pausedReason'),
      stray.text,
    );
  });
});

const MERGE = { 'content-type': 'application/merge-patch+json' };
const HEADER_SECRET = 'Bearer header-secret-value-7781';
const SIGNING_SECRET = `whsec_${randomBytes(32).toString('base64')}`;
const CLIENT_SECRET = 'oauth-client-secret-4409';

describe('paused: in the file applied to the store (initial state only)', () => {
  const file = (name: string, extra: Record<string, unknown>) =>
    parseConfig({ destinations: [{ name, kind: 'webhook', events: ['pointsIssued'], url: 'https://crm.example.com/h', ...extra }] }, {});

  it("creates the destination paused; later applies leave the operator's state alone either way", async () => {
    const created = await applyConfig(admin, file('from-file', { paused: true, pausedReason: 'not live yet' }), {});
    assert.deepEqual(
      created.changes.map((c) => c.action),
      ['created'],
    );
    const read = await call('GET', '/destinations/from-file');
    assert.equal(read.body.paused, true);
    assert.equal(read.body.pausedReason, 'not live yet');

    // The file no longer says paused: an apply does not resume what is paused.
    const without = await applyConfig(admin, file('from-file', {}), {});
    assert.deepEqual(
      without.changes.map((c) => c.action),
      ['unchanged'],
    );
    assert.equal(await store.destinationState('from-file'), 'paused');

    // The operator resumes; the file still says paused: the next apply does not pause it again.
    assert.equal((await call('POST', '/destinations/from-file/resume')).status, 200);
    const again = await applyConfig(admin, file('from-file', { paused: true }), {});
    assert.deepEqual(
      again.changes.map((c) => c.action),
      ['unchanged'],
    );
    assert.match(formatApplyReport(again), /unchanged +destination from-file \(the file says paused; it is active .*relay pause from-file/);
    assert.equal(await store.destinationState('from-file'), 'active');
  });
});

describe('management API: PATCH (JSON Merge Patch)', () => {
  it('changes the named members, removes null ones, keeps the rest and every stored secret', async () => {
    const { body: d, headers } = await createHook({
      description: 'to be removed',
      timeoutSeconds: 5,
      headers: [{ key: 'Authorization', value: HEADER_SECRET, secret: true }],
      signing: { secret: SIGNING_SECRET },
    });
    const name = String(d.name);
    const patched = await call(
      'PATCH',
      `/destinations/${name}`,
      { timeoutSeconds: 20, description: null, enrichment: { pointsBalance: true } },
      { ...MERGE, 'if-match': headers.get('etag')! },
    );
    assert.equal(patched.status, 200, patched.text);
    assert.equal(patched.body.version, Number(d.version) + 1);
    assert.equal(patched.headers.get('etag'), `"${Number(d.version) + 1}"`);
    assert.equal(patched.body.timeoutSeconds, 20);
    assert.equal('description' in patched.body, false, 'null removes the member');
    assert.equal((patched.body.enrichment as Record<string, unknown>).pointsBalance, true);
    assert.equal((patched.body.enrichment as Record<string, unknown>).store, false, 'nested objects merge');
    assert.equal(patched.body.url, d.url);
    for (const secret of [HEADER_SECRET, SIGNING_SECRET]) assert.ok(!patched.text.includes(secret), 'a secret in the answer');
    assert.deepEqual(await store.getDestinationSecrets(name), { 'header:Authorization': HEADER_SECRET, signingSecret: SIGNING_SECRET });
  });

  it('replaces arrays whole, and a new secret value replaces the stored one', async () => {
    const { body: d, headers } = await createHook({ headers: [{ key: 'Authorization', value: HEADER_SECRET, secret: true }] });
    const name = String(d.name);
    const patched = await call(
      'PATCH',
      `/destinations/${name}`,
      {
        headers: [
          { key: 'X-Tenant', value: 'acme' },
          { key: 'Authorization', value: 'Bearer rotated-0001', secret: true },
        ],
      },
      { ...MERGE, 'if-match': headers.get('etag')! },
    );
    assert.equal(patched.status, 200, patched.text);
    assert.deepEqual(patched.body.headers, [
      { key: 'X-Tenant', value: 'acme', secret: false },
      { key: 'Authorization', value: '****0001', secret: true },
    ]);
    assert.deepEqual(await store.getDestinationSecrets(name), { 'header:Authorization': 'Bearer rotated-0001' });
  });

  it('a patch that changes nothing keeps the version', async () => {
    const { body: d, headers } = await createHook({ timeoutSeconds: 7 });
    const same = await call(
      'PATCH',
      `/destinations/${String(d.name)}`,
      { timeoutSeconds: 7 },
      { ...MERGE, 'if-match': headers.get('etag')! },
    );
    assert.equal(same.status, 200, same.text);
    assert.equal(same.body.version, d.version);
  });

  it('refuses: 415 for another content type, 428 without If-Match, 412 for a stale one, 404 unknown, 422 invalid result', async () => {
    const { body: d, headers } = await createHook();
    const path = `/destinations/${String(d.name)}`;
    const etag = headers.get('etag')!;
    const json = await call('PATCH', path, { timeoutSeconds: 9 }, { 'if-match': etag });
    assert.equal(json.status, 415, json.text);
    assert.equal(json.body.code, 'unsupported_media_type');
    assert.equal(json.headers.get('accept-patch'), 'application/merge-patch+json');
    const none = await call('PATCH', path, { timeoutSeconds: 9 }, MERGE);
    assert.equal(none.status, 428);
    assert.equal(none.body.code, 'precondition_required');
    const stale = await call('PATCH', path, { timeoutSeconds: 9 }, { ...MERGE, 'if-match': '"999"' });
    assert.equal(stale.status, 412);
    assert.equal(stale.body.code, 'version_conflict');
    const missing = await call('PATCH', '/destinations/no-such-hook', { timeoutSeconds: 9 }, { ...MERGE, 'if-match': '*' });
    assert.equal(missing.status, 404);
    assert.equal(missing.body.code, 'not_found');
    const invalid = await call('PATCH', path, { timeoutSeconds: -1, url: null }, { ...MERGE, 'if-match': etag });
    assert.equal(invalid.status, 422, invalid.text);
    assert.equal(invalid.body.code, 'validation_failed');
    assert.ok(
      invalid.body.issues?.some((i) => i.path === 'timeoutSeconds'),
      invalid.text,
    );
    const fixed = await call('PATCH', path, { events: ['tierUpgraded'] }, { ...MERGE, 'if-match': etag });
    assert.equal(fixed.status, 409, fixed.text);
    assert.equal(fixed.body.code, 'immutable_field');
    const rename = await call('PATCH', path, { name: 'other' }, { ...MERGE, 'if-match': etag });
    assert.equal(rename.status, 422, rename.text);
    const whole = await call('PATCH', path, '[1]', { ...MERGE, 'if-match': etag });
    assert.equal(whole.status, 422, whole.text);
    const broken = await call('PATCH', path, '{"timeoutSeconds": ', { ...MERGE, 'if-match': etag });
    assert.equal(broken.body.code, 'malformed_json');
    const unpaused = await call('PATCH', path, { paused: true }, { ...MERGE, 'if-match': etag });
    assert.equal(unpaused.status, 422, 'pausing goes through /pause');
    assert.equal((await call('GET', path)).body.version, d.version, 'nothing refused changed anything');
  });

  it('patches a credential set: the secret stays unless given', async () => {
    const created = await call('POST', '/credentials', {
      name: `oauth-${randomBytes(3).toString('hex')}`,
      type: 'oauth2',
      tokenUrl: 'https://auth.example.com/token',
      clientId: 'relay',
      clientSecret: CLIENT_SECRET,
    });
    assert.equal(created.status, 201, created.text);
    const path = `/credentials/${String(created.body.name)}`;
    const patched = await call('PATCH', path, { scope: 'events:write' }, { ...MERGE, 'if-match': created.headers.get('etag')! });
    assert.equal(patched.status, 200, patched.text);
    assert.equal(patched.body.scope, 'events:write');
    assert.equal(patched.body.clientSecret, '****4409');
    assert.equal((await store.getCredential(String(created.body.name)))?.type, 'oauth2');
    const credential = await store.getCredential(String(created.body.name));
    assert.equal(credential?.type === 'oauth2' && credential.clientSecret, CLIENT_SECRET);
    const bad = await call('PATCH', path, { type: 'bearer' }, { ...MERGE, 'if-match': patched.headers.get('etag')! });
    assert.equal(bad.status, 422, bad.text);
  });

  it('patches a source: the key stays unless given, null removes an optional member', async () => {
    const created = await call('POST', '/sources', {
      id: `cap-${randomBytes(3).toString('hex')}`,
      kind: 'capillary',
      description: 'to be removed',
      auth: { header: 'X-API-KEY', key: 'source-key-123456' },
    });
    assert.equal(created.status, 201, created.text);
    const id = String(created.body.id);
    const patched = await call('PATCH', `/sources/${id}`, { description: null }, { ...MERGE, 'if-match': created.headers.get('etag')! });
    assert.equal(patched.status, 200, patched.text);
    assert.equal('description' in patched.body, false);
    assert.ok(!patched.text.includes('source-key-123456'));
    const source = await store.getSource(id);
    assert.equal((source?.auth as { key?: string } | undefined)?.key, 'source-key-123456');
  });
});

describe('metrics: management answers are not refused events', () => {
  const sample = async (pattern: RegExp) => Number(pattern.exec(await receiver.metrics.registry.metrics())?.[1] ?? 0);

  it('a management 404, a path no route serves and a management 422 never count in relay_events_rejected_total', async () => {
    const notFoundBefore = await sample(
      /relay_management_requests_total\{method="GET",resource="destinations",status="404",code="not_found"\} (\d+)/,
    );
    assert.equal((await call('GET', '/destinations/no-such-hook')).status, 404);
    assert.equal((await call('POST', '/destinations/no-such-hook/pause')).status, 404);
    assert.equal((await call('GET', '/destinations/no-such-hook/history')).status, 404);
    assert.equal((await call('PATCH', '/destinations/x', {}, { 'if-match': '*' })).status, 415);
    const text = await receiver.metrics.registry.metrics();
    assert.doesNotMatch(text, /relay_events_rejected_total\{/, 'no ingestion request was made, so nothing was refused');
    assert.equal(
      await sample(/relay_management_requests_total\{method="GET",resource="destinations",status="404",code="not_found"\} (\d+)/),
      notFoundBefore + 1,
    );
    assert.match(text, /relay_management_requests_total\{method="POST",resource="destinations",status="404",code="not_found"\} [1-9]/);
    assert.match(
      text,
      /relay_management_requests_total\{method="PATCH",resource="destinations",status="415",code="unsupported_media_type"\} [1-9]/,
    );
    assert.match(text, /relay_http_other_errors_total\{method="GET",code="not_found"\} 1/);
  });

  it('an ingestion refusal still counts there', async () => {
    const res = await fetch(`${receiver.url}/v1/sources/no-such-source/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    assert.equal(res.status, 404);
    assert.match(await receiver.metrics.registry.metrics(), /relay_events_rejected_total\{source="none",code="unknown_source"\} 1/);
  });
});
