/**
 * The workflow bundle, cached on disk: webpack takes seconds at every worker start (4–5 s on
 * the shared 2-core machine), which is also how long a crashed worker takes to come back. The
 * cache key hashes the workflow sources, the model (src/model/: the only src/ modules workflows
 * may import, see the lint rule in eslint.config.mjs) and the SDK version, so any change rebuilds.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bundleWorkflowCode, Runtime, type WorkflowBundleOption } from '@temporalio/worker';
import { FAILURE_CONVERTER_PATH } from '../payloads/data-converter';

const ROOT = join(__dirname, '..', '..');
/** Besides workflows/ and src/model/: the failure converter the bundle carries as the sandbox's (failure messages encoded, then sealed). */
const SHARED_SOURCES = ['src/payloads/failure-converter.ts'];

function tsFilesIn(folder: string): string[] {
  return readdirSync(join(ROOT, folder), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts'))
    .map((f) => join(folder, f))
    .sort();
}

function sourceFiles(): string[] {
  return [...tsFilesIn('workflows'), ...tsFilesIn(join('src', 'model')), ...SHARED_SOURCES];
}

/** Bundles kept per cache folder: the newest few, so a rollback or an older worker sharing the folder still finds its own. */
const KEEP_BUNDLES = 3;

/** Remove all but the `keep` most recently written bundles; a file another process removes first is fine. */
export function pruneOldBundles(cacheDir: string, keep: number): void {
  const bundles = readdirSync(cacheDir)
    .filter((f) => /^workflow-bundle-[0-9a-f]+\.js$/.test(f))
    .map((f) => ({ path: join(cacheDir, f), mtime: statSync(join(cacheDir, f)).mtimeMs }))
    .sort((a, b) => b.mtime - a.mtime);
  for (const old of bundles.slice(keep)) rmSync(old.path, { force: true });
}

export function workflowBundleKey(): string {
  const hash = createHash('sha256');
  const sdk = JSON.parse(readFileSync(require.resolve('@temporalio/workflow/package.json'), 'utf8')) as { version: string };
  hash.update(`sdk ${sdk.version}\n`);
  for (const file of sourceFiles()) {
    hash.update(`${file}\n`);
    hash.update(readFileSync(join(ROOT, file)));
  }
  return hash.digest('hex').slice(0, 24);
}

/**
 * A bundle from `cacheDir` when one matches the sources, else built and stored there. Any
 * trouble with the cache (read-only disk, …) falls back to building in memory.
 */
export async function cachedWorkflowBundle(
  workflowsPath: string,
  cacheDir: string,
  say: (message: string) => void,
): Promise<WorkflowBundleOption> {
  let file: string | undefined;
  try {
    file = join(cacheDir, `workflow-bundle-${workflowBundleKey()}.js`);
    if (existsSync(file)) return { codePath: file };
  } catch (e) {
    say(`workflow bundle cache unavailable (${(e as Error).message}); bundling in memory`);
  }
  const started = Date.now();
  const { code } = await bundleWorkflowCode({
    workflowsPath,
    failureConverterPath: FAILURE_CONVERTER_PATH,
    logger: Runtime.instance().logger,
  });
  say(`workflow bundle built in ${Date.now() - started} ms`);
  if (file) {
    try {
      mkdirSync(cacheDir, { recursive: true });
      const tmp = `${file}.${process.pid}.tmp`;
      writeFileSync(tmp, code);
      renameSync(tmp, file);
      try {
        pruneOldBundles(cacheDir, KEEP_BUNDLES);
      } catch (e) {
        say(`could not prune old workflow bundles in ${cacheDir} (${(e as Error).message})`);
      }
      return { codePath: file };
    } catch (e) {
      say(`could not store the workflow bundle in ${cacheDir} (${(e as Error).message})`);
    }
  }
  return { code };
}
