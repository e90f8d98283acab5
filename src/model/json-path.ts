/**
 * The small JSON path dialect of source field mappings (Kognitiv): `$.reward.id`,
 * `member.emails[0]`, `reward.id` — dot-separated keys and `[n]` indexes, nothing more.
 * Lookups read own properties only, so a path can never reach `__proto__` or `constructor`.
 */

export type PathSegment = string | number;

const KEY = /^[A-Za-z_$][\w$-]*$/;

/** Parse a path, or return undefined when it is not in the dialect. */
export function parseJsonPath(path: string): PathSegment[] | undefined {
  let rest = path.trim();
  if (rest.startsWith('$')) rest = rest.slice(1).replace(/^\./, '');
  if (rest === '') return undefined;
  const out: PathSegment[] = [];
  for (const part of rest.split('.')) {
    const m = /^([^[\]]*)((?:\[\d+\])*)$/.exec(part);
    if (!m) return undefined;
    const [, key = '', indexes = ''] = m;
    if (key !== '') {
      if (!KEY.test(key) || key === '__proto__' || key === 'constructor' || key === 'prototype') return undefined;
      out.push(key);
    } else if (indexes === '') return undefined;
    for (const idx of indexes.matchAll(/\[(\d+)\]/g)) out.push(Number(idx[1]));
  }
  return out;
}

/** The value at a parsed path, or undefined when any step is missing. */
export function readJsonPath(value: unknown, path: readonly PathSegment[]): unknown {
  let cur: unknown = value;
  for (const seg of path) {
    if (typeof seg === 'number') {
      if (!Array.isArray(cur) || seg >= cur.length) return undefined;
      cur = cur[seg];
    } else {
      if (cur === null || typeof cur !== 'object' || Array.isArray(cur) || !Object.hasOwn(cur, seg)) return undefined;
      cur = (cur as Record<string, unknown>)[seg];
    }
  }
  return cur;
}
