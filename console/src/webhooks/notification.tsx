/**
 * "New notification", Capillary-style: one form with the webhook's name, URL and headers, the
 * payload enrichment boxes (till, store, customer identifier from a source — card number only
 * once a source is chosen —, awarded reference id, available points balance), advanced
 * settings (maximum allowed connections, delivery SLA) and the event picker. The same webhook
 * destination as the wizard makes, through the same rules.
 */
import { useState } from 'preact/hooks';
import { Field, FormError, TextField, fieldAria } from '../components/field';
import type { RouteProps } from '../router';
import { IDENTIFIER_SOURCES, type EnrichmentDraft } from './draft';
import { EndpointFields } from './endpoint-fields';
import { CUSTOM_GROUP } from './event-groups';
import { EventPicker } from './event-picker';
import { HeaderPairs } from './header-pairs';
import { SaveFeedback, saveDisabled } from './save-feedback';
import { useWebhookForm } from './use-webhook-form';
import './forms.css';

export function NotificationScreen({ params }: RouteProps) {
  const form = useWebhookForm(params.name, { group: CUSTOM_GROUP });
  // Open once opened; and whenever one of its fields has an error to show.
  const [advanced, setAdvanced] = useState(false);
  const { draft, update, shown, editing } = form;
  if (form.loading) return <p class="muted">Loading…</p>;
  if (form.loadError) return <FormError error={form.loadError} />;

  const e = draft.enrichment;
  const enrich = (change: Partial<EnrichmentDraft>) => {
    const next = { ...e, ...change };
    // Card numbers come from the chosen source: without one the box is off and disabled.
    if (!next.customerIdentifiers) next.identifierSource = '';
    if (next.identifierSource === '') next.cardNumbers = false;
    update(
      { enrichment: next },
      Object.keys(change).map((k) => (k === 'identifierSource' ? 'enrichment.customerIdentifiers' : `enrichment.${k}`)),
    );
  };
  const box = (id: string, label: string, key: Exclude<keyof EnrichmentDraft, 'identifierSource'>, disabled = false) => (
    <label>
      <input id={id} type="checkbox" checked={e[key]} disabled={disabled} onChange={(ev) => enrich({ [key]: ev.currentTarget.checked })} />{' '}
      {label}
    </label>
  );
  const title = editing ? `Edit notification ${draft.name}` : 'New notification';

  return (
    <section class="notification-form">
      <h1>{title}</h1>
      <form
        aria-label="Notification"
        onSubmit={(ev) => {
          ev.preventDefault();
          void form.save();
        }}
      >
        <div class="panel">
          <TextField
            id="notification-name"
            label="Webhook name"
            value={draft.name}
            onInput={(v) => update({ name: v })}
            error={shown.name}
            disabled={editing}
            hint="Required, unique (case-sensitive), no trailing spaces"
          />
          <EndpointFields form={form} urlId="notification-url" urlHint="HTTPS; placeholders in the path and query only" />
          <HeaderPairs rows={draft.headers} errors={shown} onChange={(headers, touched) => update({ headers }, touched)} />
        </div>
        <div class="columns">
          <fieldset class="checks" aria-label="Payload enrichment">
            <legend>Payload enrichment</legend>
            {box('enrich-till', 'Till', 'till')}
            {box('enrich-store', 'Store', 'store')}
            {box('enrich-customer-identifiers', 'Customer identifier', 'customerIdentifiers')}
            <div class="nested">
              <Field id="enrich-identifier-source" label="Source" error={shown['enrichment.customerIdentifiers']}>
                <select
                  id="enrich-identifier-source"
                  value={e.identifierSource}
                  disabled={!e.customerIdentifiers}
                  onChange={(ev) => enrich({ identifierSource: ev.currentTarget.value })}
                  {...fieldAria('enrich-identifier-source', shown['enrichment.customerIdentifiers'])}
                >
                  <option value="">Choose a source…</option>
                  {IDENTIFIER_SOURCES.map((s) => (
                    <option key={s.value} value={s.value}>
                      {s.label}
                    </option>
                  ))}
                </select>
              </Field>
              {box('enrich-card-numbers', 'Card number', 'cardNumbers', e.identifierSource === '')}
              {shown['enrichment.cardNumbers'] ? <p class="field-error">{shown['enrichment.cardNumbers'].join('; ')}</p> : null}
            </div>
            {box('enrich-awarded-reference-id', 'Awarded reference id', 'awardedReferenceId')}
            {box('enrich-points-balance', 'Available points balance', 'pointsBalance')}
          </fieldset>
          <details
            class="panel"
            open={advanced || shown.maxConnections !== undefined || shown.slaSeconds !== undefined}
            onToggle={(ev) => setAdvanced(ev.currentTarget.open)}
          >
            <summary>Advanced settings</summary>
            <TextField
              id="notification-max-connections"
              label="Maximum allowed connections"
              value={draft.maxConnections}
              onInput={(v) => update({ maxConnections: v })}
              error={shown.maxConnections}
              placeholder="10"
              hint="Requests in flight to this webhook, all workers together (1–1000; default 10)"
            />
            <TextField
              id="notification-sla-seconds"
              label="Delivery SLA (seconds)"
              value={draft.slaSeconds}
              onInput={(v) => update({ slaSeconds: v })}
              error={shown.slaSeconds}
              placeholder="60"
              hint="Slower deliveries are flagged, not abandoned (default 60)"
            />
          </details>
        </div>
        <EventPicker
          selected={draft.events}
          disabled={editing}
          error={shown.events}
          onChange={(events) => update({ events, group: CUSTOM_GROUP }, ['events'])}
        />
        <SaveFeedback form={form} noun="Notification" base="/notifications" />
        <div class="actions">
          <button type="submit" disabled={saveDisabled(form)} data-action="save">
            {editing ? 'Save changes' : 'Save'}
          </button>
        </div>
      </form>
    </section>
  );
}
