/**
 * Standard Webhooks signatures (https://www.standardwebhooks.com): `webhook-signature` is
 * `v1,` + base64 HMAC-SHA256 over `{webhook-id}.{webhook-timestamp}.{body}` with the secret's
 * bytes (`whsec_` + base64). Receivers verify with any Standard Webhooks library.
 */
import { createHmac } from 'node:crypto';

const PREFIX = 'whsec_';

/** Why a signing secret is unusable, or undefined when it is fine. */
export function signingSecretProblem(secret: string): string | undefined {
  if (!secret.startsWith(PREFIX)) return 'signing secret must start with "whsec_" (Standard Webhooks format)';
  const b64 = secret.slice(PREFIX.length);
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(b64) || b64.length % 4 !== 0) return 'signing secret must be "whsec_" followed by base64';
  const bytes = Buffer.from(b64, 'base64');
  if (bytes.length < 24 || bytes.length > 64) return 'signing secret must hold 24 to 64 bytes (Standard Webhooks)';
  return undefined;
}

export function signatureHeaders(secret: string, id: string, timestampSeconds: number, body: string): Record<string, string> {
  const key = Buffer.from(secret.slice(PREFIX.length), 'base64');
  const signature = createHmac('sha256', key).update(`${id}.${timestampSeconds}.${body}`).digest('base64');
  return { 'webhook-id': id, 'webhook-timestamp': String(timestampSeconds), 'webhook-signature': `v1,${signature}` };
}
