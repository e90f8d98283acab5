/**
 * `npm run build` (after `tsc -p tsconfig.build.json` compiled src/, workflows/ and activities/
 * into dist/): what the compiled relay needs beside its JavaScript, so production runs `node`
 * on dist/ with nothing built or written at start:
 *   - dist/migrations/: the SQL migrations (found from dist/src/db/migrate.js like from src/);
 *   - dist/workflow-bundle.js: the workflow bundle, which the worker loads instead of running
 *     webpack (src/wiring/worker.ts). Rebuilt only when the workflow sources changed (the same key as
 *     the worker's bundle cache, kept in dist/workflow-bundle.key).
 */
import { cpSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bundleWorkflowCode, DefaultLogger, Runtime } from '@temporalio/worker';
import { FAILURE_CONVERTER_PATH } from '../src/payloads/data-converter';
import { workflowBundleKey } from '../src/temporal/workflow-bundle';

const ROOT = join(__dirname, '..');
const DIST = join(ROOT, 'dist');

async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  rmSync(join(DIST, 'migrations'), { recursive: true, force: true });
  cpSync(join(ROOT, 'migrations'), join(DIST, 'migrations'), { recursive: true });

  const bundleFile = join(DIST, 'workflow-bundle.js');
  const keyFile = join(DIST, 'workflow-bundle.key');
  const key = workflowBundleKey();
  if (existsSync(bundleFile) && existsSync(keyFile) && readFileSync(keyFile, 'utf8') === key) {
    process.stdout.write(`dist/workflow-bundle.js is up to date (${key})\n`);
    return;
  }
  const started = Date.now();
  // The same bundle as the worker's cache builds: with the relay's failure converter (failure messages sealed).
  const { code } = await bundleWorkflowCode({
    workflowsPath: join(ROOT, 'workflows'),
    failureConverterPath: FAILURE_CONVERTER_PATH,
    logger: Runtime.instance().logger,
  });
  writeFileSync(bundleFile, code);
  writeFileSync(keyFile, key);
  process.stdout.write(`dist/workflow-bundle.js built in ${Date.now() - started} ms (${key})\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`build failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
