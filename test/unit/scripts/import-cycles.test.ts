/** The import-cycle check `npm run lint` runs (scripts/lint/check-cycles.ts), on tiny fixture projects. */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { describeCycle, findCycles, importGraph } from '../../../scripts/lint/import-cycles';

/** Writes `files` (path → source) under a fresh folder and returns the cycles found there, as text. */
function cyclesIn(files: Record<string, string>): string[] {
  const root = mkdtempSync(join(tmpdir(), 'cycles-'));
  try {
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(dirname(join(root, path)), { recursive: true });
      writeFileSync(join(root, path), text);
    }
    const graph = importGraph([join(root, 'src')]);
    return findCycles(graph).map((cycle) => describeCycle(cycle, root));
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

describe('import cycle check', () => {
  it('finds a loop of two files, type-only imports included', () => {
    const found = cyclesIn({
      'src/a.ts': "import type { B } from './b';\nexport interface A { b?: B }\n",
      'src/b.ts': "import type { A } from './a';\nexport interface B { a?: A }\n",
    });
    assert.deepEqual(found, ['src/a.ts → src/b.ts → src/a.ts']);
  });

  it('follows re-exports, index files, dynamic imports and require() around a longer loop', () => {
    const found = cyclesIn({
      'src/a.ts': "export { b } from './lib';\nexport const a = 1;\n",
      'src/lib/index.ts': "export const b = () => import('../c');\n",
      'src/c.ts': "const a = require('./a');\nexport default a;\n",
    });
    assert.deepEqual(found, ['src/a.ts → src/lib/index.ts → src/c.ts → src/a.ts']);
  });

  it('finds a file importing itself', () => {
    assert.deepEqual(cyclesIn({ 'src/self.ts': "import './self';\n" }), ['src/self.ts → src/self.ts']);
  });

  it('passes a project that depends one way, whatever it imports from packages or Node', () => {
    const found = cyclesIn({
      'src/model.ts': "import { z } from 'zod';\nexport const schema = z.string();\n",
      'src/store.ts': "import { schema } from './model';\nimport { readFileSync } from 'node:fs';\nexport { schema, readFileSync };\n",
      'src/entry/main.ts': "import { schema } from './store';\nimport { schema as again } from './model';\nvoid [schema, again];\n",
    });
    assert.deepEqual(found, []);
  });
});
