/**
 * Credential sets as request headers: Basic, bearer token, API-key header, and OAuth 2.0
 * client credentials (RFC 6749 §4.4). OAuth tokens are cached per credential set until
 * shortly before they expire and shared by every destination using that set; concurrent
 * deliveries needing a token wait for one token request instead of each making their own.
 */
import { createHash } from 'node:crypto';
import type { Credential } from '../model/credential';
import type { HttpClient } from '../http/client';
import type { CredentialHeaders } from './connector';

/** The token endpoint refused or failed; `retryable` tells a 5xx/network problem from a refusal. */
export class TokenRequestError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'TokenRequestError';
  }
}

export interface TokenCacheOptions {
  /** Refresh this long before `expires_in` runs out. */
  earlyRefreshMs?: number;
  /** Lifetime assumed when the token response has no `expires_in`. */
  defaultLifetimeMs?: number;
  timeoutMs?: number;
  now?: () => number;
}

interface CachedToken {
  token: string;
  type: string;
  expiresAt: number;
}

type OAuthCredential = Extract<Credential, { type: 'oauth2' }>;

/** Authentication headers per credential set, with OAuth tokens cached in this process. */
export type CredentialProvider = CredentialHeaders;

/** Where credential sets are read, with their secrets (the configuration store's `getCredential`). */
export interface CredentialSource {
  getCredential(name: string): Promise<Credential | undefined>;
}

export function createCredentialProvider(store: CredentialSource, http: HttpClient, options: TokenCacheOptions = {}): CredentialProvider {
  const earlyMs = options.earlyRefreshMs ?? 60_000;
  const defaultLifetimeMs = options.defaultLifetimeMs ?? 5 * 60_000;
  const now = options.now ?? Date.now;
  /** One token per credential set, with the settings it was fetched with: a changed set replaces it. */
  const cache = new Map<string, { fingerprint: string; token: CachedToken }>();
  const inflight = new Map<string, Promise<CachedToken>>();

  /** Changes when the credential's settings change (a rotated secret gets a new token); holds no secret. */
  const fingerprintOf = (c: OAuthCredential) =>
    createHash('sha256')
      .update(JSON.stringify([c.name, c.tokenUrl, c.clientId, c.clientSecret, c.scope, c.audience, c.clientAuth]))
      .digest('base64url');

  async function fetchToken(c: OAuthCredential): Promise<CachedToken> {
    const form = new URLSearchParams({ grant_type: 'client_credentials' });
    if (c.scope) form.set('scope', c.scope);
    if (c.audience) form.set('audience', c.audience);
    const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' };
    if (c.clientAuth === 'basic') {
      const id = encodeURIComponent(c.clientId);
      const secret = encodeURIComponent(c.clientSecret);
      headers.authorization = `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;
    } else {
      form.set('client_id', c.clientId);
      form.set('client_secret', c.clientSecret);
    }
    let res;
    try {
      res = await http.send({
        method: 'POST',
        url: c.tokenUrl,
        headers,
        body: form.toString(),
        timeoutMs: options.timeoutMs ?? 10_000,
        pool: { key: `oauth:${c.name}`, maxConnections: 4 },
        restricted: true,
      });
    } catch (e) {
      // The cause is kept: a BlockedAddressError under it makes the delivery DestinationAddressRefused, not retried.
      throw new TokenRequestError(`token endpoint of credential "${c.name}" unreachable: ${(e as Error).message}`, true, { cause: e });
    }
    if (res.status !== 200) {
      const retryable = res.status === 429 || res.status >= 500;
      throw new TokenRequestError(`token endpoint of credential "${c.name}" answered ${res.status}`, retryable);
    }
    let json: { access_token?: unknown; token_type?: unknown; expires_in?: unknown };
    try {
      json = JSON.parse(res.body) as typeof json;
    } catch {
      throw new TokenRequestError(`token endpoint of credential "${c.name}" answered something that is not JSON`, false);
    }
    if (typeof json.access_token !== 'string' || json.access_token === '') {
      throw new TokenRequestError(`token response of credential "${c.name}" has no access_token`, false);
    }
    const lifetimeMs = typeof json.expires_in === 'number' && json.expires_in > 0 ? json.expires_in * 1000 : defaultLifetimeMs;
    // Short-lived tokens: refresh at half-life rather than never using them.
    const margin = Math.min(earlyMs, lifetimeMs / 2);
    return { token: json.access_token, type: 'Bearer', expiresAt: now() + lifetimeMs - margin };
  }

  async function oauthToken(c: OAuthCredential, forceRefresh: boolean, rejected: string | undefined): Promise<CachedToken> {
    const fingerprint = fingerprintOf(c);
    const entry = cache.get(c.name);
    const cached = entry?.fingerprint === fingerprint ? entry.token : undefined;
    const stale = forceRefresh && (rejected === undefined || (cached && `${cached.type} ${cached.token}` === rejected));
    if (cached && !stale && cached.expiresAt > now()) return cached;
    if (stale) cache.delete(c.name);
    let pending = inflight.get(fingerprint);
    if (!pending) {
      pending = fetchToken(c).finally(() => inflight.delete(fingerprint));
      inflight.set(fingerprint, pending);
    }
    const token = await pending;
    cache.set(c.name, { fingerprint, token });
    return token;
  }

  return {
    async headersFor(name, { forceRefresh, rejected }) {
      const c = await store.getCredential(name);
      if (!c) throw new TokenRequestError(`credential set "${name}" is not configured`, false);
      switch (c.type) {
        case 'basic':
          return {
            headers: { authorization: `Basic ${Buffer.from(`${c.username}:${c.password}`).toString('base64')}` },
            refreshable: false,
          };
        case 'bearer':
          return { headers: { authorization: `Bearer ${c.token}` }, refreshable: false };
        case 'apiKey':
          return { headers: { [c.header.toLowerCase()]: c.value }, refreshable: false };
        case 'oauth2': {
          const t = await oauthToken(c, forceRefresh, rejected);
          return { headers: { authorization: `${t.type} ${t.token}` }, refreshable: true };
        }
      }
    },
  };
}
