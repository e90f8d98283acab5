/**
 * How configuration entries are split for the database: the entry without its secrets (plain
 * JSON, readable by ops and by SQL) and the secrets by slot (sealed in one column). The same
 * slots are how the API shows a secret — set, with its last 4 characters — and how an update
 * that sends that redacted form back keeps the stored value.
 */
import type { FieldIssue } from '../model/field-issue';

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

/** Looks like a redacted secret (`****` and up to 4 characters, which may be anything). */
export function isRedacted(value: string): boolean {
  return /^\*{4}[\s\S]{0,4}$/.test(value);
}

/**
 * The stored secret when `value` is exactly how the API shows it (so a resource sent back as
 * read keeps its secrets); a problem when it only looks redacted (a hint that is not this
 * slot's, e.g. header keys reordered, or no secret stored here); the value itself otherwise.
 */
export function keepRedacted(value: string, stored: string | undefined, path: string, problems: FieldIssue[]): string {
  if (stored !== undefined && value === redacted(secretHint(stored))) return stored;
  if (isRedacted(value)) {
    problems.push({
      path,
      message:
        stored === undefined
          ? `"${value}" is how the API shows a stored secret, and none is stored here: send the value`
          : `"${value}" is not how the API shows the secret stored here: send the value, or the value shown`,
    });
  }
  return value;
}

/** Names and ids the store can hold and address: 1–200 characters, no NUL (PostgreSQL text cannot). */
export function isStorableKey(key: string): boolean {
  return key.length > 0 && key.length <= 200 && !key.includes('\u0000');
}

/** NUL characters anywhere in a document (PostgreSQL text and jsonb cannot store them), by path. */
export function nulProblems(value: unknown, path = ''): FieldIssue[] {
  const at = (k: string | number) => (path === '' ? String(k) : `${path}.${k}`);
  if (typeof value === 'string') return value.includes('\u0000') ? [{ path, message: 'NUL characters (\\u0000) are not allowed' }] : [];
  if (Array.isArray(value)) return value.flatMap((v, i) => nulProblems(v, at(i)));
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).flatMap(([k, v]) => [
      ...(k.includes('\u0000') ? [{ path: at(k), message: 'NUL characters (\\u0000) are not allowed in keys' }] : []),
      ...nulProblems(v, at(k)),
    ]);
  }
  return [];
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

/** JSON with keys sorted, so two equal entries compare equal whatever their key order. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Json).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}
