/**
 * `npm test` runs every test file: the `test` script's patterns (one per folder depth, since
 * /bin/sh has no `**`) cover every `*.test.ts` under test/, and none of them matches nothing.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { matchesAny, testFilesUnder, testPathProblems, testPatterns } from '../../../scripts/lint/test-paths';

const ROOT = join(__dirname, '..', '..', '..');

describe('test paths', () => {
  it('a pattern matches one folder depth, as /bin/sh expands it', () => {
    assert.equal(matchesAny('test/unit/http/client.test.ts', ['test/unit/*/*.test.ts']), true);
    assert.equal(matchesAny('test/unit/http/inbound/errors.test.ts', ['test/unit/*/*.test.ts']), false);
    assert.equal(matchesAny('test/unit/client.test.ts', ['test/unit/*/*.test.ts']), false);
    assert.equal(matchesAny('test/unitx/a/b.test.ts', ['test/unit/*/*.test.ts']), false);
  });

  it('names the files left out and the patterns that match nothing', () => {
    const patterns = testPatterns('node --import tsx --test --test-concurrency=2 test/unit/*/*.test.ts test/e2e/*.test.ts');
    assert.deepEqual(patterns, ['test/unit/*/*.test.ts', 'test/e2e/*.test.ts']);
    assert.deepEqual(testPathProblems(['test/unit/a/x.test.ts', 'test/unit/a/b/y.test.ts'], patterns), {
      missed: ['test/unit/a/b/y.test.ts'],
      empty: ['test/e2e/*.test.ts'],
    });
  });

  it("package.json's test script runs every test file under test/", () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: { test: string } };
    const files = testFilesUnder(ROOT);
    assert.ok(files.includes('test/unit/scripts/test-paths.test.ts'), 'finds this very file');
    assert.deepEqual(testPathProblems(files, testPatterns(pkg.scripts.test)), { missed: [], empty: [] });
  });
});
