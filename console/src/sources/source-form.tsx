/** Create a source: its id, kind and authentication (and a Kognitiv source's field mapping), checked as typed. */
import { CreateFormErrors, useCreateForm } from '../components/create-form';
import { Field, TextField, fieldAria } from '../components/field';
import {
  AUTH_FIELDS,
  AUTH_TYPES,
  MAPPING_FIELDS,
  NAMED_KINDS,
  SOURCE_KINDS,
  checkSource,
  emptySource,
  sourceBody,
  sourceFieldFor,
  type AuthType,
  type SourceDraft,
  type SourceKind,
} from './rules';

export function SourceForm({ existingIds, onCreated }: { existingIds: readonly string[]; onCreated: (id: string) => void }) {
  const form = useCreateForm<SourceDraft>({
    initial: emptySource,
    check: (d) => checkSource(d, existingIds),
    deps: [existingIds],
    path: '/v1/sources',
    body: sourceBody,
    fieldFor: sourceFieldFor,
    taken: { codes: ['name_taken'], field: 'id' },
    onCreated: (d) => onCreated(d.id),
  });
  const { draft, shown, edit: change, create } = form;

  return (
    <form
      aria-label="New source"
      onSubmit={(e) => {
        e.preventDefault();
        void create();
      }}
    >
      <h2>New source</h2>
      <TextField
        id="source-id"
        label="Id"
        value={draft.id}
        onInput={(v) => change('id', { id: v })}
        error={shown('id')}
        hint="Used in the URL: POST /v1/sources/{id}/events"
      />
      <Field id="source-kind" label="Kind" error={shown('kind')}>
        <select id="source-kind" value={draft.kind} onChange={(e) => change('kind', { kind: e.currentTarget.value as SourceKind })}>
          {SOURCE_KINDS.map((k) => (
            <option key={k} value={k}>
              {k}
            </option>
          ))}
        </select>
      </Field>
      <TextField
        id="source-description"
        label="Description (optional)"
        value={draft.description}
        onInput={(v) => change('description', { description: v })}
      />
      {NAMED_KINDS.includes(draft.kind) ? (
        <TextField
          id="source-eventName"
          label={draft.kind === 'kognitiv' ? 'Fixed event name (or an event name path below)' : 'Event name (default clevertapWebhook)'}
          value={draft.eventName}
          onInput={(v) => change('eventName', { eventName: v })}
          error={shown('eventName')}
        />
      ) : null}
      {draft.kind === 'kognitiv' ? (
        <fieldset aria-label="Field mapping">
          <legend>Field mapping (JSON paths such as $.member.memberId)</legend>
          {MAPPING_FIELDS.map((f) => (
            <TextField
              key={f.key}
              id={`source-mapping-${f.key}`}
              label={f.optional ? `${f.label} (optional)` : f.label}
              value={draft.mapping[f.key] ?? ''}
              onInput={(v) => change(`mapping.${f.key}`, { mapping: { ...draft.mapping, [f.key]: v } })}
              error={shown(`mapping.${f.key}`)}
            />
          ))}
        </fieldset>
      ) : null}
      <Field id="source-auth-type" label="Authentication" error={shown('authType')}>
        <select
          id="source-auth-type"
          value={draft.authType}
          onChange={(e) => change('authType', { authType: e.currentTarget.value as AuthType, auth: {} })}
          {...fieldAria('source-auth-type', shown('authType'))}
        >
          {AUTH_TYPES.map((t) => (
            <option key={t.value} value={t.value}>
              {t.label}
            </option>
          ))}
        </select>
      </Field>
      {AUTH_FIELDS[draft.authType].map((f) => (
        <TextField
          key={`${draft.authType}-${f.key}`}
          id={`source-auth-${f.key}`}
          label={f.optional ? `${f.label} (optional${f.fallback ? `, default ${f.fallback}` : ''})` : f.label}
          type={f.secret ? 'password' : 'text'}
          autoComplete={f.secret ? 'new-password' : 'off'}
          value={draft.auth[f.key] ?? ''}
          onInput={(v) => change(`auth.${f.key}`, { auth: { ...draft.auth, [f.key]: v } })}
          error={shown(`auth.${f.key}`)}
          {...(f.secret ? { hint: 'Stored encrypted; shown afterwards only as ****1234' } : {})}
        />
      ))}
      <CreateFormErrors form={form} />
      <button type="submit" disabled={form.saving} data-action="create-source">
        Create source
      </button>
    </form>
  );
}
