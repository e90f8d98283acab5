/** Load-time checks of the `sources:` part: unique ids, `${ENV}` references in credentials resolved. */
import type { FieldIssue } from '../model/field-issue';
import type { SourceConfig, SourceConfigInput } from '../model/source';

/** Resolves `${ENV}` references in `value`, reporting unset variables at `path`. */
export type ResolveRefs = (value: string, path: string) => string;

/** Auth fields that are structure, not credentials: never read from the environment. */
const STRUCTURAL = new Set(['type', 'header', 'algorithm', 'tokenTtlSeconds']);

function resolveAuth(auth: SourceConfigInput['auth'], resolveRefs: ResolveRefs, at: string, problems: FieldIssue[]): SourceConfig['auth'] {
  const resolve = (value: unknown, path: string): unknown => {
    if (typeof value === 'string') return resolveRefs(value, path);
    if (Array.isArray(value)) return value.map((v, i) => resolve(v, `${path}[${i}]`));
    if (value !== null && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, STRUCTURAL.has(k) ? v : resolve(v, `${path}.${k}`)]));
    }
    return value;
  };
  const resolved = resolve(auth, at) as SourceConfig['auth'];
  const empty = (v: string, path: string) => {
    // An unset variable is already reported at this path; an empty value from a set one is not.
    if (v === '' && !problems.some((p) => p.path === path)) problems.push({ path, message: 'resolves to an empty value' });
  };
  switch (resolved.type) {
    case 'header':
      empty(resolved.key, `${at}.key`);
      break;
    case 'headers':
      resolved.headers.forEach((h, i) => empty(h.key, `${at}.headers[${i}].key`));
      break;
    case 'basic':
      empty(resolved.password, `${at}.password`);
      break;
    case 'signature':
      empty(resolved.secret, `${at}.secret`);
      break;
    case 'webengage':
      empty(resolved.secretKey, `${at}.secretKey`);
      break;
    case 'oauth':
      empty(resolved.clientSecret, `${at}.clientSecret`);
      break;
  }
  return resolved;
}

/** One source entry with its credentials resolved (`at` is its path, e.g. `sources[2]`). */
export function resolveSource(input: SourceConfigInput, at: string, resolveRefs: ResolveRefs, problems: FieldIssue[]): SourceConfig {
  return { ...input, auth: resolveAuth(input.auth, resolveRefs, `${at}.auth`, problems) };
}

export function resolveSources(inputs: SourceConfigInput[], resolveRefs: ResolveRefs, problems: FieldIssue[]): SourceConfig[] {
  const ids = new Set<string>();
  return inputs.map((s, i) => {
    if (ids.has(s.id)) problems.push({ path: `sources[${i}].id`, message: `duplicate source id "${s.id}"` });
    ids.add(s.id);
    return resolveSource(s, `sources[${i}]`, resolveRefs, problems);
  });
}
