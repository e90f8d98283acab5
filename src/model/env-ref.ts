/**
 * `${VAR}` / `${VAR:-default}`: how a configuration file names a secret (or a webhook's host and
 * port) held in the environment. Resolved only by whoever reads the file (`relay apply`,
 * RELAY_CONFIG); the management API refuses them, and stored entries hold values.
 */
import type { FieldIssue } from './field-issue';

/** One reference; group 1 the variable, group 2 the default. Not global: use `new RegExp(ENV_REF.source, 'g')` to scan. */
export const ENV_REF = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/;

const ENV_REFS = new RegExp(ENV_REF.source, 'g');

export function hasEnvRefs(value: string): boolean {
  return ENV_REF.test(value);
}

/** Replace `${VAR}` / `${VAR:-default}`; unset variables without a default are reported at `at`. */
export function resolveEnvRefs(value: string, env: Record<string, string | undefined>, at: string, problems: FieldIssue[]): string {
  return value.replace(ENV_REFS, (_, name: string, fallback: string | undefined) => {
    const found = env[name];
    if (found !== undefined && found !== '') return found;
    if (fallback !== undefined) return fallback;
    problems.push({ path: at, message: `environment variable ${name} is not set (use \${${name}:-default} for a default)` });
    return '';
  });
}
