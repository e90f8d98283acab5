/** Credential sets: the list as the API shows it (secrets redacted, `****7890`) and a form to create one. */
import { getJson } from '../api';
import { FormError } from '../components/field';
import { EmptyRow, SettingLines, useFreshForm } from '../components/list-screen';
import { useLoad } from '../components/use-load';
import { CredentialForm } from './credential-form';
import '../webhooks/forms.css';

interface CredentialItem {
  name: string;
  type: string;
  referencedBy: string[];
  [field: string]: unknown;
}

/** The fields worth a column: everything the API shows but metadata. */
const HIDDEN = new Set(['name', 'type', 'version', 'createdAt', 'updatedAt', 'secrets', 'referencedBy', 'allowInsecureHttp']);

export function CredentialsScreen() {
  const { data, error, reload } = useLoad((signal) => getJson<{ items: CredentialItem[] }>('/v1/credentials', signal), []);
  const items = data?.items ?? [];
  const fresh = useFreshForm(reload);
  return (
    <section>
      <h1>Credential sets</h1>
      <p class="muted">
        How the relay authenticates to destinations. One set may serve many webhooks; secrets are shown only as the API shows them.
      </p>
      <FormError error={error} />
      <table aria-label="Credential sets">
        <thead>
          <tr>
            <th>Name</th>
            <th>Type</th>
            <th>Settings</th>
            <th>Used by</th>
          </tr>
        </thead>
        <tbody>
          {items.map((c) => (
            <tr key={c.name} data-credential={c.name}>
              <td>{c.name}</td>
              <td>{c.type}</td>
              <td>
                <SettingLines entries={Object.entries(c).filter(([k]) => !HIDDEN.has(k))} />
              </td>
              <td>{c.referencedBy.length > 0 ? c.referencedBy.join(', ') : '—'}</td>
            </tr>
          ))}
          <EmptyRow show={data !== undefined && items.length === 0} columns={4} text="No credential sets yet." />
        </tbody>
      </table>
      <div class="panel" style={{ maxWidth: '640px' }}>
        <CredentialForm key={fresh.key} idPrefix="credential" existingNames={items.map((c) => c.name)} onCreated={fresh.created} />
      </div>
    </section>
  );
}
