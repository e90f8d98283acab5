import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { pruneOldBundles } from '../../../src/temporal/workflow-bundle';

describe('workflow bundle cache', () => {
  it('keeps the newest bundles and nothing else is touched', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bundles-'));
    try {
      const now = Date.now() / 1000;
      for (let i = 0; i < 5; i++) {
        const file = join(dir, `workflow-bundle-${'abc'.repeat(i + 1)}0.js`);
        writeFileSync(file, `// bundle ${i}`);
        utimesSync(file, now - 100 + i, now - 100 + i); // i = 4 is the newest
      }
      writeFileSync(join(dir, 'notes.txt'), 'not a bundle');
      writeFileSync(join(dir, 'workflow-bundle-abc0.js.123.tmp'), 'in progress');
      pruneOldBundles(dir, 3);
      assert.deepEqual(readdirSync(dir).sort(), [
        'notes.txt',
        'workflow-bundle-abc0.js.123.tmp',
        'workflow-bundle-abcabcabc0.js',
        'workflow-bundle-abcabcabcabc0.js',
        'workflow-bundle-abcabcabcabcabc0.js',
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
