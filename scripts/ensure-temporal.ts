/**
 * `npm run ensure-temporal` (run before `npm start` and `npm test`): make sure a Temporal CLI
 * is available for the embedded dev server. Idempotent; instant once the CLI is cached.
 * Skipped when TEMPORAL_ADDRESS points at an existing server (nothing to provision).
 */
import { resolveTemporalCli, TemporalCliUnavailableError } from '../src/temporal/cli';

const say = (m: string) => process.stderr.write(`[ensure-temporal] ${m}\n`);

if (process.env.TEMPORAL_ADDRESS && process.argv[2] !== '--always') {
  say(`TEMPORAL_ADDRESS=${process.env.TEMPORAL_ADDRESS}: using that server, no CLI needed.`);
} else {
  try {
    const cli = resolveTemporalCli(process.env, say);
    say(`Temporal CLI: ${cli.description}`);
  } catch (e) {
    if (e instanceof TemporalCliUnavailableError) {
      say(e.message);
      process.exitCode = 1;
    } else {
      throw e;
    }
  }
}
