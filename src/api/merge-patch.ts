/**
 * JSON Merge Patch (RFC 7396): a patch object names the members to change; `null` removes a
 * member; arrays and every other non-object value replace what was there whole. A patch that
 * is not an object replaces the whole document. Bodies reach here through parseJsonBody, which
 * refuses `__proto__` and `constructor.prototype` keys.
 */
import { isObject } from '../model/is-object';

export const MERGE_PATCH_TYPE = 'application/merge-patch+json';

export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return patch;
  const result: Record<string, unknown> = isObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = mergePatch(result[key], value);
  }
  return result;
}
