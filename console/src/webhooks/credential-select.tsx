/**
 * Zero or one credential set: `<None>` or one of the sets that exist, or a new one created
 * in-flow (it is created at once, then chosen). The wizard offers OAuth 2.0 sets, as
 * Kognitiv's does; a set the webhook already uses is listed whatever its type.
 */
import { useState } from 'preact/hooks';
import { Field, fieldAria } from '../components/field';
import { CredentialForm } from '../credentials/credential-form';
import type { CredentialType } from '../credentials/rules';
import type { CredentialSummary } from './use-webhook-form';

export interface CredentialSelectProps {
  value: string;
  credentials: readonly CredentialSummary[];
  /** Only sets of these types are offered (and created). */
  types?: readonly CredentialType[];
  error?: readonly string[] | undefined;
  onChange: (name: string) => void;
  onCreated: (credential: CredentialSummary) => void;
}

export function CredentialSelect({ value, credentials, types, error, onChange, onCreated }: CredentialSelectProps) {
  const [creating, setCreating] = useState(false);
  const offered = credentials.filter((c) => !types || types.includes(c.type as CredentialType) || c.name === value);
  return (
    <div>
      <Field
        id="webhook-auth"
        label="Credential set"
        error={error}
        hint="Sent as the Authorization of every request; one set may serve many webhooks"
      >
        <div class="inline-row">
          <select id="webhook-auth" value={value} onChange={(e) => onChange(e.currentTarget.value)} {...fieldAria('webhook-auth', error)}>
            <option value="">{'<None>'}</option>
            {offered.map((c) => (
              <option key={c.name} value={c.name}>
                {c.name} ({c.type})
              </option>
            ))}
          </select>
          {creating ? null : (
            <button type="button" onClick={() => setCreating(true)} data-action="new-credential">
              New credential set…
            </button>
          )}
        </div>
      </Field>
      {creating ? (
        <CredentialForm
          idPrefix="inflow-credential"
          existingNames={credentials.map((c) => c.name)}
          {...(types ? { types } : {})}
          onCreated={(name, type) => {
            onCreated({ name, type });
            onChange(name);
            setCreating(false);
          }}
          onCancel={() => setCreating(false)}
        />
      ) : null}
    </div>
  );
}
