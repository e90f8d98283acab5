/**
 * Bearer tokens for sources that authenticate as OAuth 2.0 clients (Kognitiv, MoEngage
 * Streams): short-lived HS256 JWTs issued by the receiver's token endpoint and verified on
 * every ingestion request. A token names its source (audience) and client (subject) and
 * carries a fingerprint of the client credentials, so a token of another source, or one
 * issued before the client secret changed, is refused. The fingerprint (`cfp`) is an HMAC
 * keyed by a key derived from the signing key: a token read by anyone does not let them test
 * guesses of a weak client secret offline. Tokens from before it was keyed (no `cfv: 2`) are
 * refused with that reason; their clients ask for a new token, as on any 401 invalid_token.
 */
import { createHmac, hkdfSync, randomBytes, randomUUID } from 'node:crypto';
import { jwtVerify, SignJWT } from 'jose';
import type { SourceConfig } from '../model/source';
import { InvalidTokenError } from '../http/inbound/errors';

const ISSUER = 'loyalty-relay';

type OAuthSource = SourceConfig & { auth: { type: 'oauth' } };

export interface IssuedToken {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
}

export interface TokenService {
  issue(source: OAuthSource): Promise<IssuedToken>;
  /** Resolves when `token` is valid for `source` now; throws InvalidTokenError otherwise. */
  verify(token: string, source: OAuthSource): Promise<void>;
  /** True when the key was generated at start (no RELAY_TOKEN_SIGNING_KEY): tokens die with the process. */
  ephemeralKey: boolean;
}

/** The `cfv` claim of tokens whose `cfp` is keyed (absent on older tokens, whose `cfp` was a bare hash). */
const KEYED_FINGERPRINT = 2;

export function createTokenService(options: { signingKey?: string; now?: () => Date }): TokenService {
  const key = options.signingKey ? new TextEncoder().encode(options.signingKey) : randomBytes(32);
  const now = options.now ?? (() => new Date());
  // A key of its own for the fingerprint (HKDF of the signing key), so the two uses never mix.
  const fingerprintKey = Buffer.from(hkdfSync('sha256', key, Buffer.alloc(0), 'loyalty-relay token credential fingerprint', 32));
  // Per auth object: a store hands out a new object when the credential changes, so this cannot go stale.
  const fingerprints = new WeakMap<object, string>();
  const credentialFingerprint = (source: OAuthSource): string => {
    let fp = fingerprints.get(source.auth);
    if (fp === undefined) {
      fp = createHmac('sha256', fingerprintKey)
        .update(`${source.id}\0${source.auth.clientId}\0${source.auth.clientSecret}`)
        .digest('base64url')
        .slice(0, 22);
      fingerprints.set(source.auth, fp);
    }
    return fp;
  };
  return {
    ephemeralKey: !options.signingKey,
    async issue(source) {
      const ttl = source.auth.tokenTtlSeconds;
      const iat = Math.floor(now().getTime() / 1000);
      const token = await new SignJWT({ cfp: credentialFingerprint(source), cfv: KEYED_FINGERPRINT })
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .setIssuer(ISSUER)
        .setAudience(`source:${source.id}`)
        .setSubject(source.auth.clientId)
        .setJti(randomUUID())
        .setIssuedAt(iat)
        .setExpirationTime(iat + ttl)
        .sign(key);
      return { access_token: token, token_type: 'Bearer', expires_in: ttl };
    },
    async verify(token, source) {
      let payload: Record<string, unknown>;
      try {
        ({ payload } = await jwtVerify(token, key, {
          algorithms: ['HS256'],
          issuer: ISSUER,
          audience: `source:${source.id}`,
          subject: source.auth.clientId,
          requiredClaims: ['exp', 'iat'],
          currentDate: now(),
        }));
      } catch (e) {
        const code = (e as { code?: string }).code;
        throw new InvalidTokenError(
          code === 'ERR_JWT_EXPIRED' ? 'the access token has expired' : 'the access token is not valid for this source',
        );
      }
      if (payload.cfv !== KEYED_FINGERPRINT) {
        throw new InvalidTokenError(
          'the access token was issued before credential fingerprints were keyed (an older relay): request a new token',
        );
      }
      if (payload.cfp !== credentialFingerprint(source))
        throw new InvalidTokenError('the access token was issued for other client credentials');
    },
  };
}
