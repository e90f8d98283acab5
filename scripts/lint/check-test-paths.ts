/**
 * `npm run lint` (and so CI) fails when the `test` script in package.json would leave a test
 * file out, or names a pattern that matches none (see test-paths.ts).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { testFilesUnder, testPathProblems, testPatterns } from './test-paths';

const ROOT = join(__dirname, '..', '..');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
const patterns = testPatterns(pkg.scripts.test ?? '');
const files = testFilesUnder(ROOT);
const { missed, empty } = testPathProblems(files, patterns);
for (const file of missed) process.stderr.write(`not run by npm test (no pattern in package.json's "test" matches it): ${file}\n`);
for (const pattern of empty) process.stderr.write(`a pattern in package.json's "test" matches no test file: ${pattern}\n`);
if (missed.length > 0 || empty.length > 0) process.exit(1);
process.stdout.write(`npm test runs all ${files.length} test files (${patterns.length} patterns)\n`);
