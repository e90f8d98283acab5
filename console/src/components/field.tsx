/**
 * Form pieces shared by every screen: a labelled field with its hint and error text (the
 * client's own rule, or the server's 422 issue on that path), and a form-level error.
 */
import type { ComponentChildren } from 'preact';
import { ApiError } from '../api';

export interface FieldProps {
  /** The input's id; also the label's `for`. */
  id: string;
  label: string;
  /** Error text(s) to show under the field; empty or undefined = none. */
  error?: string | readonly string[] | undefined;
  hint?: string;
  children: ComponentChildren;
}

const errorsOf = (e: FieldProps['error']): readonly string[] => (e === undefined ? [] : typeof e === 'string' ? [e] : e);

/** The input (as children) with `aria-invalid` and `aria-describedby` wired by the caller through `fieldAria`. */
export function Field({ id, label, error, hint, children }: FieldProps) {
  const errors = errorsOf(error);
  return (
    <div class={`field${errors.length > 0 ? ' field-invalid' : ''}`}>
      <label for={id}>{label}</label>
      {children}
      {hint ? (
        <p class="field-hint" id={`${id}-hint`}>
          {hint}
        </p>
      ) : null}
      {errors.length > 0 ? (
        <p class="field-error" id={`${id}-error`} role="alert" data-field-error={id}>
          {errors.join('; ')}
        </p>
      ) : null}
    </div>
  );
}

/** The ARIA attributes an input inside a Field should carry. */
export function fieldAria(id: string, error: FieldProps['error'], hint?: string) {
  const invalid = errorsOf(error).length > 0;
  const described = [hint ? `${id}-hint` : '', invalid ? `${id}-error` : ''].filter(Boolean).join(' ');
  return { 'aria-invalid': invalid, ...(described ? { 'aria-describedby': described } : {}) };
}

export interface TextFieldProps {
  id: string;
  label: string;
  value: string;
  onInput: (value: string) => void;
  error?: FieldProps['error'];
  hint?: string;
  type?: 'text' | 'password' | 'url' | 'number' | 'datetime-local' | 'search';
  placeholder?: string;
  autoComplete?: string;
  disabled?: boolean;
  required?: boolean;
}

export function TextField(p: TextFieldProps) {
  return (
    <Field id={p.id} label={p.label} error={p.error} {...(p.hint ? { hint: p.hint } : {})}>
      <input
        id={p.id}
        name={p.id}
        // One input element for every text-like type: Preact's types split inputs by type, and tsc
        // needs this assertion (which the linter, checking the attribute alone, thinks unneeded).
        // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion
        type={(p.type ?? 'text') as 'text'}
        value={p.value}
        onInput={(e) => p.onInput(e.currentTarget.value)}
        placeholder={p.placeholder}
        autoComplete={p.autoComplete ?? 'off'}
        disabled={p.disabled}
        required={p.required}
        {...fieldAria(p.id, p.error, p.hint)}
      />
    </Field>
  );
}

/** A one-field form's error as it shows it: the API's issues on `path` under the field; anything else under the form. */
export function fieldOrFormError(error: unknown, path: string): { field: string[]; form: unknown } {
  const field = error instanceof ApiError ? error.issuesAt(path) : [];
  return { field, form: field.length > 0 ? undefined : error };
}

/** An error that belongs to no one field: its message, its code and the request id to quote. */
export function FormError({ error }: { error: unknown }) {
  if (error === undefined || error === null) return null;
  const api = error instanceof ApiError ? error : undefined;
  const message = api ? api.message : error instanceof Error ? error.message : 'something went wrong';
  return (
    <div class="form-error" role="alert" data-error-code={api?.code}>
      <strong>{message}</strong>
      {api ? (
        <span class="muted">
          {' '}
          ({api.code}
          {api.requestId ? `, request ${api.requestId}` : ''}
          {api.retryAfter ? `, retry in ${api.retryAfter} s` : ''})
        </span>
      ) : null}
    </div>
  );
}
