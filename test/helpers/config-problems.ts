/** Reading a configuration's problems in tests: the ones parseConfig reports, and one expected among them. */
import assert from 'node:assert/strict';
import { ConfigError, parseConfig } from '../../src/config/load';
import type { FieldIssue } from '../../src/model/field-issue';

/** The problems parseConfig reports for `doc`; fails the test if it is accepted. */
export function configProblems(doc: unknown, env: Record<string, string | undefined>): FieldIssue[] {
  try {
    parseConfig(doc, env);
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected ConfigError, got ${String(err)}`);
    return err.problems;
  }
  assert.fail('configuration was accepted');
}

/** Fails unless one of `problems` is at `path` with a message matching `message`. */
export function assertProblem(problems: FieldIssue[], path: string, message: RegExp): void {
  assert.ok(
    problems.some((p) => p.path === path && message.test(p.message)),
    `no problem at ${path} matching ${message}; got ${JSON.stringify(problems)}`,
  );
}
