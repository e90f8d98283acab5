/**
 * Source authentication, per source instance: static header(s), HTTP Basic, WebEngage's
 * `secret` query parameter and OAuth bearer tokens before the body is read; a raw-body
 * HMAC signature (Segment `X-Signature`) after. Every comparison is constant-time.
 */
import { createHash, createHmac } from 'node:crypto';
import type { Request } from 'express';
import type { SourceConfig } from '../model/source';
import { InvalidSignatureError, InvalidTokenError, UnauthorizedError } from '../http/inbound/errors';
import { safeEqual } from '../http/inbound/safe-equal';
import type { TokenService } from './tokens';

const unauthorized = (message: string, challenge?: string) => new UnauthorizedError(message, challenge);

/** The MD5 hex WebEngage sends in `?secret=`: md5(`licenseCode:secretKey`). */
export function webengageSecret(licenseCode: string, secretKey: string): string {
  return createHash('md5').update(`${licenseCode}:${secretKey}`).digest('hex');
}

/** The decoded `user:pass` of an `Authorization: Basic` header, or undefined when there is none. */
export function basicAuthorization(req: Request): string | undefined {
  const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(req.get('authorization') ?? '');
  return m?.[1] ? Buffer.from(m[1], 'base64').toString('utf8') : undefined;
}

/** The expected secret of a webengage auth config, hashed once per config object (not per request). */
const expectedWebengage = new WeakMap<object, string>();
function expectedWebengageSecret(auth: { licenseCode: string; secretKey: string }): string {
  let expected = expectedWebengage.get(auth);
  if (expected === undefined) {
    expected = webengageSecret(auth.licenseCode, auth.secretKey);
    expectedWebengage.set(auth, expected);
  }
  return expected;
}

/** Checks that need only the request line and headers. Throws a 401 HttpError. */
export async function authenticateRequest(source: SourceConfig, req: Request, tokens: TokenService): Promise<void> {
  const auth = source.auth;
  switch (auth.type) {
    case 'header': {
      const given = req.get(auth.header);
      if (given === undefined) throw unauthorized(`missing ${auth.header} header`);
      if (!safeEqual(given, auth.key)) throw unauthorized(`wrong ${auth.header}`);
      return;
    }
    case 'headers': {
      // Check every header before answering, so the answer does not tell which one was right.
      const missing = auth.headers.filter((h) => req.get(h.header) === undefined).map((h) => h.header);
      const ok = auth.headers.map((h) => safeEqual(req.get(h.header) ?? '', h.key)).every(Boolean);
      if (missing.length > 0) throw unauthorized(`missing header(s) ${missing.join(', ')}`);
      if (!ok) throw unauthorized('wrong credential header(s)');
      return;
    }
    case 'basic': {
      const challenge = `Basic realm="source:${source.id}"`;
      const decoded = basicAuthorization(req);
      if (decoded === undefined) throw unauthorized('missing Authorization: Basic credentials', challenge);
      const colon = decoded.indexOf(':');
      const user = colon < 0 ? decoded : decoded.slice(0, colon);
      const pass = colon < 0 ? '' : decoded.slice(colon + 1);
      const ok = [safeEqual(user, auth.username), safeEqual(pass, auth.password)].every(Boolean);
      if (!ok) throw unauthorized('wrong Basic credentials', challenge);
      return;
    }
    case 'webengage': {
      const given = req.query.secret;
      if (typeof given !== 'string') throw unauthorized('missing secret query parameter');
      if (!safeEqual(given.toLowerCase(), expectedWebengageSecret(auth))) throw unauthorized('wrong secret');
      return;
    }
    case 'oauth': {
      const m = /^Bearer\s+([A-Za-z0-9._~+/=-]+)\s*$/i.exec(req.get('authorization') ?? '');
      if (!m?.[1]) {
        throw new InvalidTokenError(
          "missing bearer token; get one from this source's token endpoint",
          `Bearer realm="source:${source.id}"`,
        );
      }
      await tokens.verify(m[1], { ...source, auth });
      return;
    }
    case 'signature':
      return; // needs the body: verifySignature
  }
}

/** Raw-body checks (after the body is read, before it is parsed). */
export function verifySignature(source: SourceConfig, req: Request, raw: Buffer): void {
  const auth = source.auth;
  if (auth.type !== 'signature') return;
  const given = req.get(auth.header);
  if (given === undefined) throw new InvalidSignatureError(`missing ${auth.header} header`);
  const expected = createHmac(auth.algorithm, auth.secret).update(raw).digest('hex');
  if (!safeEqual(given.trim().toLowerCase(), expected)) throw new InvalidSignatureError(`${auth.header} does not match the body`);
}
