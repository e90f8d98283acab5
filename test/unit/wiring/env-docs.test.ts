/**
 * README's "Environment variables" table lists every variable src/wiring/env.ts reads (docs are part
 * of the product), and is exactly what `npm run docs:env` generates from the schema.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { README, readmeWithEnvTable, TABLE_END, TABLE_START } from '../../../scripts/env-table';
import { envSchema } from '../../../src/wiring/env';

describe('README environment variables', () => {
  const readme = readFileSync(README, 'utf8');

  it('has a row naming each variable of the env schema', () => {
    const table = readme.slice(readme.indexOf(TABLE_START), readme.indexOf(TABLE_END));
    const rows = table.split('\n').filter((line) => line.startsWith('| `'));
    const named = new Set(rows.flatMap((row) => [...(row.split('|')[1] ?? '').matchAll(/`([A-Z0-9_]+)`/g)].map((m) => m[1])));
    const missing = Object.keys(envSchema.shape).filter((name) => !named.has(name));
    assert.deepEqual(missing, [], `not in README's table: ${missing.join(', ')}`);
  });

  it('is the table generated from the schema (defaults and .describe() texts): run `npm run docs:env` after changing src/wiring/env.ts', async () => {
    assert.equal(readme, await readmeWithEnvTable(readme));
  });

  it('shows a default from the schema and each text as written', async () => {
    // The generator itself: a changed describe or default must change the README it wants.
    const wanted = await readmeWithEnvTable(readme);
    const row = wanted.split('\n').find((line) => line.startsWith('| `RELAY_MAX_HOPS`'));
    assert.match(row ?? '', /^\| `RELAY_MAX_HOPS` +\| `3` +\| Requests whose `x-loyalty-relay-hops` header/);
    assert.match(wanted.split('\n').find((line) => line.startsWith('| `DATABASE_URL`')) ?? '', /^\| `DATABASE_URL` +\| — +\| PostgreSQL/);
  });
});
