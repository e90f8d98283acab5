// @ts-check
/**
 * ESLint flat config: type-aware typescript-eslint over all TypeScript in the project, plus
 * the workflow sandbox boundary (what `workflows/` may import) enforced by lint.
 */
import { builtinModules } from 'node:module';
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';

const TS_FILES = ['src/**/*.ts', 'workflows/**/*.ts', 'activities/**/*.ts', 'test/**/*.ts', 'scripts/**/*.ts', 'console/src/**/*.{ts,tsx}'];

const SANDBOX = 'workflow code runs in the deterministic Temporal sandbox (see docs/architecture.md, "Workflow code")';

export default defineConfig(
  {
    ignores: ['node_modules/', 'data/', '.cache/', 'dist/', 'bench-results/', 'console/dist/', 'test-results/'],
  },
  js.configs.recommended,
  {
    files: TS_FILES,
    extends: [tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: {
        projectService: true,
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { prefer: 'type-imports', fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/consistent-type-exports': 'error',
      // Express tells an error handler by its four parameters, so `_next` must be declared unused.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['workflows/**/*.ts'],
    rules: {
      // The typescript-eslint version of the rule: it understands `allowTypeImports`.
      'no-restricted-imports': 'off',
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: builtinModules.map((name) => ({ name, message: `Node built-ins are not available in workflows: ${SANDBOX}.` })),
          patterns: [
            { regex: '^node:', message: `Node built-ins are not available in workflows: ${SANDBOX}.` },
            {
              regex: '^(\\.\\./)+activities(/|$)',
              allowTypeImports: true,
              message: "Workflows import only the activities' type and call them through proxyActivities.",
            },
            // The model (src/model/) is pure; workflows use its types, and values only from failure-types.
            {
              regex: '^(\\.\\./)+src/model/(?!failure-types$)',
              allowTypeImports: true,
              message: 'Import only types from this model module in workflows (`import type`); values only from src/model/failure-types.',
            },
            {
              regex: '^(\\.\\./)+src/(?!model/)',
              message: `Workflows may import from src/ only the model (src/model/: its types, and the failure-types constants): ${SANDBOX}.`,
            },
          ],
        },
      ],
    },
  },
  {
    files: ['test/**/*.ts'],
    rules: {
      // node:test's describe/it/test return promises the runner itself awaits and reports;
      // awaiting them at top level would serialise the suite for nothing.
      '@typescript-eslint/no-floating-promises': [
        'error',
        { allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['describe', 'it', 'test', 'suite'] }] },
      ],
    },
  },
  {
    // The console runs in the browser: its globals, none of Node's.
    files: ['console/src/**/*.{ts,tsx}'],
    languageOptions: { globals: { window: 'readonly', document: 'readonly', fetch: 'readonly' } },
  },
  {
    files: ['**/*.{js,mjs,cjs}'],
    extends: [tseslint.configs.disableTypeChecked],
  },
);
