/**
 * A credential set as the console's form holds it, the request it sends (one `credentials:`
 * entry), and its rules: the server's schema (credentialSchema) and the server's checks of a
 * token URL and an API-key header, checked as typed. Secrets are sent as typed and never shown
 * again but as the API shows them (`****3456`).
 */
import { credentialSchema } from '../../../src/config/schema';
import { headerNameProblems, urlTextProblems } from '../../../src/destinations/field-rules';
import { hasEnvRefs } from '../../../src/model/env-ref';
import { addError, head, placeIssues, type FieldErrors } from '../webhooks/field-errors';
import { ENV_REF_REFUSED } from '../webhooks/rules';
import { zodIssues } from '../webhooks/zod-issues';

export const CREDENTIAL_TYPES = [
  { value: 'oauth2', label: 'OAuth 2.0 client credentials' },
  { value: 'basic', label: 'HTTP Basic' },
  { value: 'bearer', label: 'Bearer token' },
  { value: 'apiKey', label: 'API key header' },
] as const;

export type CredentialType = (typeof CREDENTIAL_TYPES)[number]['value'];

export interface CredentialDraft {
  name: string;
  type: CredentialType;
  username: string;
  password: string;
  token: string;
  header: string;
  value: string;
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  scope: string;
  audience: string;
  clientAuth: 'basic' | 'body';
}

/** The fields each type sends, in form order; the secret ones are marked. */
export const CREDENTIAL_FIELDS: Record<
  CredentialType,
  readonly { key: keyof CredentialDraft; label: string; secret?: boolean; optional?: boolean }[]
> = {
  oauth2: [
    { key: 'tokenUrl', label: 'Token URL' },
    { key: 'clientId', label: 'Client id' },
    { key: 'clientSecret', label: 'Client secret', secret: true },
    { key: 'scope', label: 'Scope', optional: true },
    { key: 'audience', label: 'Audience', optional: true },
  ],
  basic: [
    { key: 'username', label: 'User name' },
    { key: 'password', label: 'Password', secret: true },
  ],
  bearer: [{ key: 'token', label: 'Token', secret: true }],
  apiKey: [
    { key: 'header', label: 'Header' },
    { key: 'value', label: 'Value', secret: true },
  ],
};

export function emptyCredential(type: CredentialType = 'oauth2'): CredentialDraft {
  return {
    name: '',
    type,
    username: '',
    password: '',
    token: '',
    header: '',
    value: '',
    tokenUrl: '',
    clientId: '',
    clientSecret: '',
    scope: '',
    audience: '',
    clientAuth: 'basic',
  };
}

/** POST /v1/credentials: the type's own fields only; empty optional ones left out. */
export function credentialBody(d: CredentialDraft): Record<string, unknown> {
  const body: Record<string, unknown> = { name: d.name, type: d.type };
  for (const f of CREDENTIAL_FIELDS[d.type]) {
    const v = d[f.key];
    if (!(f.optional && v === '')) body[f.key] = v;
  }
  if (d.type === 'oauth2') body.clientAuth = d.clientAuth;
  return body;
}

export function checkCredential(d: CredentialDraft, existingNames: readonly string[]): FieldErrors {
  const body = credentialBody(d);
  const parsed = credentialSchema.safeParse(body);
  const errors = parsed.success ? {} : placeIssues(zodIssues(parsed.error, body), head).fields;
  if (existingNames.includes(d.name)) addError(errors, 'name', `a credential set named "${d.name}" exists`);
  if (d.type === 'oauth2' && d.tokenUrl !== '') {
    for (const p of urlTextProblems(d.tokenUrl, false, 'tokenUrl').problems) addError(errors, 'tokenUrl', p.message);
  }
  if (d.type === 'apiKey' && d.header !== '') {
    for (const message of headerNameProblems(d.header)) addError(errors, 'header', message);
  }
  for (const f of CREDENTIAL_FIELDS[d.type]) {
    if (f.secret && hasEnvRefs(d[f.key])) addError(errors, f.key, ENV_REF_REFUSED);
  }
  return errors;
}

/** The API's issue paths on a credential set are its field names (`auth.tokenUrl` when sent inline with a destination). */
export function credentialFieldFor(path: string): string | undefined {
  const field = head(path.replace(/^auth\./, ''));
  return field === 'type' ||
    field === 'name' ||
    field === 'clientAuth' ||
    Object.values(CREDENTIAL_FIELDS).some((fs) => fs.some((f) => f.key === field))
    ? field
    : undefined;
}
