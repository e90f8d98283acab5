/**
 * Whether `npm test` runs every test file. npm runs the `test` script with /bin/sh, which has
 * no `**`, and Node 20's `--test` expands no globs itself: each folder depth is a pattern of its
 * own, and a test file one level deeper than any pattern would silently never run. A pattern
 * that matches nothing is as bad the other way: the shell passes it on literally and
 * `node --test` fails on a file that does not exist.
 */
import { readdirSync } from 'node:fs';
import { join, sep } from 'node:path';

/** The file patterns of a `node … --test … <patterns>` command (its arguments holding a `/`). */
export function testPatterns(script: string): string[] {
  return script.split(/\s+/).filter((arg) => arg.includes('/') && !arg.startsWith('-'));
}

/** A shell glob as a regular expression: `*` and `?` stop at `/`, like /bin/sh's. */
function globRegExp(pattern: string): RegExp {
  const source = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '[^/]*')
    .replace(/\?/g, '[^/]');
  return new RegExp(`^${source}$`);
}

export function matchesAny(file: string, patterns: string[]): boolean {
  return patterns.some((p) => globRegExp(p).test(file));
}

/** Every `*.test.ts` under `dir`, as a path relative to `root` with `/` separators. */
export function testFilesUnder(root: string, dir = 'test'): string[] {
  return readdirSync(join(root, dir), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.test.ts') && !f.split(sep).includes('node_modules'))
    .map((f) => join(dir, f).split(sep).join('/'))
    .sort();
}

export interface TestPathProblems {
  /** Test files no pattern matches: `npm test` would never run them. */
  missed: string[];
  /** Patterns matching no test file: the shell would pass them on as they are. */
  empty: string[];
}

export function testPathProblems(files: string[], patterns: string[]): TestPathProblems {
  return {
    missed: files.filter((f) => !matchesAny(f, patterns)),
    empty: patterns.filter((p) => !files.some((f) => matchesAny(f, [p]))),
  };
}
