/**
 * The configuration store's refusals (src/config/admin/errors.ts) as HTTP answers: status and
 * machine-readable code, one row per error class. Called by the error handler
 * (./error-handler.ts); the messages are the errors' own.
 */
import {
  EntryInUseError,
  EntryNotFoundError,
  ImmutableFieldError,
  InlineCredentialExistsError,
  InvalidEntryError,
  NameTakenError,
  VersionConflictError,
} from '../../config/admin/errors';
import { HttpError } from './errors';
import type { FieldIssue } from '../../model/field-issue';

export function configStoreHttpError(err: unknown): HttpError | undefined {
  if (err instanceof InvalidEntryError) return new HttpError(422, 'validation_failed', err.message, err.problems.map(issue));
  if (err instanceof NameTakenError) return new HttpError(409, 'name_taken', err.message);
  if (err instanceof InlineCredentialExistsError) return new HttpError(409, 'credential_exists', err.message);
  if (err instanceof EntryNotFoundError) return new HttpError(404, 'not_found', err.message);
  if (err instanceof VersionConflictError) return new HttpError(412, 'version_conflict', err.message);
  if (err instanceof ImmutableFieldError) {
    return new HttpError(409, 'immutable_field', err.message, [
      { path: err.field, message: `fixed after creation; was ${JSON.stringify(err.was)}` },
    ]);
  }
  if (err instanceof EntryInUseError) {
    return new HttpError(409, err.what === 'credential set' ? 'credential_in_use' : 'source_in_use', err.message);
  }
  return undefined;
}

/** Only the fields of an issue (a problem may carry more). */
function issue(p: FieldIssue): FieldIssue {
  return { path: p.path, message: p.message, ...(p.rule ? { rule: p.rule } : {}) };
}
