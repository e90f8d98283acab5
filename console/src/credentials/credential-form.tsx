/**
 * Create a credential set: on the credential sets screen, and in-flow from the webhook forms
 * (so it renders no <form> of its own — it sits inside theirs). Every rule is checked as typed;
 * the server's 422 issues land on the field they name.
 */
import { useMemo, useState } from 'preact/hooks';
import { ApiError, send } from '../api';
import { Field, FormError, TextField, fieldAria } from '../components/field';
import { addError, placeIssues, type FieldErrors } from '../webhooks/field-errors';
import {
  CREDENTIAL_FIELDS,
  CREDENTIAL_TYPES,
  checkCredential,
  credentialBody,
  credentialFieldFor,
  emptyCredential,
  type CredentialDraft,
  type CredentialType,
} from './rules';

export interface CredentialFormProps {
  /** Prefix of the inputs' ids (two forms may share a page). */
  idPrefix: string;
  existingNames: readonly string[];
  /** Only these types (the wizard offers OAuth 2.0 only, as Kognitiv's does). */
  types?: readonly CredentialType[];
  onCreated: (name: string, type: CredentialType) => void;
  onCancel?: () => void;
}

export function CredentialForm({ idPrefix, existingNames, types, onCreated, onCancel }: CredentialFormProps) {
  const offered = CREDENTIAL_TYPES.filter((t) => !types || types.includes(t.value));
  const [draft, setDraft] = useState<CredentialDraft>(() => emptyCredential(offered[0]?.value ?? 'oauth2'));
  const [touched, setTouched] = useState<ReadonlySet<string>>(new Set());
  const [tried, setTried] = useState(false);
  const [server, setServer] = useState<FieldErrors>({});
  const [error, setError] = useState<unknown>(undefined);
  const [saving, setSaving] = useState(false);
  const errors = useMemo(() => checkCredential(draft, existingNames), [draft, existingNames]);

  const shown = (field: string): string[] => [
    ...((tried || touched.has(field) ? errors[field] : undefined) ?? []),
    ...(server[field] ?? []),
  ];
  const set = (field: keyof CredentialDraft, value: string) => {
    setDraft((d) => ({ ...d, [field]: value }));
    setTouched((t) => new Set([...t, field]));
    setServer((s) => Object.fromEntries(Object.entries(s).filter(([f]) => f !== field)));
  };

  const create = async () => {
    setTried(true);
    setError(undefined);
    if (Object.keys(errors).length > 0) return;
    setSaving(true);
    try {
      await send('POST', '/v1/credentials', credentialBody(draft));
      onCreated(draft.name, draft.type);
    } catch (err) {
      if (err instanceof ApiError && (err.code === 'name_taken' || err.code === 'credential_exists')) {
        setServer({ name: [err.message] });
      } else if (err instanceof ApiError && err.issues.length > 0) {
        const placed = placeIssues(err.issues, credentialFieldFor);
        const fields: FieldErrors = { ...placed.fields };
        for (const m of placed.unplaced) addError(fields, '', m);
        setServer(fields);
        if (placed.unplaced.length > 0) setError(err);
      } else setError(err);
    } finally {
      setSaving(false);
    }
  };

  const id = (f: string) => `${idPrefix}-${f}`;
  return (
    <fieldset
      class="credential-form"
      aria-label="New credential set"
      onKeyDown={(e) => {
        // Enter creates the set rather than submitting the form it sits in (the wizard's Next).
        if (e.key === 'Enter' && (e.target as HTMLElement).tagName === 'INPUT') {
          e.preventDefault();
          void create();
        }
      }}
    >
      <legend>New credential set</legend>
      <TextField
        id={id('name')}
        label="Name"
        value={draft.name}
        onInput={(v) => set('name', v)}
        error={shown('name')}
        hint="Letters, digits, _ . - ; unique"
      />
      {offered.length > 1 ? (
        <Field id={id('type')} label="Type" error={shown('type')}>
          <select
            id={id('type')}
            value={draft.type}
            onChange={(e) => set('type', e.currentTarget.value)}
            {...fieldAria(id('type'), shown('type'))}
          >
            {offered.map((t) => (
              <option key={t.value} value={t.value}>
                {t.label}
              </option>
            ))}
          </select>
        </Field>
      ) : (
        <p class="muted">Type: {offered[0]?.label}</p>
      )}
      {CREDENTIAL_FIELDS[draft.type].map((f) => (
        <TextField
          key={f.key}
          id={id(f.key)}
          label={f.optional ? `${f.label} (optional)` : f.label}
          type={f.secret ? 'password' : f.key === 'tokenUrl' ? 'url' : 'text'}
          autoComplete={f.secret ? 'new-password' : 'off'}
          value={draft[f.key]}
          onInput={(v) => set(f.key, v)}
          error={shown(f.key)}
          {...(f.secret ? { hint: 'Stored encrypted; shown afterwards only as ****1234' } : {})}
        />
      ))}
      {draft.type === 'oauth2' ? (
        <Field id={id('clientAuth')} label="Client authentication" error={shown('clientAuth')}>
          <select id={id('clientAuth')} value={draft.clientAuth} onChange={(e) => set('clientAuth', e.currentTarget.value)}>
            <option value="basic">HTTP Basic to the token endpoint</option>
            <option value="body">client_id and client_secret in the form</option>
          </select>
        </Field>
      ) : null}
      {server[''] ? <FormError error={new Error(server[''].join('; '))} /> : null}
      <FormError error={error} />
      <div class="actions">
        <button type="button" class="primary" disabled={saving} onClick={() => void create()} data-action="create-credential">
          Create credential set
        </button>
        {onCancel ? (
          <button type="button" onClick={onCancel}>
            Cancel
          </button>
        ) : null}
      </div>
    </fieldset>
  );
}
