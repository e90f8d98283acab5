/** What source adapter tests expect of a rejected body. */
import assert from 'node:assert/strict';
import { SchemaViolationError } from '../../src/http/inbound/errors';

/** Run `fn`, expect a SchemaViolationError, and return its issue paths. */
export function issuePaths(fn: () => unknown): string[] {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof SchemaViolationError, `expected SchemaViolationError, got ${String(e)}`);
    assert.equal(e.status, 422);
    assert.equal(e.code, 'schema_violation');
    return (e.issues ?? []).map((i) => i.path);
  }
  assert.fail('body was accepted');
}
