/** Where a webhook posts: its URL and the credential set it authenticates with, as both webhook forms show them. */
import { TextField } from '../components/field';
import type { CredentialType } from '../credentials/rules';
import { CredentialSelect } from './credential-select';
import type { WebhookForm } from './use-webhook-form';

export interface EndpointFieldsProps {
  form: WebhookForm;
  /** The URL input's id (each form keeps its own). */
  urlId: string;
  urlHint: string;
  required?: boolean;
  /** Only credential sets of these types are offered (the wizard: OAuth 2.0). */
  types?: readonly CredentialType[];
}

export function EndpointFields({ form, urlId, urlHint, required, types }: EndpointFieldsProps) {
  const { draft, update, shown } = form;
  return (
    <>
      <TextField
        id={urlId}
        label="URL"
        type="url"
        value={draft.url}
        onInput={(v) => update({ url: v })}
        error={shown.url}
        placeholder="https://hooks.example.com/loyalty/{{ event.name }}"
        hint={urlHint}
        {...(required ? { required } : {})}
      />
      <CredentialSelect
        value={draft.auth}
        credentials={form.credentials}
        {...(types ? { types } : {})}
        error={shown.auth}
        onChange={(auth) => update({ auth })}
        onCreated={form.addCredential}
      />
    </>
  );
}
