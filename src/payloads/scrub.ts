/**
 * Scrubbing of what a remote server answers before it enters history or logs (a response
 * snippet, an error message): a destination that echoes the request — headers included —
 * would otherwise put its bearer token or API key into the run's failure details, where
 * everyone with Temporal UI access reads it (encryption protects it at rest, not from them).
 *
 * Removed: every secret value given (the destination's secrets, the credential set's, the
 * headers sent at send time) in the forms an echo shows it — as is, the credential part of
 * `Bearer …`/`Basic …`, Basic's `user:password` and password, URL- and JSON-escaped and base64 —
 * plus anything that looks like an Authorization value whatever its origin: `Bearer`/`Basic`
 * credentials, JWTs, and the values of authorization/api-key/token/secret/password fields.
 * Scrubbed first and cut after, so a secret straddling the cut leaves no prefix behind.
 */
import type { Credential } from '../model/credential';

export const REDACTED = '[redacted]';
/** The longest response snippet kept in a failure's details. */
export const SNIPPET_CHARS = 500;
/** Shorter values are not searched for: they would blank out ordinary words and numbers. */
const MIN_SECRET_CHARS = 4;

/** The forms a secret takes when a server echoes it back. */
function formsOf(secret: string): string[] {
  const forms = new Set<string>();
  const add = (s: string) => {
    if (s.length >= MIN_SECRET_CHARS) forms.add(s);
  };
  add(secret);
  const scheme = /^(\S+)\s+(\S+)$/.exec(secret.trim());
  if (scheme?.[2]) {
    add(scheme[2]);
    if (/^basic$/i.test(scheme[1] ?? '')) {
      const pair = Buffer.from(scheme[2], 'base64').toString('utf8');
      const colon = pair.indexOf(':');
      if (colon >= 0) {
        add(pair);
        add(pair.slice(colon + 1));
      }
    }
  }
  for (const f of [...forms]) {
    add(encodeURIComponent(f));
    add(JSON.stringify(f).slice(1, -1));
    add(Buffer.from(f, 'utf8').toString('base64'));
  }
  return [...forms];
}

const AUTH_SCHEME = /\b(Bearer|Basic|Digest|Token|ApiKey|Api-Key)(\s+)[A-Za-z0-9._~+/=-]{6,}/gi;
const JWT = /\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g;
/** `"authorization": "…"`, `x-api-key: …`, `client_secret=…`: the value after a secret-looking name. */
const SECRET_FIELD =
  /(["']?)\b((?:proxy-)?authorization|x-[a-z0-9-]*(?:key|token|secret|signature)|api[-_]?key|apikey|access[-_]?token|refresh[-_]?token|id[-_]?token|client[-_]?secret|secret|password|passwd|token|webhook-signature)\1(\s*[:=]\s*)(?:"([^"]*)"|'([^']*)'|((?:(?:Bearer|Basic|Digest|Token)\s+)?[^\s,;&}\]]+))/gi;

/** Authorization-looking values, whoever they belong to. */
export function scrubAuthorizationLike(text: string): string {
  return text
    .replace(SECRET_FIELD, (_m, q: string, name: string, sep: string, dq?: string, sq?: string) => {
      const quote = dq !== undefined ? '"' : sq !== undefined ? "'" : '';
      return `${q}${name}${q}${sep}${quote}${REDACTED}${quote}`;
    })
    .replace(AUTH_SCHEME, (_m, scheme: string, space: string) => `${scheme}${space}${REDACTED}`)
    .replace(JWT, REDACTED);
}

/**
 * `text` without the given secret values (in their echoed forms) or Authorization-looking
 * values, then cut to `maxChars`.
 */
export function scrubSecrets(text: string, secrets: Iterable<string | undefined>, maxChars = SNIPPET_CHARS): string {
  const forms = [...new Set([...secrets].filter((s): s is string => typeof s === 'string').flatMap(formsOf))];
  // Longest first: a secret containing another is removed whole.
  forms.sort((a, b) => b.length - a.length);
  let out = text;
  for (const f of forms) out = out.split(f).join(REDACTED);
  return scrubAuthorizationLike(out).slice(0, maxChars);
}

/** The secret values a credential set holds (what its headers or token requests carry). */
export function credentialSecretValues(c: Credential | undefined): string[] {
  switch (c?.type) {
    case 'basic':
      return [c.password, `${c.username}:${c.password}`];
    case 'bearer':
      return [c.token];
    case 'apiKey':
      return [c.value];
    case 'oauth2':
      return [c.clientSecret];
    default:
      return [];
  }
}
