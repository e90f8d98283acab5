/**
 * `npm run temporal -- <command> …`: the Temporal CLI the project provisions (TEMPORAL_CLI_PATH,
 * `temporal` on PATH, or the pinned build in ~/.cache/loyalty-relay; built with Go the first
 * time), pointed at the relay's own server: TEMPORAL_ADDRESS (else the embedded dev server on
 * 127.0.0.1:TEMPORAL_DEV_PORT), TEMPORAL_NAMESPACE, and the relay's TLS / API-key settings.
 * A flag given on the command line wins over the one derived from the environment.
 *
 *   npm run temporal -- workflow list --query 'RelayDeliveryStatus="failed"'
 */
import { spawnSync } from 'node:child_process';
import { parseEnv, type RelayEnv } from '../src/wiring/env';
import { resolveTemporalCli, TEMPORAL_CLI_VERSION } from '../src/temporal/cli';

/** Commands that do not talk to a Temporal server: given no connection flags. */
const LOCAL_COMMANDS = new Set(['server', 'help', 'completion', 'config', 'env', 'version', '--help', '-h', '--version', '-v']);

function given(args: readonly string[], long: string, short?: string): boolean {
  return args.some((a) => a === long || a.startsWith(`${long}=`) || (short !== undefined && a.startsWith(short) && !a.startsWith('--')));
}

/** The CLI's connection flags for the relay's settings, leaving out any the arguments already give. */
export function connectionArgs(args: readonly string[], env: RelayEnv): string[] {
  if (args.length === 0 || LOCAL_COMMANDS.has(args[0] ?? '')) return [];
  const flags: [string, string | undefined, string?][] = [
    ['--address', env.TEMPORAL_ADDRESS ?? `127.0.0.1:${env.TEMPORAL_DEV_PORT}`],
    ['--namespace', env.TEMPORAL_NAMESPACE, '-n'],
    ['--api-key', env.TEMPORAL_API_KEY],
    ['--tls-cert-path', env.TEMPORAL_TLS_CERT],
    ['--tls-key-path', env.TEMPORAL_TLS_KEY],
    ['--tls-ca-path', env.TEMPORAL_TLS_CA],
    ['--tls-server-name', env.TEMPORAL_TLS_SERVER_NAME],
  ];
  const out: string[] = [];
  for (const [flag, value, short] of flags) {
    if (value !== undefined && !given(args, flag, short)) out.push(flag, value);
  }
  // Like the relay's own connection: an explicit TEMPORAL_TLS wins; the CLI turns TLS on itself for an API key or TLS file.
  if (env.TEMPORAL_TLS !== undefined && !given(args, '--tls')) out.push(`--tls=${String(env.TEMPORAL_TLS)}`);
  return out;
}

function main(): void {
  const env = parseEnv();
  const say = (m: string) => process.stderr.write(`[temporal] ${m}\n`);
  const cli = resolveTemporalCli(process.env, say);
  if (cli.executable.type !== 'existing-path') {
    say(`no Temporal CLI binary: run \`npm run ensure-temporal\` (builds ${TEMPORAL_CLI_VERSION} with Go), or set TEMPORAL_CLI_PATH.`);
    process.exit(1);
  }
  const args = process.argv.slice(2);
  const result = spawnSync(cli.executable.path, [...args, ...connectionArgs(args, env)], { stdio: 'inherit' });
  if (result.error) {
    say(`cannot run ${cli.executable.path}: ${result.error.message}`);
    process.exit(1);
  }
  process.exit(result.status ?? 1);
}

if (require.main === module) main();
