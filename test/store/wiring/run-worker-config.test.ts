/**
 * The worker reads only the `outbound` policy of RELAY_CONFIG: it must start without the
 * receiver's secrets (the environment variables the file's `${…}` references name), as
 * docker-compose runs it. The receiver (applyFile) still needs every one of them.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ConfigError } from '../../../src/config/load';
import { parseEnv } from '../../../src/wiring/env';
import { createLogger } from '../../../src/telemetry/logger';
import { openConfig } from '../../../src/wiring/run';
import { createTestDatabase } from '../../helpers/database';

const MISSING = 'RELAY_TEST_SECRET_NOBODY_SETS';

const FILE = `
sources:
  - id: capillary
    kind: capillary
    auth: { key: '\${${MISSING}}' }
outbound:
  allowPrivateNetworks: [127.0.0.0/8]
destinations:
  - name: sink
    kind: webhook
    events: [pointsIssued]
    url: http://127.0.0.1:9/hook
    allowInsecureHttp: true
    headers: [{ key: X-Token, value: '\${${MISSING}}' }]
`;

describe('RELAY_CONFIG without the secrets it references', () => {
  const dir = mkdtempSync(join(tmpdir(), 'relay-worker-config-'));
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  const logger = createLogger('silent');
  const envFor = (file: string) =>
    parseEnv({
      RELAY_CONFIG: file,
      DATABASE_URL: database.url,
      RELAY_MASTER_KEY: Buffer.alloc(32, 7).toString('base64'),
      RELAY_DATA_DIR: join(dir, 'data'),
    });

  before(async () => {
    assert.equal(process.env[MISSING], undefined);
    writeFileSync(join(dir, 'relay.yaml'), FILE);
    database = await createTestDatabase({ migrate: false });
  });
  after(async () => {
    await database?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('the worker (no applyFile) opens the store and takes the outbound policy', async () => {
    const config = await openConfig(envFor(join(dir, 'relay.yaml')), logger);
    try {
      assert.deepEqual(config.allowPrivateNetworks, ['127.0.0.0/8']);
    } finally {
      await config.close();
    }
  });

  it('the receiver (applyFile) refuses the file, naming the variable', async () => {
    await assert.rejects(openConfig(envFor(join(dir, 'relay.yaml')), logger, { applyFile: true }), (e: unknown) => {
      assert.ok(e instanceof ConfigError);
      assert.match(e.message, new RegExp(`${MISSING} is not set`));
      return true;
    });
  });

  it('the worker still refuses an invalid outbound policy', async () => {
    const bad = join(dir, 'bad-outbound.yaml');
    writeFileSync(bad, FILE.replace('[127.0.0.0/8]', '[not-an-address]'));
    await assert.rejects(openConfig(envFor(bad), logger), (e: unknown) => {
      assert.ok(e instanceof ConfigError);
      assert.match(e.message, /outbound\.allowPrivateNetworks\[0\]/);
      assert.doesNotMatch(e.message, new RegExp(MISSING));
      return true;
    });
  });

  it('the worker still refuses a file it cannot read', async () => {
    await assert.rejects(openConfig(envFor(join(dir, 'nowhere.yaml')), logger), ConfigError);
  });
});
