/** Optimistic concurrency: a change names the version it was made from (If-Match). */
import { VersionConflictError } from './errors';

/** `expected`: the version the caller last saw (If-Match), or `*` for whatever is current. */
export interface Precondition {
  expected: number | '*';
}

/** Refuse a change made from another version than the current one. */
export function checkVersion(entry: string, current: number, pre: Precondition): void {
  if (pre.expected !== '*' && current !== pre.expected) throw new VersionConflictError(entry, current, pre.expected);
}
