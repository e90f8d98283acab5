/** Sources: the list as the API shows it (keys redacted) and a form to create one. */
import { getJson } from '../api';
import { FormError } from '../components/field';
import { EmptyRow, SettingLines, useFreshForm } from '../components/list-screen';
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
  const fresh = useFreshForm(reload);
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
                <SettingLines entries={Object.entries(s.auth)} />
              </td>
              <td>{s.description ?? '—'}</td>
            </tr>
          ))}
          <EmptyRow show={data !== undefined && items.length === 0} columns={4} text="No sources yet." />
        </tbody>
      </table>
      <div class="panel" style={{ maxWidth: '640px' }}>
        <SourceForm key={fresh.key} existingIds={items.map((s) => s.id)} onCreated={fresh.created} />
      </div>
    </section>
  );
}
