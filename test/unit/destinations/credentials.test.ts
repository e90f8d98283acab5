/** Credential sets as headers, and the OAuth token cache, against a scripted token endpoint. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ConfigStore } from '../../../src/config/store';
import type { Credential } from '../../../src/model/credential';
import { createCredentialProvider, TokenRequestError } from '../../../src/destinations/credentials';
import type { HttpClient, HttpRequest, HttpResponse } from '../../../src/http/client';

const oauth: Credential = {
  name: 'crm',
  type: 'oauth2',
  tokenUrl: 'https://auth.example.com/token',
  clientId: 'relay',
  clientSecret: 's3cret',
  clientAuth: 'body',
};

function storeWith(...credentials: Credential[]): ConfigStore {
  return {
    getSource: () => Promise.resolve(undefined),
    resolveSubscriptions: () => Promise.resolve([]),
    planDestination: () => Promise.resolve(undefined),
    destinationState: () => Promise.resolve('deleted'),
    getDestination: () => Promise.resolve(undefined),
    getDestinationSecrets: () => Promise.resolve({}),
    getCredential: (name) => Promise.resolve(credentials.find((c) => c.name === name)),
  };
}

/** A token endpoint: answers `respond(n)` for the n-th request (1-based), after a tick. */
function tokenEndpoint(
  respond: (n: number) => Partial<HttpResponse> = (n) => ({ body: JSON.stringify({ access_token: `t${n}`, expires_in: 120 }) }),
) {
  const requests: HttpRequest[] = [];
  const http: HttpClient = {
    async send(req) {
      requests.push(req);
      await new Promise((r) => setTimeout(r, 5));
      return { status: 200, headers: {}, body: '', truncated: false, ...respond(requests.length) };
    },
    close: () => Promise.resolve(),
  };
  return { http, requests };
}

describe('OAuth client credentials', () => {
  it('makes one token request for many concurrent deliveries, and sends client credentials in the form', async () => {
    const { http, requests } = tokenEndpoint();
    const p = createCredentialProvider(storeWith(oauth), http);
    const all = await Promise.all(Array.from({ length: 5 }, () => p.headersFor('crm', { forceRefresh: false })));
    assert.equal(requests.length, 1);
    assert.ok(all.every((h) => h.headers.authorization === 'Bearer t1' && h.refreshable));
    assert.equal(requests[0]?.restricted, true, 'token requests pass the outbound guard');
    assert.deepEqual(Object.fromEntries(new URLSearchParams(requests[0]?.body)), {
      grant_type: 'client_credentials',
      client_id: 'relay',
      client_secret: 's3cret',
    });
  });

  it('keeps the token until shortly before it expires', async () => {
    let clock = 1_000_000;
    const { http, requests } = tokenEndpoint();
    const p = createCredentialProvider(storeWith(oauth), http, { earlyRefreshMs: 30_000, now: () => clock });
    await p.headersFor('crm', { forceRefresh: false });
    clock += 89_000; // expires_in 120 s, refreshed 30 s early: still good at 89 s
    assert.equal((await p.headersFor('crm', { forceRefresh: false })).headers.authorization, 'Bearer t1');
    clock += 2_000;
    assert.equal((await p.headersFor('crm', { forceRefresh: false })).headers.authorization, 'Bearer t2');
    assert.equal(requests.length, 2);
  });

  it('refreshes a rejected token once, even when many deliveries report it', async () => {
    const { http, requests } = tokenEndpoint();
    const p = createCredentialProvider(storeWith(oauth), http);
    await p.headersFor('crm', { forceRefresh: false });
    const refreshed = await Promise.all(
      Array.from({ length: 3 }, () => p.headersFor('crm', { forceRefresh: true, rejected: 'Bearer t1' })),
    );
    assert.ok(refreshed.every((h) => h.headers.authorization === 'Bearer t2'));
    // A late 401 for the old token does not throw away the new one.
    assert.equal((await p.headersFor('crm', { forceRefresh: true, rejected: 'Bearer t1' })).headers.authorization, 'Bearer t2');
    assert.equal(requests.length, 2);
  });

  it('tells a refusing token endpoint from an unavailable one', async () => {
    const refusing = createCredentialProvider(
      storeWith(oauth),
      tokenEndpoint(() => ({ status: 401, body: '{"error":"invalid_client"}' })).http,
    );
    await assert.rejects(
      refusing.headersFor('crm', { forceRefresh: false }),
      (e: unknown) => e instanceof TokenRequestError && !e.retryable,
    );
    const down = createCredentialProvider(storeWith(oauth), tokenEndpoint(() => ({ status: 503 })).http);
    await assert.rejects(down.headersFor('crm', { forceRefresh: false }), (e: unknown) => e instanceof TokenRequestError && e.retryable);
    const noToken = createCredentialProvider(storeWith(oauth), tokenEndpoint(() => ({ body: '{"token_type":"Bearer"}' })).http);
    await assert.rejects(noToken.headersFor('crm', { forceRefresh: false }), /no access_token/);
  });
});

describe('static credential sets', () => {
  it('basic, bearer and API-key headers', async () => {
    const p = createCredentialProvider(
      storeWith(
        { name: 'b', type: 'basic', username: 'u', password: 'p:w' },
        { name: 't', type: 'bearer', token: 'tok' },
        { name: 'k', type: 'apiKey', header: 'X-Api-Key', value: 'key' },
      ),
      tokenEndpoint().http,
    );
    assert.deepEqual(await p.headersFor('b', { forceRefresh: false }), {
      headers: { authorization: `Basic ${Buffer.from('u:p:w').toString('base64')}` },
      refreshable: false,
    });
    assert.deepEqual(await p.headersFor('t', { forceRefresh: false }), { headers: { authorization: 'Bearer tok' }, refreshable: false });
    assert.deepEqual(await p.headersFor('k', { forceRefresh: false }), { headers: { 'x-api-key': 'key' }, refreshable: false });
    await assert.rejects(p.headersFor('missing', { forceRefresh: false }), /not configured/);
  });
});
