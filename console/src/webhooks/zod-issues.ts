/** zod issues of the server's schemas as the console words them, keyed like the API's issue paths. */
import type { z } from 'zod';
import type { PathIssue } from './field-errors';

/**
 * The issue at its dotted path. A required text left empty says "required" where the schema
 * gave no words of its own (zod's default "Too small: expected string to have >=1 characters"
 * or "Invalid input: expected string, received undefined" mean the same).
 */
export function zodIssues(error: z.ZodError, input: unknown): PathIssue[] {
  return error.issues.map((i) => {
    const path = i.path.map(String).join('.');
    let value: unknown = input;
    for (const segment of i.path) {
      value = value !== null && typeof value === 'object' ? (value as Record<PropertyKey, unknown>)[segment] : undefined;
    }
    const generic = /^(Too small|Invalid input): expected string/.test(i.message);
    return { path, message: generic && (value === '' || value === undefined) ? 'required' : i.message };
  });
}
