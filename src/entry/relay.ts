/**
 * `npm run relay -- <command>`: operations on the configuration store, outside the running
 * relay. Uses the same environment as the relay (DATABASE_URL, RELAY_DATA_DIR, RELAY_MASTER_KEY…).
 *
 *   relay apply -f FILE [--dry-run]   create or update what FILE declares; report what changed
 *   relay rotate-key                  re-encrypt every stored secret with RELAY_MASTER_KEY
 *   relay migrate                     apply pending database migrations
 *   relay pause NAME [--reason TEXT]  hold NAME's deliveries (they wait in their runs)
 *   relay resume NAME                 deliver what NAME held, and new events again
 *   relay wake NAME                   signal the runs holding deliveries for NAME to look again
 *   relay payloads cleanup [--retention-hours H]   delete stored large payloads past their retention
 *   relay redeliver …                 redeliver parked runs through the management API (./redeliver.ts)
 */
import { parseArgs } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { dataConverterFromEnv } from '../payloads/data-converter';
import { cleanupClaimPayloads, namespaceRetentionSeconds } from '../payloads/claim-cleanup';
import { setDestinationPaused } from '../config/pause';
import { connectionOptionsFromEnv } from '../temporal/connection';
import { resumeDestination, wakeHeldRuns } from '../temporal/held-runs';
import { applyConfig, formatApplyReport } from '../config/apply';
import { loadConfigFile } from '../config/load';
import { reencryptSecrets } from '../db/rotate';
import { parseEnv } from '../wiring/env';
import { createLogger } from '../telemetry/logger';
import { openConfig, startErrorText } from '../wiring/run';
import { redeliverCommand, RedeliverUsageError, REDELIVER_USAGE } from '../cli/redeliver';

const USAGE = `usage: npm run relay -- <command>

  apply -f FILE [--dry-run]   create or update the sources, credential sets and destinations
                              FILE declares (by name); print what changed. --dry-run saves nothing.
  rotate-key                  re-encrypt every stored secret with RELAY_MASTER_KEY; keep the old
                              key in RELAY_MASTER_KEY_PREVIOUS until this has run
  migrate                     apply pending database migrations (the relay also does at start)
  pause NAME [--reason TEXT]  pause destination NAME: its deliveries wait in their runs (held),
                              without attempts, until it resumes (disable instead unsubscribes)
  resume NAME                 resume NAME and wake the runs holding deliveries for it
  payloads cleanup [--retention-hours H]
                              delete the large payloads (claim check) no history can still name:
                              unreferenced for the namespace retention (H, else
                              RELAY_CLAIM_CHECK_RETENTION_HOURS, else asked from Temporal) plus
                              the longest retry window + parking period; the worker does it hourly
  wake NAME                   wake the runs holding deliveries for NAME (after a resume or
                              delete that could not reach Temporal)
${REDELIVER_USAGE}

The store is PostgreSQL at DATABASE_URL, else the embedded database in RELAY_DATA_DIR (stop
the relay first: the embedded database has one user at a time).`;

class UsageError extends Error {}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return command ? 0 : 2;
  }
  const env = parseEnv();
  // Logs go to stderr: stdout carries the command's report.
  const logger = createLogger(env.LOG_LEVEL === 'info' ? 'warn' : env.LOG_LEVEL, 'relay-cli', process.stderr);
  switch (command) {
    case 'apply': {
      const { values } = parseArgs({
        args: rest,
        options: { file: { type: 'string', short: 'f' }, 'dry-run': { type: 'boolean', default: false } },
        strict: true,
      });
      if (!values.file) throw new UsageError('apply needs -f FILE');
      const config = loadConfigFile(values.file, process.env);
      const parts = await openConfig(env, logger);
      try {
        const report = await applyConfig(parts.admin, config, process.env, { dryRun: values['dry-run'] });
        process.stdout.write(`${formatApplyReport(report)}\n`);
      } finally {
        await parts.close();
      }
      return 0;
    }
    case 'rotate-key': {
      if (rest.length > 0) throw new UsageError(`rotate-key takes no arguments (got ${rest.join(' ')})`);
      const parts = await openConfig(env, logger);
      try {
        const counts = await reencryptSecrets(parts.db.pool, parts.box);
        for (const c of counts) process.stdout.write(`re-encrypted ${String(c.rows).padStart(5)} row(s) of ${c.table}\n`);
        process.stdout.write(`every secret is now sealed with key ${parts.box.keyId}; RELAY_MASTER_KEY_PREVIOUS can be removed\n`);
      } finally {
        await parts.close();
      }
      return 0;
    }
    case 'payloads': {
      const { values, positionals } = parseArgs({
        args: rest,
        options: { 'retention-hours': { type: 'string' } },
        allowPositionals: true,
        strict: true,
      });
      if (positionals.length !== 1 || positionals[0] !== 'cleanup') throw new UsageError('usage: payloads cleanup [--retention-hours H]');
      const given =
        values['retention-hours'] ??
        (env.RELAY_CLAIM_CHECK_RETENTION_HOURS !== undefined ? String(env.RELAY_CLAIM_CHECK_RETENTION_HOURS) : undefined);
      if (given !== undefined && !(Number(given) > 0))
        throw new UsageError(`--retention-hours must be a positive number of hours (got ${given})`);
      const retentionSeconds =
        given !== undefined
          ? Number(given) * 3600
          : await (async () => {
              const address = env.TEMPORAL_ADDRESS ?? `127.0.0.1:${env.TEMPORAL_DEV_PORT}`;
              try {
                const connection = await Connection.connect(connectionOptionsFromEnv(env, address));
                try {
                  return await namespaceRetentionSeconds(connection.workflowService, env.TEMPORAL_NAMESPACE);
                } finally {
                  await connection.close();
                }
              } catch (e) {
                throw new UsageError(
                  `cannot ask Temporal at ${address} for the retention of namespace ${env.TEMPORAL_NAMESPACE} (${(e as Error).message}); ` +
                    'pass --retention-hours or set RELAY_CLAIM_CHECK_RETENTION_HOURS',
                );
              }
            })();
      const parts = await openConfig(env, logger);
      try {
        const report = await cleanupClaimPayloads(parts.db.pool, parts.claims.store, retentionSeconds);
        const left = await parts.claims.store.stats();
        process.stdout.write(
          `deleted ${report.deleted} stored payload(s) unreferenced for over ${(report.keepSeconds / 3600).toFixed(1)} h ` +
            `(namespace retention ${(report.namespaceRetentionSeconds / 3600).toFixed(1)} h + the longest run); ` +
            `${left.rows} left (${left.bytes} bytes)\n`,
        );
      } finally {
        await parts.close();
      }
      return 0;
    }
    case 'migrate': {
      if (rest.length > 0) throw new UsageError(`migrate takes no arguments (got ${rest.join(' ')})`);
      const parts = await openConfig(env, logger);
      await parts.close();
      process.stdout.write(`the configuration store at ${parts.db.description} is up to date\n`);
      return 0;
    }
    case 'pause':
    case 'resume':
    case 'wake': {
      const { values, positionals } = parseArgs({
        args: rest,
        options: { reason: { type: 'string' } },
        allowPositionals: true,
        strict: true,
      });
      const name = positionals[0];
      if (!name || positionals.length > 1) throw new UsageError(`${command} needs one destination name`);
      if (values.reason !== undefined && command !== 'pause') throw new UsageError('--reason goes with pause');
      const temporal = async <T>(fn: (client: Client) => Promise<T>): Promise<T> => {
        const address = env.TEMPORAL_ADDRESS ?? `127.0.0.1:${env.TEMPORAL_DEV_PORT}`;
        const connection = await Connection.connect(connectionOptionsFromEnv(env, address));
        try {
          // The relay's data converter: signal arguments are sealed like everything else the relay writes.
          return await fn(new Client({ connection, namespace: env.TEMPORAL_NAMESPACE, dataConverter: dataConverterFromEnv(env) }));
        } finally {
          await connection.close();
        }
      };
      if (command === 'wake') {
        const woken = await temporal((client) => wakeHeldRuns(client, name));
        process.stdout.write(`woke ${woken} run(s) holding deliveries for ${name}\n`);
        return 0;
      }
      const parts = await openConfig(env, logger);
      try {
        if (command === 'pause') {
          const state = await setDestinationPaused(parts.db.pool, name, true, values.reason);
          if (!state) throw new UsageError(`no destination named "${name}"`);
          process.stdout.write(
            `${name} paused${state.reason ? ` (${state.reason})` : ''}: its deliveries wait in their runs until \`resume ${name}\`\n`,
          );
        } else {
          const state = await temporal((client) => resumeDestination(parts.db.pool, client, name));
          if (!state) throw new UsageError(`no destination named "${name}"`);
          process.stdout.write(`${name} resumed; woke ${state.woken} run(s) holding deliveries for it\n`);
        }
      } finally {
        await parts.close();
      }
      return 0;
    }
    case 'redeliver':
      return redeliverCommand(rest, env);
    default:
      throw new UsageError(`unknown command "${command}"`);
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    if (
      e instanceof UsageError ||
      e instanceof RedeliverUsageError ||
      (e instanceof TypeError && (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS'))
    ) {
      process.stderr.write(`relay: ${e.message}\n\n${USAGE}\n`);
      process.exitCode = 2;
      return;
    }
    process.stderr.write(`relay: ${startErrorText(e)}\n`);
    process.exitCode = 1;
  },
);
