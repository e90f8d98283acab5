/** The event catalog (GET /v1/event-types), searchable; each name opens its JSON Schema. */
import { useState } from 'preact/hooks';
import { getJson } from '../api';
import { FormError } from '../components/field';
import { useLoad } from '../components/use-load';
import { Link } from '../router';

interface EventTypes {
  capillary: string[];
  sourceKinds: { kind: string; anyName: boolean; catalog?: string[]; nameFrom: string }[];
}

export function EventTypesScreen() {
  const [search, setSearch] = useState('');
  const { data, error } = useLoad((signal) => getJson<EventTypes>('/v1/event-types', signal), []);
  const needle = search.trim().toLowerCase();
  const names = (data?.capillary ?? []).filter((n) => n.toLowerCase().includes(needle)).sort((a, b) => a.localeCompare(b));
  const open = (data?.sourceKinds ?? []).filter((k) => k.anyName).map((k) => k.kind);
  return (
    <section>
      <h1>Event catalog</h1>
      <div class="toolbar">
        <label for="event-search">Search</label>
        <input id="event-search" type="search" value={search} onInput={(e) => setSearch(e.currentTarget.value)} placeholder="e.g. points" />
        {data ? (
          <span class="muted" data-count={names.length}>
            {names.length} of {data.capillary.length} events
          </span>
        ) : null}
      </div>
      <FormError error={error} />
      <table class="catalog">
        <thead>
          <tr>
            <th>Event (Capillary catalog; names are case-sensitive)</th>
            <th>Schema</th>
          </tr>
        </thead>
        <tbody>
          {names.map((name) => (
            <tr key={name} data-event={name}>
              <td>
                <code>{name}</code>
              </td>
              <td>
                <Link to={`/event-types/${encodeURIComponent(name)}`} title={`The JSON Schema of ${name}`}>
                  &gt;
                </Link>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {open.length > 0 ? (
        <p class="muted small">Sources of kind {open.join(', ')} relay any event name; they have no catalog and no per-event schema.</p>
      ) : null}
    </section>
  );
}
