/**
 * The state both webhook forms share: the draft, what the operator has touched (a field's
 * error shows once it is typed in, or after a save was tried), the server's 422 issues placed
 * on their fields (cleared on the field's next edit), and the save itself — POST to create,
 * PUT with If-Match to edit, so a change made meanwhile is refused (412), not overwritten.
 */
import { useEffect, useMemo, useState } from 'preact/hooks';
import { ApiError, getJson, request, seg } from '../api';
import { draftFromResource, emptyDraft, toRequest, type WebhookDraft } from './draft';
import { addError, hasErrors, placeIssues, type FieldErrors } from './field-errors';
import { checkWebhook, webhookFieldFor } from './rules';

interface Named {
  name: string;
}

export interface CredentialSummary {
  name: string;
  type: string;
}

export interface SavedWebhook {
  name: string;
  version: number;
}

export type SaveOutcome = { saved: true } | { saved: false; fields: string[] };

export interface WebhookForm {
  /** Loading the lists (and the destination, on edit); an error loading them. */
  loading: boolean;
  loadError: unknown;
  editing: boolean;
  draft: WebhookDraft;
  update: (change: Partial<WebhookDraft>, touched?: readonly string[]) => void;
  /** Errors to show now, by field: the client's rules (touched fields) and the server's issues. */
  shown: FieldErrors;
  /** Every client rule broken now, touched or not. */
  errors: FieldErrors;
  /** Mark fields as touched (a step's fields when Next is pressed). */
  touch: (fields: readonly string[]) => void;
  credentials: CredentialSummary[];
  addCredential: (credential: CredentialSummary) => void;
  saving: boolean;
  /** What the server said that belongs to no field (and every non-422 error). */
  saveError: unknown;
  unplaced: string[];
  saved: SavedWebhook | undefined;
  /** Saves when every rule holds; the answer names the fields with errors (client or server) when not saved. */
  save: () => Promise<SaveOutcome>;
}

/** Touched fields are field paths or their heads: `headers` covers `headers.1.key`. */
function isTouched(touched: ReadonlySet<string>, field: string, all: boolean): boolean {
  if (all || touched.has(field)) return true;
  const parts = field.split('.');
  return parts.some((_, i) => touched.has(parts.slice(0, i + 1).join('.')));
}

/** `initial`: what a new draft starts with beyond the empty one (the notification form's custom event list). */
export function useWebhookForm(name: string | undefined, initial: Partial<WebhookDraft> = {}): WebhookForm {
  const editing = name !== undefined;
  const [draft, setDraft] = useState<WebhookDraft>(() => ({ ...emptyDraft(), ...initial }));
  const [loading, setLoading] = useState(true);
  const [loadError, setLoadError] = useState<unknown>(undefined);
  const [existing, setExisting] = useState<string[]>([]);
  const [credentials, setCredentials] = useState<CredentialSummary[]>([]);
  const [version, setVersion] = useState<number | undefined>(undefined);
  const [touched, setTouched] = useState<ReadonlySet<string>>(new Set());
  const [tried, setTried] = useState(false);
  const [server, setServer] = useState<FieldErrors>({});
  const [unplaced, setUnplaced] = useState<string[]>([]);
  const [saving, setSaving] = useState(false);
  const [saveError, setSaveError] = useState<unknown>(undefined);
  const [saved, setSaved] = useState<SavedWebhook | undefined>(undefined);

  useEffect(() => {
    const controller = new AbortController();
    const { signal } = controller;
    setLoading(true);
    Promise.all([
      getJson<{ items: Named[] }>('/v1/destinations', signal),
      getJson<{ items: CredentialSummary[] }>('/v1/credentials', signal),
      name === undefined ? Promise.resolve(undefined) : getJson<Record<string, unknown>>(`/v1/destinations/${seg(name)}`, signal),
    ]).then(
      ([destinations, creds, resource]) => {
        if (signal.aborted) return;
        setExisting(destinations.items.map((d) => d.name));
        setCredentials(creds.items.map((c) => ({ name: c.name, type: c.type })));
        if (resource && resource.kind !== 'webhook') {
          setLoadError(new Error(`"${String(resource.name)}" is a ${String(resource.kind)} destination: these forms edit webhooks`));
        } else if (resource) {
          setDraft(draftFromResource(resource));
          setVersion(typeof resource.version === 'number' ? resource.version : undefined);
        }
        setLoading(false);
      },
      (err: unknown) => {
        if (signal.aborted) return;
        setLoadError(err);
        setLoading(false);
      },
    );
    return () => controller.abort();
  }, [name]);

  const errors = useMemo(
    () => checkWebhook(draft, { existingNames: existing, editing, credentialNames: credentials.map((c) => c.name) }),
    [draft, existing, editing, credentials],
  );

  const shown = useMemo(() => {
    const out: FieldErrors = {};
    for (const [field, messages] of Object.entries(errors)) {
      if (isTouched(touched, field, tried)) for (const m of messages) addError(out, field, m);
    }
    for (const [field, messages] of Object.entries(server)) for (const m of messages) addError(out, field, m);
    return out;
  }, [errors, server, touched, tried]);

  const touch = (fields: readonly string[]) => setTouched((t) => new Set([...t, ...fields]));

  const update = (change: Partial<WebhookDraft>, fields: readonly string[] = Object.keys(change)) => {
    setDraft((d) => ({ ...d, ...change }));
    touch(fields);
    // The server's word on a field stands until the field changes.
    setServer((s) =>
      Object.fromEntries(Object.entries(s).filter(([field]) => !fields.some((f) => field === f || field.startsWith(`${f}.`)))),
    );
    setSaved(undefined);
  };

  const save = async (): Promise<SaveOutcome> => {
    setTried(true);
    setSaveError(undefined);
    setUnplaced([]);
    if (hasErrors(errors)) return { saved: false, fields: Object.keys(errors) };
    const { body, headerRows } = toRequest(draft);
    setSaving(true);
    try {
      const answer = editing
        ? await request<SavedWebhook>(`/v1/destinations/${seg(draft.name)}`, {
            method: 'PUT',
            body,
            headers: { 'if-match': version === undefined ? '*' : `"${version}"` },
          })
        : await request<SavedWebhook>('/v1/destinations', { method: 'POST', body });
      setSaved(answer.body);
      setVersion(answer.body.version);
      setExisting((names) => (names.includes(answer.body.name) ? names : [...names, answer.body.name]));
      return { saved: true };
    } catch (err) {
      if (err instanceof ApiError && err.code === 'name_taken') {
        setServer({ name: [err.message] });
        return { saved: false, fields: ['name'] };
      }
      if (err instanceof ApiError && err.issues.length > 0) {
        const placed = placeIssues(err.issues, webhookFieldFor(headerRows));
        setServer(placed.fields);
        setUnplaced(placed.unplaced);
        if (placed.unplaced.length > 0 || !hasErrors(placed.fields)) setSaveError(err);
        return { saved: false, fields: Object.keys(placed.fields) };
      }
      setSaveError(err);
      return { saved: false, fields: [] };
    } finally {
      setSaving(false);
    }
  };

  return {
    loading,
    loadError,
    editing,
    draft,
    update,
    shown,
    errors,
    touch,
    credentials,
    addCredential: (c) => setCredentials((list) => (list.some((x) => x.name === c.name) ? list : [...list, c])),
    saving,
    saveError,
    unplaced,
    saved,
    save,
  };
}
