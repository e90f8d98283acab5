/**
 * `relay apply -f FILE`: the YAML file as a declarative import into the store. Each source,
 * credential set and destination in the file is created or updated by name (what is in the
 * store but not in the file is left alone), `${ENV}` references are resolved now and stored
 * encrypted, and everything happens in one transaction: a file with one bad entry changes
 * nothing. A second apply of the same file reports every entry unchanged.
 */
import { destinationConnectors } from '../destinations';
import type { ConfigAdmin } from './admin';
import { ImmutableFieldError, InvalidEntryError } from './admin/errors';
import { ConfigError, type RelayConfig } from './load';
import { resolveEnvRefs } from '../model/env-ref';
import type { FieldIssue } from '../model/field-issue';
import { replaceAt, valuesAt } from './stored';
import { credentialSecretPaths, sourceSecretPaths } from '../model/secret-slots';

type Env = Record<string, string | undefined>;

export interface AppliedChange {
  type: 'source' | 'credential' | 'destination';
  name: string;
  action: 'created' | 'updated' | 'unchanged';
  /** Something the operator should know, e.g. a pause in the file that the store's state overrides. */
  note?: string;
}

export interface ApplyReport {
  changes: AppliedChange[];
  dryRun: boolean;
}

function resolved<T>(entry: T, paths: string[], env: Env, at: string): T {
  const problems: FieldIssue[] = [];
  const out = replaceAt(entry, paths, (path, value) => resolveEnvRefs(value, env, `${at}.${path}`, problems));
  // The file was validated with the same environment; a problem here means it changed between.
  if (problems.length > 0) throw new ConfigError(at, problems);
  return out;
}

export async function applyConfig(
  admin: ConfigAdmin,
  config: RelayConfig,
  env: Env,
  options: { dryRun?: boolean } = {},
): Promise<ApplyReport> {
  const dryRun = options.dryRun ?? false;
  const changes = await admin.transaction(
    async (w) => {
      const out: AppliedChange[] = [];
      for (const source of config.sources) {
        // Source credentials were resolved when the file was loaded.
        const action = await w.saveSource({ entry: source, secrets: valuesAt(source, sourceSecretPaths(source)) }, 'upsert');
        out.push({ type: 'source', name: source.id, action });
      }
      for (const c of config.credentials) {
        const credential = resolved(c, credentialSecretPaths(c), env, `credential "${c.name}"`);
        const action = await w.saveCredential({ entry: credential, secrets: w.credentialSecrets(credential) }, 'upsert');
        out.push({ type: 'credential', name: c.name, action });
      }
      for (const d of config.destinations) {
        const connector = destinationConnectors[d.kind]!;
        const problems: FieldIssue[] = [];
        const settings = connector.withSecrets(d.settings, (slot, ref) => resolveEnvRefs(ref, env, slot, problems)) as Record<
          string,
          unknown
        >;
        if (problems.length > 0) throw new ConfigError(`destination "${d.name}"`, problems);
        try {
          const action = await w.saveDestination(w.storableDestination({ ...d, settings }), 'upsert');
          // `paused: true` sets the initial state only: an operator's resume is not undone by an apply.
          const stillActive = d.paused && action !== 'created' && (await w.getDestination(d.name))?.paused === false;
          const note = stillActive
            ? `the file says paused; it is active (resumed by an operator): \`relay pause ${d.name}\` to pause it`
            : undefined;
          out.push({ type: 'destination', name: d.name, action, ...(note ? { note } : {}) });
        } catch (e) {
          // What the store refuses of an entry the file's rules allowed: a changed kind, events or sources, or a credential set that does not exist.
          if (e instanceof ImmutableFieldError) throw new ConfigError(`destination "${d.name}"`, [{ path: e.field, message: e.message }]);
          if (e instanceof InvalidEntryError) throw new ConfigError(`destination "${d.name}"`, e.problems);
          throw e;
        }
      }
      return out;
    },
    { rollback: dryRun },
  );
  return { changes, dryRun };
}

/** The counts: `created 1, updated 0, unchanged 8` (with what a dry run would have done). */
export function applySummary(report: ApplyReport): string {
  const count = (a: AppliedChange['action']) => report.changes.filter((c) => c.action === a).length;
  return `${report.dryRun ? 'dry run, nothing saved: would have ' : ''}created ${count('created')}, updated ${count('updated')}, unchanged ${count('unchanged')}`;
}

/** One line per change, then the counts: what `relay apply` prints. */
export function formatApplyReport(report: ApplyReport): string {
  return [
    ...report.changes.map((c) => `${c.action.padEnd(9)} ${c.type} ${c.name}${c.note ? ` (${c.note})` : ''}`),
    applySummary(report),
  ].join('\n');
}
