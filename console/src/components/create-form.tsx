/**
 * The state of a form that creates one thing by POST (a credential set, a source): the draft,
 * its rules checked as typed (a field's error shows once it is typed in, or after a create was
 * tried), the server's 422 issues placed on their fields (cleared on the field's next edit), and
 * a name already taken shown on the name's field.
 */
import { useMemo, useState } from 'preact/hooks';
import { ApiError, send } from '../api';
import { addError, hasErrors, placeIssues, type FieldErrors } from '../webhooks/field-errors';
import { FormError } from './field';

export interface CreateFormOptions<D> {
  initial: () => D;
  /** The client's rules; re-run when the draft or one of `deps` changes. */
  check: (draft: D) => FieldErrors;
  deps: readonly unknown[];
  /** Where to POST, and the body for a draft. */
  path: string;
  body: (draft: D) => unknown;
  /** The form field a server issue's path belongs to (undefined: none). */
  fieldFor: (path: string) => string | undefined;
  /** The error codes that mean "this name is taken", and the field that shows them. */
  taken: { codes: readonly string[]; field: string };
  /** With issues that fit no field, show the API error itself too (its code and request id). */
  errorWithUnplaced?: boolean;
  onCreated: (draft: D) => void;
}

export interface CreateForm<D> {
  draft: D;
  /** Errors to show on `field` now: the client's (once touched or tried) and the server's. */
  shown: (field: string) => string[];
  /** Change the draft; `field` is marked touched and loses the server's word on it. */
  edit: (field: string, change: Partial<D>) => void;
  create: () => Promise<void>;
  saving: boolean;
  error: unknown;
  /** The server's issues that fit no field. */
  unplaced: string[] | undefined;
}

export function useCreateForm<D>(o: CreateFormOptions<D>): CreateForm<D> {
  const [draft, setDraft] = useState<D>(o.initial);
  const [touched, setTouched] = useState<ReadonlySet<string>>(new Set());
  const [tried, setTried] = useState(false);
  const [server, setServer] = useState<FieldErrors>({});
  const [error, setError] = useState<unknown>(undefined);
  const [saving, setSaving] = useState(false);
  const errors = useMemo(() => o.check(draft), [draft, ...o.deps]);

  const shown = (field: string): string[] => [
    ...((tried || touched.has(field) ? errors[field] : undefined) ?? []),
    ...(server[field] ?? []),
  ];
  const edit = (field: string, change: Partial<D>) => {
    setDraft((d) => ({ ...d, ...change }));
    setTouched((t) => new Set([...t, field]));
    setServer((s) => Object.fromEntries(Object.entries(s).filter(([f]) => f !== field)));
  };

  const create = async () => {
    setTried(true);
    setError(undefined);
    if (hasErrors(errors)) return;
    setSaving(true);
    try {
      await send('POST', o.path, o.body(draft));
      o.onCreated(draft);
    } catch (err) {
      if (err instanceof ApiError && o.taken.codes.includes(err.code)) {
        setServer({ [o.taken.field]: [err.message] });
      } else if (err instanceof ApiError && err.issues.length > 0) {
        const placed = placeIssues(err.issues, o.fieldFor);
        const fields: FieldErrors = { ...placed.fields };
        for (const m of placed.unplaced) addError(fields, '', m);
        setServer(fields);
        if (o.errorWithUnplaced && placed.unplaced.length > 0) setError(err);
      } else setError(err);
    } finally {
      setSaving(false);
    }
  };

  return { draft, shown, edit, create, saving, error, unplaced: server[''] };
}

/** The create form's errors that belong to no field: the server's unplaced issues, then the request's error. */
export function CreateFormErrors({ form }: { form: Pick<CreateForm<unknown>, 'unplaced' | 'error'> }) {
  return (
    <>
      {form.unplaced ? <FormError error={new Error(form.unplaced.join('; '))} /> : null}
      <FormError error={form.error} />
    </>
  );
}
