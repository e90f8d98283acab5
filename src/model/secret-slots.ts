/**
 * Where each kind of entry keeps its secrets, by slot: what a file resolves from the
 * environment, what the store seals apart from the plain entry, and what the API shows redacted.
 * A destination's slots are its connector's (`withSecrets`: a field name, or `header:<Key>`).
 */
import type { SourceConfigInput } from './source';

/** Secret fields of a credential set, by name. */
const CREDENTIAL_SECRETS = ['password', 'token', 'value', 'clientSecret'] as const;

/** The values of a credential's secret fields (`${ENV}` references in a file), by field. */
export function credentialSecretRefs(c: object): Record<string, string> {
  const refs: Record<string, string> = {};
  for (const field of CREDENTIAL_SECRETS) {
    const value: unknown = (c as Record<string, unknown>)[field];
    if (typeof value === 'string') refs[field] = value;
  }
  return refs;
}

/** Where a credential set keeps its secrets (top-level fields). */
export function credentialSecretPaths(credential: object): string[] {
  return Object.keys(credentialSecretRefs(credential));
}

/** Where a source keeps its credentials, by auth scheme (paths inside the source entry). */
export function sourceSecretPaths(source: Pick<SourceConfigInput, 'auth'>): string[] {
  const auth = source.auth;
  switch (auth.type) {
    case 'header':
      return ['auth.key'];
    case 'headers':
      return auth.headers.map((_, i) => `auth.headers.${i}.key`);
    case 'basic':
      return ['auth.password'];
    case 'signature':
      return ['auth.secret'];
    case 'webengage':
      return ['auth.secretKey'];
    case 'oauth':
      return ['auth.clientSecret'];
  }
}
