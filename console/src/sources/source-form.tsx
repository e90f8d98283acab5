/** Create a source: its id, kind and authentication (and a Kognitiv source's field mapping), checked as typed. */
import { useMemo, useState } from 'preact/hooks';
import { ApiError, send } from '../api';
import { Field, FormError, TextField, fieldAria } from '../components/field';
import { addError, placeIssues, type FieldErrors } from '../webhooks/field-errors';
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
  const [draft, setDraft] = useState<SourceDraft>(emptySource);
  const [touched, setTouched] = useState<ReadonlySet<string>>(new Set());
  const [tried, setTried] = useState(false);
  const [server, setServer] = useState<FieldErrors>({});
  const [error, setError] = useState<unknown>(undefined);
  const [saving, setSaving] = useState(false);
  const errors = useMemo(() => checkSource(draft, existingIds), [draft, existingIds]);
  const shown = (field: string): string[] => [
    ...((tried || touched.has(field) ? errors[field] : undefined) ?? []),
    ...(server[field] ?? []),
  ];
  const change = (field: string, next: SourceDraft) => {
    setDraft(next);
    setTouched((t) => new Set([...t, field]));
    setServer((s) => Object.fromEntries(Object.entries(s).filter(([f]) => f !== field)));
  };

  const create = async () => {
    setTried(true);
    setError(undefined);
    if (Object.keys(errors).length > 0) return;
    setSaving(true);
    try {
      await send('POST', '/v1/sources', sourceBody(draft));
      onCreated(draft.id);
    } catch (err) {
      if (err instanceof ApiError && err.code === 'name_taken') setServer({ id: [err.message] });
      else if (err instanceof ApiError && err.issues.length > 0) {
        const placed = placeIssues(err.issues, sourceFieldFor);
        const fields: FieldErrors = { ...placed.fields };
        for (const m of placed.unplaced) addError(fields, '', m);
        setServer(fields);
      } else setError(err);
    } finally {
      setSaving(false);
    }
  };

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
        onInput={(v) => change('id', { ...draft, id: v })}
        error={shown('id')}
        hint="Used in the URL: POST /v1/sources/{id}/events"
      />
      <Field id="source-kind" label="Kind" error={shown('kind')}>
        <select
          id="source-kind"
          value={draft.kind}
          onChange={(e) => change('kind', { ...draft, kind: e.currentTarget.value as SourceKind })}
        >
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
        onInput={(v) => change('description', { ...draft, description: v })}
      />
      {NAMED_KINDS.includes(draft.kind) ? (
        <TextField
          id="source-eventName"
          label={draft.kind === 'kognitiv' ? 'Fixed event name (or an event name path below)' : 'Event name (default clevertapWebhook)'}
          value={draft.eventName}
          onInput={(v) => change('eventName', { ...draft, eventName: v })}
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
              onInput={(v) => change(`mapping.${f.key}`, { ...draft, mapping: { ...draft.mapping, [f.key]: v } })}
              error={shown(`mapping.${f.key}`)}
            />
          ))}
        </fieldset>
      ) : null}
      <Field id="source-auth-type" label="Authentication" error={shown('authType')}>
        <select
          id="source-auth-type"
          value={draft.authType}
          onChange={(e) => change('authType', { ...draft, authType: e.currentTarget.value as AuthType, auth: {} })}
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
          onInput={(v) => change(`auth.${f.key}`, { ...draft, auth: { ...draft.auth, [f.key]: v } })}
          error={shown(`auth.${f.key}`)}
          {...(f.secret ? { hint: 'Stored encrypted; shown afterwards only as ****1234' } : {})}
        />
      ))}
      {server[''] ? <FormError error={new Error(server[''].join('; '))} /> : null}
      <FormError error={error} />
      <button type="submit" disabled={saving} data-action="create-source">
        Create source
      </button>
    </form>
  );
}
