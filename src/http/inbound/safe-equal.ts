import { hash, timingSafeEqual } from 'node:crypto';

/** Constant-time comparison that does not leak the expected length. */
export function safeEqual(given: string, expected: string): boolean {
  // One-shot hash(): createHash() checks Node's deprecation options on every call, a visible cost per request.
  const a = hash('sha256', given, 'buffer');
  const b = hash('sha256', expected, 'buffer');
  return timingSafeEqual(a, b) && given.length === expected.length;
}
