/**
 * The webhook rules that need nothing but a field's text: header names and values, and what a
 * URL may hold. No Node modules, so the web console checks a field as it is typed with these
 * very functions; webhook-rules.ts adds what needs the network's view (the allowlist, the
 * relay's own port) and the environment (`${…}` resolution).
 */
import { hasEnvRefs } from '../model/env-ref';
import type { FieldIssue } from '../model/field-issue';
import { HEADER_NAME, HEADER_VALUE_WHITELIST } from '../model/header';
import { checkJsonTemplate, checkTemplate, hasPlaceholders } from './templates';
/** Message framing and hop-by-hop headers (RFC 9110 §7.6.1, RFC 9112): the HTTP client sets them. */
const FRAMING_HEADERS = new Set(['host', 'content-length', 'transfer-encoding', 'connection', 'keep-alive', 'upgrade', 'te', 'trailer']);

/**
 * Why a header name cannot be configured: not a valid name (an RFC 9110 token), or a framing,
 * hop-by-hop or `Proxy-*` header the HTTP client sets. Empty when it can.
 */
export function headerNameProblems(key: string): string[] {
  const problems: string[] = [];
  if (!HEADER_NAME.test(key)) problems.push(`"${key}" is not a valid header name`);
  const lower = key.toLowerCase();
  if (FRAMING_HEADERS.has(lower) || lower.startsWith('proxy-')) {
    problems.push(`"${key}" is set by the HTTP client and cannot be configured (framing, hop-by-hop and Proxy-* headers are refused)`);
  }
  return problems;
}

export interface HeaderPair {
  key: string;
  value: string;
  /** Secret values are stored encrypted and added at send time (never rendered). */
  secret?: boolean;
}

/**
 * The text rules of one header pair at `hp` (`headers[2]`); `seen` holds the lower-cased keys
 * of the pairs before it (this one is added). Keys and values are expected trimmed already.
 */
export function headerPairProblems(h: HeaderPair, hp: string, seen: Set<string>): FieldIssue[] {
  const problems: FieldIssue[] = [];
  if (h.key === '') problems.push({ path: `${hp}.key`, message: 'header key is required' });
  else problems.push(...headerNameProblems(h.key).map((message) => ({ path: `${hp}.key`, message })));
  if (h.key !== '' && seen.has(h.key.toLowerCase())) problems.push({ path: `${hp}.key`, message: `duplicate header "${h.key}"` });
  seen.add(h.key.toLowerCase());
  if (!HEADER_VALUE_WHITELIST.test(h.value)) {
    problems.push({ path: `${hp}.value`, message: 'header values may hold only visible ASCII characters and spaces' });
  }
  if (hasEnvRefs(h.value) && h.secret === false) {
    problems.push({ path: `${hp}.secret`, message: 'a header value holding a ${SECRET} reference is a secret: drop `secret: false`' });
  }
  if ((h.secret || hasEnvRefs(h.value)) && hasPlaceholders(h.value)) {
    problems.push({
      path: `${hp}.value`,
      message: 'a secret header value (or one holding a ${SECRET} reference) cannot also hold {{ placeholders }}',
    });
  }
  problems.push(...checkTemplate(h.value).map((message) => ({ path: `${hp}.value`, message })));
  return problems;
}

/**
 * The rules of a webhook's body template (parsed JSON) at `at`: no `${…}` reference (a body is
 * recorded in workflow history; secrets go in headers), and well-formed `{{ }}` placeholders.
 */
export function bodyTemplateProblems(body: unknown, at: string): FieldIssue[] {
  const problems: FieldIssue[] = [];
  if (/\$\{[A-Za-z_]/.test(JSON.stringify(body))) {
    problems.push({ path: at, message: 'bodies are recorded in workflow history: put secrets in headers, not ${...} in the body' });
  }
  problems.push(...checkJsonTemplate(body, at));
  return problems;
}

/** Any `{{ … }}` placeholder, well-formed or not (checkTemplate reports the malformed ones). */
export const ANY_PLACEHOLDER = /\{\{[^{}]*\}\}/g;
/** The scheme and authority of a URL: up to the first `/`, `\\`, `?` or `#` after `scheme:` and its slashes. */
export const SCHEME_AND_AUTHORITY = /^[^:/?#\\]*:[/\\]*[^/?#\\]*/;
const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * Placeholders only in the path and query: one in the scheme, userinfo, host or port would let
 * the event choose where the destination's secret headers, credentials and signature go.
 */
function placeholderOutsidePathAndQuery(url: string): boolean {
  if (!url.includes('{{')) return false;
  // Placeholders become neutral characters of the same length, so positions are kept.
  const neutral = url.replace(ANY_PLACEHOLDER, (m) => 'x'.repeat(m.length));
  const prefix = SCHEME_AND_AUTHORITY.exec(neutral)?.[0].length ?? neutral.length;
  return [...url.matchAll(ANY_PLACEHOLDER)].some((m) => (m.index ?? 0) < prefix);
}

/**
 * The rules of a URL's text (placeholders, `${…}`, scheme, credentials); `parsed` tells whether
 * it parsed as an absolute URL, for the rules on where it points.
 */
export function urlTextProblems(url: string, allowInsecureHttp: boolean, path: string): { problems: FieldIssue[]; parsed: boolean } {
  const problems: FieldIssue[] = [];
  if (placeholderOutsidePathAndQuery(url)) {
    problems.push({
      path,
      message: "placeholders may appear only in the URL's path and query, not its scheme, credentials, host or port",
    });
  }
  if (hasEnvRefs(url)) {
    problems.push({
      path,
      message:
        "URLs are recorded in workflow history: put secrets in headers, not ${...} in the URL (a configuration file may use it in the URL's host and port only)",
    });
  }
  problems.push(...checkTemplate(url).map((message) => ({ path, message })));
  let parsed: URL | undefined;
  try {
    parsed = new URL(url.replace(/\{\{[^}]*\}\}/g, 'x'));
  } catch {
    problems.push({ path, message: 'not a valid absolute URL' });
  }
  if (parsed && parsed.protocol !== 'https:') {
    const devOk = parsed.protocol === 'http:' && allowInsecureHttp && LOCAL_HOSTS.has(parsed.hostname);
    if (!devOk) {
      problems.push({
        path,
        message:
          parsed.protocol === 'http:'
            ? 'must use https:// (plain http is allowed only to localhost with allowInsecureHttp: true, for development)'
            : `unsupported scheme ${parsed.protocol}`,
      });
    }
  }
  if (parsed && (parsed.username || parsed.password)) {
    problems.push({ path, message: 'credentials in the URL are recorded in workflow history: use auth or a secret header' });
  }
  return { problems, parsed: parsed !== undefined };
}
