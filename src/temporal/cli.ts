/**
 * Finds the Temporal CLI (which contains the dev server and its Web UI), in the order the
 * README gives ("The two commands"):
 *   1. TEMPORAL_CLI_PATH, or `temporal` on PATH;
 *   2. a pinned build from the Go module proxy into the project's cache (minutes, once);
 *   3. the SDK's cached download (a network download the first time).
 */
import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, mkdirSync, readdirSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import type { EphemeralServerExecutable } from '@temporalio/testing';

export const TEMPORAL_CLI_MODULE = 'github.com/temporalio/cli/cmd/temporal';
export const TEMPORAL_CLI_VERSION = 'v1.5.1';
/** Used when the machine's Go cannot build the pinned CLI: `go install` fetches this toolchain itself. */
export const FALLBACK_GOTOOLCHAIN = 'go1.25.0';

export interface ResolvedCli {
  executable: EphemeralServerExecutable;
  /** Human-readable: where the CLI came from. */
  description: string;
}

export const THREE_WAYS = [
  'Loyalty Relay needs the Temporal CLI for its embedded dev server. Provide it in one of three ways:',
  '  1. set TEMPORAL_CLI_PATH to a temporal binary, or put `temporal` on PATH;',
  `  2. install Go, so the project can build ${TEMPORAL_CLI_MODULE}@${TEMPORAL_CLI_VERSION} from the Go module proxy;`,
  '  3. allow the Temporal SDK to download the CLI (network access to its release host).',
  'Or set TEMPORAL_ADDRESS to use an existing Temporal server instead of the embedded one.',
].join('\n');

export class TemporalCliUnavailableError extends Error {
  constructor(detail: string) {
    super(`${detail}\n${THREE_WAYS}`);
    this.name = 'TemporalCliUnavailableError';
  }
}

type Env = Record<string, string | undefined>;
type Say = (message: string) => void;

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function onPath(name: string, env: Env): string | undefined {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

export function cliCacheDir(env: Env): string {
  const base = env.TEMPORAL_CLI_CACHE_DIR ?? join(env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'loyalty-relay', 'temporal-cli');
  return join(base, TEMPORAL_CLI_VERSION);
}

function sdkCachedDownload(): string | undefined {
  try {
    return readdirSync(tmpdir()).find((f) => f.startsWith('temporal-sdk-typescript-'));
  } catch {
    return undefined;
  }
}

function goInstall(go: string, bin: string, env: Env, toolchain: string | undefined, say: Say): boolean {
  const started = Date.now();
  const result = spawnSync(go, ['install', `${TEMPORAL_CLI_MODULE}@${TEMPORAL_CLI_VERSION}`], {
    env: { ...process.env, ...env, GOBIN: bin, GOFLAGS: '-mod=mod', ...(toolchain ? { GOTOOLCHAIN: toolchain } : {}) },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const ok = result.status === 0 && isExecutable(join(bin, 'temporal'));
  say(`go install ${ok ? 'finished' : 'failed'} in ${Math.round((Date.now() - started) / 1000)}s`);
  return ok;
}

/**
 * Resolve the CLI, building it when needed (`build: false` only looks).
 * Throws TemporalCliUnavailableError when no way works.
 */
export function resolveTemporalCli(env: Env, say: Say, options: { build?: boolean } = {}): ResolvedCli {
  if (env.TEMPORAL_CLI_PATH) {
    if (!isExecutable(env.TEMPORAL_CLI_PATH)) {
      throw new TemporalCliUnavailableError(`TEMPORAL_CLI_PATH=${env.TEMPORAL_CLI_PATH} is not an executable file.`);
    }
    return {
      executable: { type: 'existing-path', path: env.TEMPORAL_CLI_PATH },
      description: `TEMPORAL_CLI_PATH (${env.TEMPORAL_CLI_PATH})`,
    };
  }
  const fromPath = onPath('temporal', env);
  if (fromPath) return { executable: { type: 'existing-path', path: fromPath }, description: `temporal on PATH (${fromPath})` };

  const bin = cliCacheDir(env);
  const cached = join(bin, 'temporal');
  if (isExecutable(cached)) return { executable: { type: 'existing-path', path: cached }, description: `project cache (${cached})` };

  const go = onPath('go', env) ?? (existsSync('/usr/local/go/bin/go') ? '/usr/local/go/bin/go' : undefined);
  if (go && options.build !== false) {
    mkdirSync(bin, { recursive: true });
    say(`Building the Temporal CLI ${TEMPORAL_CLI_VERSION} from the Go module proxy into ${bin}.`);
    say('This takes several minutes the first time (about 5 on 2 cores); later starts reuse it.');
    if (goInstall(go, bin, env, undefined, say))
      return { executable: { type: 'existing-path', path: cached }, description: `built with Go (${cached})` };
    say(`Retrying with GOTOOLCHAIN=${FALLBACK_GOTOOLCHAIN} (go fetches that toolchain through the module proxy).`);
    if (goInstall(go, bin, env, FALLBACK_GOTOOLCHAIN, say)) {
      return { executable: { type: 'existing-path', path: cached }, description: `built with ${FALLBACK_GOTOOLCHAIN} (${cached})` };
    }
  }

  const download = sdkCachedDownload();
  say(
    download
      ? `Using the Temporal SDK's cached download (${join(tmpdir(), download)}).`
      : 'No temporal binary and no Go build: falling back to the Temporal SDK download (needs network access).',
  );
  return { executable: { type: 'cached-download' }, description: download ? 'SDK cached download' : 'SDK download' };
}
