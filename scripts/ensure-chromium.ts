/**
 * `npm run ensure-chromium` (run by `npm test` first): makes sure Debian's chromium is at
 * /usr/bin/chromium (or CHROMIUM_PATH) for the browser tests, which drive it with playwright-core
 * (that package downloads no browser). Present: returns at once. Absent: as root on a Debian-like
 * system, `apt-get install -y chromium` (after `apt-get update` when the package lists are stale).
 * Anything else — not root, no apt-get, no network — only says so: the browser test then skips
 * with that reason. Never fails the test run by itself.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const path = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const say = (m: string) => process.stderr.write(`[ensure-chromium] ${m}\n`);

function apt(args: string[]): boolean {
  say(`apt-get ${args.join(' ')}`);
  const r = spawnSync('apt-get', ['-o', 'DPkg::Lock::Timeout=300', ...args], {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  return r.status === 0;
}

function main(): void {
  if (existsSync(path)) return;
  const root = process.getuid?.() === 0;
  if (process.platform !== 'linux' || !root || !existsSync('/usr/bin/apt-get')) {
    say(
      `no chromium at ${path}, and it cannot be installed from here (${!root ? 'not root' : 'no apt-get'}): ` +
        `install Debian's chromium package (or set CHROMIUM_PATH); the browser tests are skipped meanwhile.`,
    );
    return;
  }
  say(`no chromium at ${path}: installing Debian's chromium package (a few minutes the first time)`);
  const installed =
    apt(['install', '-y', '--no-install-recommends', 'chromium']) ||
    (apt(['update']) && apt(['install', '-y', '--no-install-recommends', 'chromium']));
  if (installed && existsSync(path)) say(`chromium installed at ${path}`);
  else say(`could not install chromium (see apt-get's messages above): the browser tests are skipped`);
}

main();
