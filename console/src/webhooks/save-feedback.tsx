/**
 * What both webhook forms show after a save: the server's issues that belong to no field, the
 * save's error, and the "saved" notice with its links (the form's own edit route, destinations).
 */
import { FormError } from '../components/field';
import { Link } from '../router';
import type { WebhookForm } from './use-webhook-form';

export interface SaveFeedbackProps {
  form: WebhookForm;
  /** The notice's first word: "Webhook" or "Notification". */
  noun: string;
  /** The route the form lives under, `/webhooks` or `/notifications`; its `/{name}/edit` edits the saved one. */
  base: string;
}

export function SaveFeedback({ form, noun, base }: SaveFeedbackProps) {
  return (
    <>
      {form.unplaced.length > 0 ? (
        <div class="form-error" role="alert">
          {form.unplaced.map((m) => (
            <p key={m}>{m}</p>
          ))}
        </div>
      ) : null}
      <FormError error={form.saveError} />
      {form.saved ? (
        <div class="notice" role="status" data-saved={form.saved.name}>
          {noun} <strong>{form.saved.name}</strong> {form.editing ? 'saved' : 'created'} (version {form.saved.version}).{' '}
          <Link to={`${base}/${encodeURIComponent(form.saved.name)}/edit`}>Edit it</Link> · <Link to="/destinations">Destinations</Link>
        </div>
      ) : null}
    </>
  );
}

/** A new webhook is saved once (its form then offers the links); an edit may be saved again. */
export function saveDisabled(form: WebhookForm): boolean {
  return form.saving || (form.saved !== undefined && !form.editing);
}
