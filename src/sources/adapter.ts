/** The contract of a source adapter: parsed JSON body in, canonical event out. */
import type { z } from 'zod';
import type { CanonicalEvent } from '../canonical-event';
import { SchemaViolationError, type FieldIssue } from '../errors';
import type { SourceKind } from './kinds';

export interface NormalizeContext {
  sourceId: string;
  /** ISO 8601 time the receiver accepted the request. */
  receivedAt: string;
}

export interface SourceAdapter {
  kind: SourceKind;
  /** Event names this kind emits, or undefined when any name is allowed. */
  catalog?: readonly string[];
  /** Validate and normalize; throws SchemaViolationError or UnknownEventError. */
  normalize(body: unknown, ctx: NormalizeContext): CanonicalEvent;
}

export function issuesOf(error: z.ZodError): FieldIssue[] {
  return error.issues.map((i) => ({ path: i.path.map(String).join('.') || '(body)', message: i.message }));
}

/** Parse with a zod schema or throw a 422 listing every field problem. */
export function parseOrReject<T>(schema: z.ZodType<T>, body: unknown): T {
  const result = schema.safeParse(body);
  if (!result.success) throw new SchemaViolationError(issuesOf(result.error));
  return result.data;
}
