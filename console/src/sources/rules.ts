/**
 * A source as the console's form holds it, the request it sends (one `sources:` entry) and its
 * rules: the server's own schema (sourceSchema), checked as typed. Secrets are sent as typed and
 * shown afterwards only as the API shows them.
 */
import { sourceSchema } from '../../../src/config/schema';
import { hasEnvRefs } from '../../../src/model/env-ref';
import { SOURCE_KINDS } from '../../../src/sources/kinds';
import { addError, placeIssues, type FieldErrors } from '../webhooks/field-errors';
import { ENV_REF_REFUSED } from '../webhooks/rules';
import { zodIssues } from '../webhooks/zod-issues';

export { SOURCE_KINDS };
export type SourceKind = (typeof SOURCE_KINDS)[number];

export const AUTH_TYPES = [
  { value: 'header', label: 'API key header' },
  { value: 'basic', label: 'HTTP Basic' },
  { value: 'signature', label: 'HMAC signature of the body' },
  { value: 'webengage', label: 'WebEngage secret' },
  { value: 'oauth', label: 'OAuth 2.0 client credentials (token endpoint)' },
] as const;

export type AuthType = (typeof AUTH_TYPES)[number]['value'];

export interface SourceDraft {
  id: string;
  kind: SourceKind;
  description: string;
  authType: AuthType;
  /** `auth.<field>` as typed, for the chosen type's fields. */
  auth: Record<string, string>;
  /** Kognitiv and CleverTap: a fixed event name. */
  eventName: string;
  /** Kognitiv: JSON paths into the sender's body. */
  mapping: Record<string, string>;
}

/** Each auth type's fields: secret ones shown as password inputs, optional ones left out when empty. */
export const AUTH_FIELDS: Record<
  AuthType,
  readonly { key: string; label: string; secret?: boolean; optional?: boolean; number?: boolean; fallback?: string }[]
> = {
  header: [
    { key: 'header', label: 'Header', optional: true, fallback: 'X-API-KEY' },
    { key: 'key', label: 'Key', secret: true },
  ],
  basic: [
    { key: 'username', label: 'User name' },
    { key: 'password', label: 'Password', secret: true },
  ],
  signature: [
    { key: 'header', label: 'Header', optional: true, fallback: 'X-Signature' },
    { key: 'algorithm', label: 'Algorithm: sha1 or sha256', optional: true, fallback: 'sha1' },
    { key: 'secret', label: 'Secret', secret: true },
  ],
  webengage: [
    { key: 'licenseCode', label: 'License code' },
    { key: 'secretKey', label: 'Secret key', secret: true },
  ],
  oauth: [
    { key: 'clientId', label: 'Client id' },
    { key: 'clientSecret', label: 'Client secret', secret: true },
    { key: 'tokenTtlSeconds', label: 'Token lifetime in seconds', optional: true, number: true, fallback: '900' },
  ],
};

export const MAPPING_FIELDS = [
  { key: 'memberId', label: 'Member id path', optional: false },
  { key: 'name', label: 'Event name path (or a fixed event name)', optional: true },
  { key: 'id', label: 'Event id path', optional: true },
  { key: 'time', label: 'Event time path', optional: true },
  { key: 'email', label: 'Email path', optional: true },
  { key: 'mobile', label: 'Mobile path', optional: true },
] as const;

/** Kinds that take a fixed event name. */
export const NAMED_KINDS: readonly SourceKind[] = ['kognitiv', 'clevertap'];

export function emptySource(): SourceDraft {
  return { id: '', kind: 'server', description: '', authType: 'header', auth: {}, eventName: '', mapping: {} };
}

/** POST /v1/sources. */
export function sourceBody(d: SourceDraft): Record<string, unknown> {
  const auth: Record<string, unknown> = { type: d.authType };
  for (const f of AUTH_FIELDS[d.authType]) {
    const v = d.auth[f.key] ?? '';
    if (f.optional && v.trim() === '') continue;
    auth[f.key] = f.number && v.trim() !== '' ? Number(v) : v;
  }
  const body: Record<string, unknown> = { id: d.id, kind: d.kind, auth };
  if (d.description.trim() !== '') body.description = d.description;
  if (NAMED_KINDS.includes(d.kind) && d.eventName.trim() !== '') body.eventName = d.eventName.trim();
  if (d.kind === 'kognitiv') {
    body.mapping = Object.fromEntries(
      MAPPING_FIELDS.flatMap((f) => {
        const v = (d.mapping[f.key] ?? '').trim();
        return v === '' && f.optional ? [] : [[f.key, v]];
      }),
    );
  }
  return body;
}

/** Form fields: `id`, `kind`, `description`, `eventName`, `auth.<field>`, `mapping.<field>`. */
export function sourceFieldFor(path: string): string | undefined {
  const [first = '', second] = path.split('.');
  if (first === 'auth') return second === undefined || second === 'type' ? 'authType' : `auth.${second}`;
  if (first === 'mapping') return second === undefined ? 'mapping.memberId' : `mapping.${second}`;
  return ['id', 'kind', 'description', 'eventName'].includes(first) ? first : undefined;
}

export function checkSource(d: SourceDraft, existingIds: readonly string[]): FieldErrors {
  const body = sourceBody(d);
  const parsed = sourceSchema.safeParse(body);
  const errors = parsed.success ? {} : placeIssues(zodIssues(parsed.error, body), (p) => sourceFieldFor(p) ?? '').fields;
  if (existingIds.includes(d.id)) addError(errors, 'id', `a source with id "${d.id}" exists`);
  for (const f of AUTH_FIELDS[d.authType]) {
    if (f.secret && hasEnvRefs(d.auth[f.key] ?? '')) addError(errors, `auth.${f.key}`, ENV_REF_REFUSED);
  }
  return errors;
}
