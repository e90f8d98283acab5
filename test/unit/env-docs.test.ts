/** README's "Environment variables" table lists every variable src/env.ts reads (docs are part of the product). */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { envSchema } from '../../src/env';

describe('README environment variables', () => {
  it('has a row naming each variable of the env schema', () => {
    const readme = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');
    const table = /### Environment variables\n([\s\S]*?)\n\n/.exec(readme)?.[1] ?? '';
    const rows = table.split('\n').filter((line) => line.startsWith('| `'));
    const named = new Set(rows.flatMap((row) => [...(row.split('|')[1] ?? '').matchAll(/`([A-Z0-9_]+)`/g)].map((m) => m[1])));
    const missing = Object.keys(envSchema.shape).filter((name) => !named.has(name));
    assert.deepEqual(missing, [], `not in README's table: ${missing.join(', ')}`);
  });
});
