/**
 * "Create a Webhook", Kognitiv-style: a wizard of steps — details, event group, endpoint,
 * headers, body — then a review and submit. Every rule is checked as typed; Next stays on a
 * step whose fields break one (on edit, every step can be opened directly). Editing opens the same steps with the webhook as stored; its
 * name and event group are fixed (the API refuses a change: 409 immutable_field).
 */
import { useState } from 'preact/hooks';
import { Field, FormError, TextField, fieldAria } from '../components/field';
import type { RouteProps } from '../router';
import { EndpointFields } from './endpoint-fields';
import { head } from './field-errors';
import { CUSTOM_GROUP, EVENT_GROUPS, eventsOfGroup, parseEventList } from './event-groups';
import { HeaderPairs } from './header-pairs';
import { Review } from './review';
import { SaveFeedback, saveDisabled } from './save-feedback';
import { useWebhookForm } from './use-webhook-form';
import './forms.css';

/** The steps, each with the fields it shows (by their first path segment: `headers` covers `headers.1.key`). */
const STEPS: readonly { id: string; title: string; fields: readonly string[] }[] = [
  { id: 'details', title: 'Details', fields: ['name', 'description'] },
  { id: 'events', title: 'Event group', fields: ['events'] },
  { id: 'endpoint', title: 'Endpoint', fields: ['url', 'auth'] },
  { id: 'headers', title: 'Headers', fields: ['headers'] },
  { id: 'body', title: 'Body', fields: ['body'] },
  { id: 'review', title: 'Review', fields: [] },
];

const REVIEW = STEPS.length - 1;

/** The step showing a field (an error's field decides where the wizard goes back to); the review shows the rest. */
function stepOf(field: string): number {
  const i = STEPS.findIndex((s) => s.fields.includes(head(field)));
  return i === -1 ? REVIEW : i;
}

export function WebhookWizardScreen({ params }: RouteProps) {
  const form = useWebhookForm(params.name);
  const { draft, update, shown, errors, editing } = form;
  const [step, setStep] = useState(0);
  const [customText, setCustomText] = useState<string | undefined>(undefined);

  if (form.loading) return <p class="muted">Loading…</p>;
  if (form.loadError) return <FormError error={form.loadError} />;

  const fieldsOf = (i: number) => Object.keys(errors).filter((f) => stepOf(f) === i);
  const next = () => {
    const broken = fieldsOf(step);
    form.touch([...(STEPS[step]?.fields ?? []), ...broken]);
    if (broken.length === 0) setStep(step + 1);
  };
  /** Save; when refused, go back to the first step showing a field in error (a server issue included). */
  const submit = async () => {
    const outcome = await form.save();
    if (!outcome.saved) setStep(Math.min(...outcome.fields.map(stepOf), REVIEW));
  };
  const custom = customText ?? (draft.group === CUSTOM_GROUP ? draft.events.join(', ') : '');
  const title = editing ? `Edit webhook ${draft.name}` : 'Create a Webhook';

  return (
    <section class="wizard" aria-label={title}>
      <h1>{title}</h1>
      <ol class="steps">
        {STEPS.map((s, i) => (
          <li key={s.id} class={i === step ? 'current' : i < step ? 'done' : ''} aria-current={i === step ? 'step' : undefined}>
            {i < step || (editing && i !== step) ? (
              <button type="button" class="link" onClick={() => setStep(i)}>
                {i + 1}. {s.title}
              </button>
            ) : (
              `${i + 1}. ${s.title}`
            )}
          </li>
        ))}
      </ol>
      <form
        class="panel"
        aria-label="Webhook"
        data-step={STEPS[step]?.id}
        onSubmit={(e) => {
          e.preventDefault();
          if (step < REVIEW) next();
          else void submit();
        }}
      >
        {step === 0 ? (
          <>
            <TextField
              id="webhook-name"
              label="Name"
              value={draft.name}
              onInput={(v) => update({ name: v })}
              error={shown.name}
              hint={editing ? "The webhook's key: fixed after creation" : 'Required, unique (case-sensitive), no trailing spaces'}
              disabled={editing}
              required
            />
            <Field id="webhook-description" label="Description (optional)" error={shown.description}>
              <textarea
                id="webhook-description"
                rows={2}
                value={draft.description}
                onInput={(e) => update({ description: e.currentTarget.value })}
              />
            </Field>
          </>
        ) : null}
        {step === 1 ? (
          <>
            <Field
              id="webhook-group"
              label="Event group"
              error={shown.events}
              hint={
                editing
                  ? 'Fixed after creation: create a new webhook for other events'
                  : 'Chosen once: it cannot change after the webhook is created'
              }
            >
              <select
                id="webhook-group"
                value={draft.group}
                disabled={editing}
                onChange={(e) => {
                  const group = e.currentTarget.value;
                  update({ group, events: group === CUSTOM_GROUP ? parseEventList(custom) : [...eventsOfGroup(group)] }, ['events']);
                }}
                {...fieldAria('webhook-group', shown.events)}
              >
                <option value="" disabled>
                  Choose a group…
                </option>
                {EVENT_GROUPS.map((g) => (
                  <option key={g.id} value={g.id}>
                    {g.label}
                  </option>
                ))}
                <option value={CUSTOM_GROUP}>Custom list of events</option>
              </select>
            </Field>
            {draft.group === CUSTOM_GROUP && !editing ? (
              <Field
                id="webhook-events"
                label="Event names"
                hint="Case-sensitive, separated by commas or spaces (e.g. profileUpdated for a server source)"
              >
                <textarea
                  id="webhook-events"
                  rows={2}
                  value={custom}
                  onInput={(e) => {
                    const text = e.currentTarget.value;
                    setCustomText(text);
                    update({ events: parseEventList(text) }, ['events']);
                  }}
                />
              </Field>
            ) : null}
            {draft.events.length > 0 ? (
              <p class="muted" data-events>
                Subscribes to:{' '}
                {draft.events.map((e) => (
                  <code key={e} class="chip">
                    {e}
                  </code>
                ))}
              </p>
            ) : null}
          </>
        ) : null}
        {step === 2 ? (
          <>
            <Field id="webhook-method" label="Method" hint="Webhooks are POST only">
              <select id="webhook-method" value="POST" disabled>
                <option value="POST">POST</option>
              </select>
            </Field>
            <EndpointFields
              form={form}
              urlId="webhook-url"
              urlHint="HTTPS; placeholders such as {{ event.customer.id }} in the path and query only"
              required
              types={['oauth2']}
            />
          </>
        ) : null}
        {step === 3 ? (
          <HeaderPairs rows={draft.headers} errors={shown} onChange={(headers, touched) => update({ headers }, touched)} />
        ) : null}
        {step === 4 ? (
          <Field
            id="webhook-body"
            label="Body (optional)"
            error={shown.body}
            hint='JSON with placeholders, e.g. {"customer": "{{ event.customer.id }}"}; empty: the canonical event and its enrichment'
          >
            <textarea
              id="webhook-body"
              class="code"
              rows={10}
              value={draft.body}
              onInput={(e) => update({ body: e.currentTarget.value })}
              {...fieldAria('webhook-body', shown.body)}
            />
          </Field>
        ) : null}
        {step === REVIEW ? <Review form={form} /> : null}
        <SaveFeedback form={form} noun="Webhook" base="/webhooks" />
        <div class="actions wizard-actions">
          {step > 0 ? (
            <button type="button" onClick={() => setStep(step - 1)}>
              Back
            </button>
          ) : null}
          {step < REVIEW ? (
            <button type="submit" data-action="next">
              Next
            </button>
          ) : (
            <button type="submit" disabled={saveDisabled(form)} data-action="submit">
              {editing ? 'Save changes' : 'Create webhook'}
            </button>
          )}
        </div>
      </form>
    </section>
  );
}
