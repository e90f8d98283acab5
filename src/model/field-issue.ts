/**
 * The one shape of "this field is wrong", wherever it is found: a configuration file, a
 * management request, an event body. Every check reports it, the error handler answers with
 * it (`issues` of an error body), and the OpenAPI document names it `FieldIssue`.
 */
import type { z } from 'zod';

export interface FieldIssue {
  /** Dotted path of the offending field, e.g. `destinations[2].url` or `data.customerIdentifiers.customerId`. */
  path: string;
  message: string;
  /** Machine-readable name of the rule broken, where callers may act on it (e.g. `embedded_ipv4_address`). */
  rule?: string;
}

/**
 * A zod error's issues as FieldIssues: each path joined with `.` under `prefix`; `root` names
 * the whole value when an issue has no path at all (an HTTP body says `(body)`, a file says '').
 */
export function zodIssues(error: z.ZodError, prefix: readonly string[] = [], root = ''): FieldIssue[] {
  return error.issues.map((issue) => ({ path: [...prefix, ...issue.path.map(String)].join('.') || root, message: issue.message }));
}
