/**
 * Errors by form field: the client's own rules and the server's 422 issues end up in the same
 * shape, keyed by a field path with numeric segments (`headers.0.key`), so a field shows either.
 */

/** Messages by field path; a field without problems is absent. */
export type FieldErrors = Record<string, string[]>;

export interface PathIssue {
  path: string;
  message: string;
}

/** `headers[0].key` (a kind's rules write this) and `headers.0.key` (a schema's) → `headers.0.key`. */
export function normalizePath(path: string): string {
  return path.replace(/\[(\d+)\]/g, '.$1').replace(/^\./, '');
}

export function addError(errors: FieldErrors, field: string, message: string): void {
  const list = (errors[field] ??= []);
  if (!list.includes(message)) list.push(message);
}

export function hasErrors(errors: FieldErrors): boolean {
  return Object.keys(errors).length > 0;
}

/** Issues at `path`-style locations (server issues, zod issues) added under the fields `fieldFor` names. */
export function placeIssues(
  issues: readonly PathIssue[],
  fieldFor: (path: string) => string | undefined,
): { fields: FieldErrors; unplaced: string[] } {
  const fields: FieldErrors = {};
  const unplaced: string[] = [];
  for (const issue of issues) {
    const path = normalizePath(issue.path);
    const field = fieldFor(path);
    if (field === undefined) unplaced.push(path === '' ? issue.message : `${path}: ${issue.message}`);
    else addError(fields, field, issue.message);
  }
  return { fields, unplaced };
}

/** The first segment of a normalized path (`enrichment.cardNumbers` → `enrichment`). */
export function head(path: string): string {
  return path.split('.')[0] ?? '';
}
