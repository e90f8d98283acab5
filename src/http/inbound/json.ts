/**
 * Hardened JSON decoding of a raw body: strict UTF-8, a nesting-depth limit checked by a
 * linear scan before parsing (so no later recursive walk can exhaust the stack), and
 * prototype-pollution keys refused (secure-json-parse's scan: `__proto__` anywhere, or a
 * `constructor` holding `prototype`).
 */
import secureJson from 'secure-json-parse';
import type { Request } from 'express';
import { ForbiddenKeyError, InvalidUtf8Error, MalformedJsonError, NestingTooDeepError, UnsupportedMediaTypeError } from './errors';

const JSON_TYPE = /^application\/([\w.+-]+\+)?json$/i;

/** Refuse (415) a request whose Content-Type is not JSON (`application/json`, `application/*+json`). */
export function requireJsonType(req: Request): void {
  const type = req.get('content-type')?.split(';')[0]?.trim();
  if (!type || !JSON_TYPE.test(type)) throw new UnsupportedMediaTypeError(type);
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Depth of the deepest object/array, stopping as soon as it passes `max`. Strings are skipped. */
function exceedsDepth(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > max) return true;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return false;
}

export function parseJsonBody(raw: Buffer, maxDepth: number): unknown {
  let text: string;
  try {
    text = utf8.decode(raw); // also drops a leading BOM
  } catch {
    throw new InvalidUtf8Error();
  }
  if (exceedsDepth(text, maxDepth)) throw new NestingTooDeepError(maxDepth);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new MalformedJsonError((e as Error).message);
  }
  if (value !== null && typeof value === 'object') {
    try {
      secureJson.scan(value, { protoAction: 'error', constructorAction: 'error' });
    } catch {
      throw new ForbiddenKeyError();
    }
  }
  return value;
}
