/**
 * `relay apply` and the store's reads, on the machine's PostgreSQL and on the embedded engine:
 * idempotent (a second apply changes nothing), all-or-nothing, dry runs save nothing, secrets
 * re-encrypted on key rotation stay readable.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { Pool } from 'pg';
import { ConfigAdmin } from '../../../src/config/admin';
import { applyConfig, formatApplyReport } from '../../../src/config/apply';
import { ConfigError, parseConfig } from '../../../src/config/load';
import { PgConfigStore } from '../../../src/config/pg-store';
import { createSecretBox } from '../../../src/db/secrets';
import { reencryptSecrets } from '../../../src/db/rotate';
import { createEmbeddedTestDatabase, createTestDatabase } from '../../helpers/database';

const env = {
  CAP_KEY: 'capillary-source-key-9911',
  HOOK_TOKEN: 'hook-token-secret-5522',
  WHSEC: `whsec_${Buffer.alloc(32, 3).toString('base64')}`,
  CLIENT_SECRET: 'oauth-client-secret-6633',
};

function doc(change: { description?: string; events?: string[]; extraSource?: boolean } = {}) {
  return {
    sources: [
      { id: 'capillary', kind: 'capillary', auth: { header: 'X-API-KEY', key: '${CAP_KEY}' } },
      ...(change.extraSource ? [{ id: 'backend', kind: 'server', auth: { key: 'backend-key' } }] : []),
    ],
    credentials: [
      {
        name: 'crm-oauth',
        type: 'oauth2',
        tokenUrl: 'https://auth.example.com/token',
        clientId: 'relay',
        clientSecret: '${CLIENT_SECRET}',
      },
    ],
    destinations: [
      {
        name: 'crm',
        kind: 'webhook',
        description: change.description ?? 'the CRM',
        events: change.events ?? ['pointsIssued', 'tierUpgraded'],
        url: 'https://crm.example.com/hooks/{{ event.name }}',
        headers: [{ key: 'Authorization', value: 'Bearer ${HOOK_TOKEN}' }],
        auth: 'crm-oauth',
        signing: { secret: '${WHSEC}' },
      },
    ],
  };
}

const actions = (report: Awaited<ReturnType<typeof applyConfig>>) => report.changes.map((c) => `${c.action} ${c.type} ${c.name}`);

for (const engine of ['postgres', 'embedded'] as const) {
  describe(`relay apply on ${engine === 'postgres' ? 'the PostgreSQL server' : 'the embedded engine'}`, () => {
    let pool: Pool;
    let drop: () => Promise<void>;
    const oldKey = randomBytes(32);
    const box = createSecretBox({ current: oldKey });

    before(async () => {
      if (engine === 'postgres') {
        const db = await createTestDatabase();
        pool = db.pool;
        drop = () => db.drop();
      } else {
        const db = await createEmbeddedTestDatabase();
        pool = db.db.pool;
        drop = () => db.drop();
      }
    });
    after(async () => drop?.());

    it('creates everything once, and a second apply reports every entry unchanged', async () => {
      const admin = new ConfigAdmin(pool, box);
      const first = await applyConfig(admin, parseConfig(doc(), env), env);
      assert.deepEqual(actions(first), ['created source capillary', 'created credential crm-oauth', 'created destination crm']);
      const second = await applyConfig(admin, parseConfig(doc(), env), env);
      assert.deepEqual(actions(second), ['unchanged source capillary', 'unchanged credential crm-oauth', 'unchanged destination crm']);
      assert.match(formatApplyReport(second), /created 0, updated 0, unchanged 3$/);

      const store = new PgConfigStore(pool, box);
      const [plan] = await store.resolveSubscriptions({ source: 'capillary', name: 'tierUpgraded' });
      assert.equal(plan?.name, 'crm');
      assert.equal(plan?.version, '1');
      assert.deepEqual(await store.getDestinationSecrets('crm'), {
        'header:Authorization': `Bearer ${env.HOOK_TOKEN}`,
        signingSecret: env.WHSEC,
      });
      const credential = await store.getCredential('crm-oauth');
      assert.ok(credential?.type === 'oauth2');
      assert.equal(credential.clientSecret, env.CLIENT_SECRET);
      const source = await store.getSource('capillary');
      assert.deepEqual(source?.auth, { type: 'header', header: 'X-API-KEY', key: env.CAP_KEY });
    });

    it('updates what changed, and a changed secret in the environment counts as a change', async () => {
      const admin = new ConfigAdmin(pool, box);
      const rotatedEnv = { ...env, CAP_KEY: 'rotated-source-key-0001' };
      const report = await applyConfig(admin, parseConfig(doc({ description: 'the new CRM' }), rotatedEnv), rotatedEnv);
      assert.deepEqual(actions(report), ['updated source capillary', 'unchanged credential crm-oauth', 'updated destination crm']);
      const store = new PgConfigStore(pool, box);
      assert.equal((await store.getDestination('crm'))?.description, 'the new CRM');
      assert.equal((await store.getDestination('crm', '1'))?.description, 'the CRM');
      await applyConfig(admin, parseConfig(doc(), env), env);
    });

    it('with --dry-run reports the changes and saves none of them', async () => {
      const admin = new ConfigAdmin(pool, box);
      const report = await applyConfig(admin, parseConfig(doc({ description: 'dry', extraSource: true }), env), env, { dryRun: true });
      assert.ok(actions(report).includes('created source backend'));
      assert.ok(actions(report).includes('updated destination crm'));
      assert.match(formatApplyReport(report), /^dry run, nothing saved/m);
      const store = new PgConfigStore(pool, box);
      assert.equal(await store.getSource('backend'), undefined);
      assert.equal((await store.getDestination('crm'))?.description, 'the CRM');
    });

    it('is all or nothing: a destination whose event set changed fails the apply and nothing is saved', async () => {
      const admin = new ConfigAdmin(pool, box);
      await assert.rejects(
        applyConfig(admin, parseConfig(doc({ events: ['pointsIssued'], extraSource: true }), env), env),
        (e: unknown) => e instanceof ConfigError && /events of destination "crm" cannot change after creation/.test(e.message),
      );
      assert.equal(await new PgConfigStore(pool, box).getSource('backend'), undefined);
    });

    it('keeps every row readable through a key rotation', async () => {
      const newKey = randomBytes(32);
      const rotated = createSecretBox({ current: newKey, previous: [oldKey] });
      assert.throws(() => createSecretBox({ current: newKey }).open(box.seal('x', 'a'), 'a'), /key/i);
      // Old rows open with the new key as current and the old one as previous…
      assert.equal((await new PgConfigStore(pool, rotated).getCredential('crm-oauth'))?.name, 'crm-oauth');
      const counts = await reencryptSecrets(pool, rotated);
      assert.ok(counts.reduce((n, c) => n + c.rows, 0) >= 3, JSON.stringify(counts));
      // …and after re-encryption with the new key alone.
      const onlyNew = createSecretBox({ current: newKey });
      const store = new PgConfigStore(pool, onlyNew);
      assert.deepEqual(await store.getDestinationSecrets('crm'), {
        'header:Authorization': `Bearer ${env.HOOK_TOKEN}`,
        signingSecret: env.WHSEC,
      });
      assert.equal((await store.getSource('capillary'))?.auth.type, 'header');
      assert.deepEqual(
        (await reencryptSecrets(pool, rotated)).map((c) => c.rows),
        counts.map(() => 0),
      );
    });
  });
}
