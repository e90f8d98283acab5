/** Credential sets: the list as the API shows it (secrets redacted, `****7890`) and a form to create one. */
import { useState } from 'preact/hooks';
import { getJson } from '../api';
import { FormError } from '../components/field';
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
  // A new, empty form after each creation (not on every load: a list arriving late must not wipe what is being typed).
  const [created, setCreated] = useState(0);
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
                {Object.entries(c)
                  .filter(([k]) => !HIDDEN.has(k))
                  .map(([k, v]) => (
                    <div key={k}>
                      {k}: <code>{typeof v === 'string' ? v : JSON.stringify(v)}</code>
                    </div>
                  ))}
              </td>
              <td>{c.referencedBy.length > 0 ? c.referencedBy.join(', ') : '—'}</td>
            </tr>
          ))}
          {data && items.length === 0 ? (
            <tr>
              <td colSpan={4} class="muted">
                No credential sets yet.
              </td>
            </tr>
          ) : null}
        </tbody>
      </table>
      <div class="panel" style={{ maxWidth: '640px' }}>
        <CredentialForm
          key={created}
          idPrefix="credential"
          existingNames={items.map((c) => c.name)}
          onCreated={() => {
            setCreated((n) => n + 1);
            reload();
          }}
        />
      </div>
    </section>
  );
}
