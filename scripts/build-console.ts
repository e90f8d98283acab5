/**
 * `npm run build-console`: the web console (console/, Preact + Vite) into console/dist, which
 * the receiver serves at /console. Run by prestart, pretest and build, so the README's commands
 * need no extra step; it builds only when console/dist is missing or older than a source file
 * (a few milliseconds when up to date). `--always` builds anyway.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';

const ROOT = join(__dirname, '..');
const CONSOLE = join(ROOT, 'console');
const BUILT = join(CONSOLE, 'dist', 'index.html');

/** Newest modification time under `path` (a file or a folder, recursively). */
function newest(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let max = stat.mtimeMs;
  for (const entry of readdirSync(path)) max = Math.max(max, newest(join(path, entry)));
  return max;
}

function sourcesNewest(): number {
  const inputs = ['src', 'index.html', 'vite.config.mjs', 'tsconfig.json'].map((p) => join(CONSOLE, p));
  // The forms bundle the server's pure rule modules (src/destinations/field-rules.ts, the config schemas…).
  inputs.push(join(ROOT, 'src'));
  // A new Vite or Preact (package-lock.json) changes the output too.
  return Math.max(...inputs.filter(existsSync).map(newest), statSync(join(ROOT, 'package-lock.json')).mtimeMs);
}

function main(): void {
  const always = process.argv.includes('--always');
  if (!always && existsSync(BUILT) && statSync(BUILT).mtimeMs >= sourcesNewest()) return;
  const vite = join(dirname(require.resolve('vite/package.json')), 'bin', 'vite.js');
  const started = Date.now();
  const result = spawnSync(process.execPath, [vite, 'build', CONSOLE], { cwd: CONSOLE, stdio: 'inherit' });
  if (result.status !== 0) {
    process.stderr.write(`console build failed (vite exited with ${result.status ?? result.signal})\n`);
    process.exit(1);
  }
  process.stdout.write(`console/dist built in ${Date.now() - started} ms\n`);
}

main();
