/** The configuration store's domain errors, each as the HTTP answer the management API gives (one mapping). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { configStoreHttpError } from '../../../../src/http/inbound/config-store-errors';
import {
  EntryInUseError,
  EntryNotFoundError,
  ImmutableFieldError,
  InlineCredentialExistsError,
  InvalidEntryError,
  NameTakenError,
  VersionConflictError,
} from '../../../../src/config/admin/errors';
import type { HttpError } from '../../../../src/http/inbound/errors';
import { knownHttpError } from '../../../../src/http/inbound/error-handler';

function answer(err: Error): Pick<HttpError, 'status' | 'code' | 'message' | 'issues'> {
  const known = configStoreHttpError(err);
  assert.ok(known, `${err.name} has an HTTP answer`);
  return { status: known.status, code: known.code, message: known.message, issues: known.issues };
}

describe('configuration store errors as HTTP answers', () => {
  it('an invalid entry is 422 validation_failed with one issue per problem, paths without the leading dot', () => {
    const err = new InvalidEntryError('the destination', [
      { path: '.url', message: 'not https', rule: 'https_only' },
      { path: 'events', message: 'required' },
    ]);
    assert.deepEqual(answer(err), {
      status: 422,
      code: 'validation_failed',
      message: 'the destination is not valid (2 problems)',
      issues: [
        { path: 'url', message: 'not https', rule: 'https_only' },
        { path: 'events', message: 'required' },
      ],
    });
  });

  it('a taken name is 409 name_taken; an inline credential set under a taken name is 409 credential_exists', () => {
    assert.deepEqual(answer(new NameTakenError('source', 'shop')), {
      status: 409,
      code: 'name_taken',
      message: 'a source named "shop" exists (names are unique and case-sensitive)',
      issues: undefined,
    });
    const inline = answer(new InlineCredentialExistsError('crm-token'));
    assert.equal(inline.status, 409);
    assert.equal(inline.code, 'credential_exists');
  });

  it('a missing entry is 404 not_found; a stale version is 412 version_conflict', () => {
    assert.deepEqual(answer(new EntryNotFoundError('credential set', 'x')), {
      status: 404,
      code: 'not_found',
      message: 'credential set "x" does not exist',
      issues: undefined,
    });
    const stale = answer(new VersionConflictError('destination "crm"', 4, 3));
    assert.equal(stale.status, 412);
    assert.equal(stale.code, 'version_conflict');
    assert.match(stale.message, /^destination "crm" is at version 4, not 3/);
  });

  it('a fixed field is 409 immutable_field naming the field', () => {
    const fixed = answer(new ImmutableFieldError('crm', 'events', ['a', 'b']));
    assert.equal(fixed.status, 409);
    assert.equal(fixed.code, 'immutable_field');
    assert.deepEqual(fixed.issues, [{ path: 'events', message: 'fixed after creation; was ["a","b"]' }]);
  });

  it('an entry in use is 409 credential_in_use or source_in_use, naming its users', () => {
    const credential = answer(new EntryInUseError('credential set', 'token', ['crm']));
    assert.equal(credential.code, 'credential_in_use');
    assert.equal(credential.message, 'credential set "token" is used by destination "crm": change or delete it first');
    const source = answer(new EntryInUseError('source', 'shop', ['a', 'b']));
    assert.equal(source.status, 409);
    assert.equal(source.code, 'source_in_use');
    assert.equal(source.message, 'source "shop" is named by destinations "a", "b": delete them first');
  });

  it('anything else is not a store refusal (the error handler answers 500)', () => {
    assert.equal(configStoreHttpError(new Error('bug')), undefined);
    assert.equal(knownHttpError(new Error('bug')), undefined);
    assert.equal(knownHttpError(new NameTakenError('destination', 'crm'))?.status, 409);
  });
});
