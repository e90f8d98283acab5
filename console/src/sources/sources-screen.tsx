/** Sources: the list as the API shows it (keys redacted) and a form to create one. */
import { useState } from 'preact/hooks';
import { getJson } from '../api';
import { FormError } from '../components/field';
import { useLoad } from '../components/use-load';
import { SourceForm } from './source-form';
import '../webhooks/forms.css';

interface SourceItem {
  id: string;
  kind: string;
  description?: string;
  auth: Record<string, unknown>;
}

export function SourcesScreen() {
  const { data, error, reload } = useLoad((signal) => getJson<{ items: SourceItem[] }>('/v1/sources', signal), []);
  const items = data?.items ?? [];
  // A new, empty form after each creation (not on every load: a list arriving late must not wipe what is being typed).
  const [created, setCreated] = useState(0);
  return (
    <section>
      <h1>Sources</h1>
      <p class="muted">Who sends events: each posts to /v1/sources/{'{id}'}/events. Secrets are shown only as the API shows them.</p>
      <FormError error={error} />
      <table aria-label="Sources">
        <thead>
          <tr>
            <th>Id</th>
            <th>Kind</th>
            <th>Authentication</th>
            <th>Description</th>
          </tr>
        </thead>
        <tbody>
          {items.map((s) => (
            <tr key={s.id} data-source={s.id}>
              <td>{s.id}</td>
              <td>{s.kind}</td>
              <td>
                {Object.entries(s.auth).map(([k, v]) => (
                  <div key={k}>
                    {k}: <code>{typeof v === 'string' ? v : JSON.stringify(v)}</code>
                  </div>
                ))}
              </td>
              <td>{s.description ?? '—'}</td>
            </tr>
          ))}
          {data && items.length === 0 ? (
            <tr>
              <td colSpan={4} class="muted">
                No sources yet.
              </td>
            </tr>
          ) : null}
        </tbody>
      </table>
      <div class="panel" style={{ maxWidth: '640px' }}>
        <SourceForm
          key={created}
          existingIds={items.map((s) => s.id)}
          onCreated={() => {
            setCreated((n) => n + 1);
            reload();
          }}
        />
      </div>
    </section>
  );
}
