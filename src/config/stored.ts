/**
 * How configuration entries are split for the database: the entry without its secrets (plain
 * JSON, readable by ops and by SQL) and the secrets by slot (sealed in one column). The same
 * slots are how the API shows a secret — set, with its last 4 characters — and how an update
 * that sends that redacted form back keeps the stored value.
 */
import { credentialSecretRefs } from './load';
import type { SourceConfigInput } from './source-schema';

/** What a stored entry holds where a secret was: the value lives sealed beside it. */
export const SECRET_MARKER = '[secret]';

/** Secrets shorter than this show no characters at all. */
const HINT_MIN_LENGTH = 12;

/** The last 4 characters of a long enough secret, for the API to show; '' for short ones. */
export function secretHint(value: string): string {
  return value.length >= HINT_MIN_LENGTH ? value.slice(-4) : '';
}

/** How the API shows a stored secret: `****` and its hint. Sending it back keeps the secret. */
export function redacted(hint: string): string {
  return `****${hint}`;
}

export function isRedacted(value: string): boolean {
  return /^\*{4}[^*]{0,4}$/.test(value);
}

export type SecretHints = Record<string, { set: true; last4?: string }>;

export function hintsOf(secrets: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(secrets).map(([slot, value]) => [slot, secretHint(value)]));
}

export function describeHints(hints: Record<string, string>): SecretHints {
  return Object.fromEntries(Object.entries(hints).map(([slot, h]) => [slot, h ? { set: true, last4: h } : { set: true }]));
}

// --- paths inside an entry (credential sets and sources keep secrets at fixed places) ---

type Json = Record<string, unknown>;

function walk(obj: unknown, path: string): { parent: Json; key: string } | undefined {
  const keys = path.split('.');
  let cur: unknown = obj;
  for (const k of keys.slice(0, -1)) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Json)[k];
  }
  if (cur === null || typeof cur !== 'object') return undefined;
  return { parent: cur as Json, key: keys[keys.length - 1] ?? '' };
}

/** A deep copy of `entry` with the string at each path replaced by `replace(path, value)`. */
export function replaceAt<T>(entry: T, paths: string[], replace: (path: string, value: string) => string): T {
  const copy = structuredClone(entry);
  for (const path of paths) {
    const at = walk(copy, path);
    const value = at?.parent[at.key];
    if (at && typeof value === 'string') at.parent[at.key] = replace(path, value);
  }
  return copy;
}

/** The strings at these paths, by path. */
export function valuesAt(entry: unknown, paths: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const path of paths) {
    const at = walk(entry, path);
    const value = at?.parent[at.key];
    if (typeof value === 'string') out[path] = value;
  }
  return out;
}

/** Where a source keeps its credentials, by auth scheme (paths inside the source entry). */
export function sourceSecretPaths(source: Pick<SourceConfigInput, 'auth'>): string[] {
  const auth = source.auth;
  switch (auth.type) {
    case 'header':
      return ['auth.key'];
    case 'headers':
      return auth.headers.map((_, i) => `auth.headers.${i}.key`);
    case 'basic':
      return ['auth.password'];
    case 'signature':
      return ['auth.secret'];
    case 'webengage':
      return ['auth.secretKey'];
    case 'oauth':
      return ['auth.clientSecret'];
  }
}

/** Where a credential set keeps its secrets (top-level fields). */
export function credentialSecretPaths(credential: object): string[] {
  return Object.keys(credentialSecretRefs(credential));
}

/** JSON with keys sorted, so two equal entries compare equal whatever their key order. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Json).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}
