/**
 * Create a credential set: on the credential sets screen, and in-flow from the webhook forms
 * (so it renders no <form> of its own — it sits inside theirs). Every rule is checked as typed;
 * the server's 422 issues land on the field they name.
 */
import { CreateFormErrors, useCreateForm } from '../components/create-form';
import { Field, TextField, fieldAria } from '../components/field';
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
  const form = useCreateForm<CredentialDraft>({
    initial: () => emptyCredential(offered[0]?.value ?? 'oauth2'),
    check: (d) => checkCredential(d, existingNames),
    deps: [existingNames],
    path: '/v1/credentials',
    body: credentialBody,
    fieldFor: credentialFieldFor,
    taken: { codes: ['name_taken', 'credential_exists'], field: 'name' },
    errorWithUnplaced: true,
    onCreated: (d) => onCreated(d.name, d.type),
  });
  const { draft, shown, create } = form;
  const set = (field: keyof CredentialDraft, value: string) => form.edit(field, { [field]: value });

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
      <CreateFormErrors form={form} />
      <div class="actions">
        <button type="button" class="primary" disabled={form.saving} onClick={() => void create()} data-action="create-credential">
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
