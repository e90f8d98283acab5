/**
 * The notification form's event picker: Capillary's catalog with a search box, a box per event,
 * and a `>` beside each that opens its complete JSON schema (GET /v1/event-types/{name}/schema).
 */
import { useState } from 'preact/hooks';
import { getJson, seg } from '../api';
import { FormError } from '../components/field';
import { useLoad } from '../components/use-load';

export interface EventPickerProps {
  selected: readonly string[];
  disabled?: boolean;
  error?: readonly string[] | undefined;
  onChange: (events: string[]) => void;
}

function Schema({ name }: { name: string }) {
  const { data, error, loading } = useLoad((signal) => getJson<unknown>(`/v1/event-types/${seg(name)}/schema`, signal), [name]);
  if (loading) return <p class="muted">Loading the schema…</p>;
  if (error) return <FormError error={error} />;
  return (
    <pre class="schema" data-schema={name}>
      {JSON.stringify(data, null, 2)}
    </pre>
  );
}

export function EventPicker({ selected, disabled, error, onChange }: EventPickerProps) {
  const { data, error: loadError } = useLoad((signal) => getJson<{ capillary: string[] }>('/v1/event-types', signal), []);
  const [search, setSearch] = useState('');
  const [open, setOpen] = useState<string | undefined>(undefined);
  const needle = search.trim().toLowerCase();
  const events = (data?.capillary ?? []).filter((e) => needle === '' || e.toLowerCase().includes(needle));
  const toggle = (name: string, on: boolean) => onChange(on ? [...selected, name] : selected.filter((e) => e !== name));
  return (
    <fieldset class={`event-picker${error && error.length > 0 ? ' field-invalid' : ''}`} aria-label="Events">
      <legend>Events</legend>
      {disabled ? <p class="field-hint">Fixed after creation: create a new notification for other events.</p> : null}
      <input
        id="event-search"
        type="search"
        placeholder="Search events"
        aria-label="Search events"
        value={search}
        onInput={(e) => setSearch(e.currentTarget.value)}
      />
      {selected.length > 0 ? (
        <p class="muted" data-selected-events>
          Selected:{' '}
          {selected.map((e) => (
            <code key={e} class="chip">
              {e}
            </code>
          ))}
        </p>
      ) : null}
      {error && error.length > 0 ? (
        <p class="field-error" role="alert" data-field-error="events">
          {error.join('; ')}
        </p>
      ) : null}
      <FormError error={loadError} />
      <ul>
        {events.map((name) => (
          <li key={name} data-event={name}>
            <div class="event-row">
              <label>
                <input
                  type="checkbox"
                  checked={selected.includes(name)}
                  disabled={disabled}
                  onChange={(e) => toggle(name, e.currentTarget.checked)}
                />{' '}
                {name}
              </label>
              <button
                type="button"
                class="schema-toggle"
                aria-expanded={open === name}
                aria-label={`Schema of ${name}`}
                onClick={() => setOpen(open === name ? undefined : name)}
              >
                {open === name ? 'v' : '>'}
              </button>
            </div>
            {open === name ? <Schema name={name} /> : null}
          </li>
        ))}
        {data && events.length === 0 ? <li class="muted">No event matches “{search}”.</li> : null}
      </ul>
    </fieldset>
  );
}
