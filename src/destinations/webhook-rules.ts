/**
 * Configuration-time rules for webhook URLs and header pairs (README, "Configuration file":
 * the rules enforced at start), shared by the kinds that accept them. Each rule has its own message.
 */
import { isIP } from 'node:net';
import { createOutboundGuard, embeddedIpv4Refusal, ipv6Bytes, parseCidr } from '../http/outbound-guard';
import { checkTemplate, hasPlaceholders } from '../templates';
import type { CheckContext, ConfigProblem, UrlRules } from './connector';

/** Header values: visible ASCII and spaces only (no CR/LF, no control or non-ASCII characters). */
export const HEADER_VALUE_WHITELIST = /^[\x20-\x7E]*$/;
/** RFC 9110 token characters. */
export const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** Message framing and hop-by-hop headers (RFC 9110 §7.6.1, RFC 9112): the HTTP client sets them. */
const FRAMING_HEADERS = new Set(['host', 'content-length', 'transfer-encoding', 'connection', 'keep-alive', 'upgrade', 'te', 'trailer']);

/** Why a header name cannot be configured (a framing, hop-by-hop or `Proxy-*` header), or undefined. */
export function reservedHeaderProblem(key: string): string | undefined {
  const lower = key.toLowerCase();
  if (FRAMING_HEADERS.has(lower) || lower.startsWith('proxy-')) {
    return `"${key}" is set by the HTTP client and cannot be configured (framing, hop-by-hop and Proxy-* headers are refused)`;
  }
  return undefined;
}
const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);
const ENV_REF = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/;

export function hasEnvRefs(value: string): boolean {
  return ENV_REF.test(value);
}

/** An API base URL of a kind (MoEngage, CustomerGlu): the URL rules, and no placeholders. */
export function checkBaseUrl(url: string, allowInsecureHttp: boolean, path: string, rules?: UrlRules): ConfigProblem[] {
  const problems = checkUrl(url, allowInsecureHttp, path, rules);
  if (hasPlaceholders(url)) problems.push({ path, message: 'baseUrl cannot hold placeholders' });
  return problems;
}

/** Any `{{ … }}` placeholder, well-formed or not (checkTemplate reports the malformed ones). */
const ANY_PLACEHOLDER = /\{\{[^{}]*\}\}/g;
/** The scheme and authority of a URL: up to the first `/`, `\\`, `?` or `#` after `scheme:` and its slashes. */
const SCHEME_AND_AUTHORITY = /^[^:/?#\\]*:[/\\]*[^/?#\\]*/;

const ENV_REFS = new RegExp(ENV_REF.source, 'g');

/**
 * A configuration file may name a webhook's host and port from the environment (where the
 * sample sink listens, a staging host): `${VAR}` / `${VAR:-default}` in the URL's scheme and
 * authority are replaced with `resolve`'s value when the file is read. The result is an
 * ordinary URL, stored and recorded in history as it is — which is why references in the path
 * or query (where secrets such as tokens end up) are left for checkUrl to refuse.
 */
export function resolveAuthorityEnvRefs(url: string, resolve: (ref: string) => string): string {
  if (!hasEnvRefs(url)) return url;
  const neutral = url.replace(ENV_REFS, (m) => 'x'.repeat(m.length));
  const prefix = SCHEME_AND_AUTHORITY.exec(neutral)?.[0].length ?? 0;
  return resolve(url.slice(0, prefix)) + url.slice(prefix);
}

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

/** The receiver's ingestion (and token) routes: /v1/sources/:id/events, /v1/sources/:id/oauth/token. */
const INGESTION_PREFIX = ['', 'v1', 'sources'];
/** Stands in for a placeholder while the URL is parsed: letters the parser keeps as they are. */
const MARK = 'zzplaceholderzz';

/** Whether `hostname` (as the URL parser gives it) names this machine: loopback, any-address, or the bind address. */
function isOwnHost(hostname: string, bind: string | undefined): boolean {
  const host = hostname.toLowerCase().replace(/\.$/, '');
  const bare = host.replace(/^\[|\]$/g, '');
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  if (bind && bare === bind.toLowerCase().replace(/^\[|\]$/g, '')) return true;
  const v4 = (a: string) => a.startsWith('127.') || a === '0.0.0.0';
  if (isIP(bare) === 4) return v4(bare);
  const bytes = ipv6Bytes(bare);
  if (!bytes) return false;
  const head = (to: number) => bytes.subarray(0, to).every((b) => b === 0);
  if (head(15) && (bytes[15] ?? 0) <= 1) return true; // :: and ::1
  if (head(10) && bytes[10] === 0xff && bytes[11] === 0xff) return v4([...bytes.subarray(12)].join('.')); // mapped
  return false;
}

/**
 * Where the URL points, judged against what configuration knows: an IPv6 literal embedding a
 * refused IPv4 address (the send-time guard's judgement, with the same allowlist), and the
 * relay's own ingestion path on its own listen port (a loop that multiplies every event).
 */
function targetProblems(url: string, path: string, rules: UrlRules): ConfigProblem[] {
  let parsed: URL;
  try {
    parsed = new URL(url.replace(ANY_PLACEHOLDER, MARK));
  } catch {
    return [];
  }
  const problems: ConfigProblem[] = [];
  const allow = rules.allowPrivateNetworks.filter((entry) => {
    try {
      parseCidr(entry);
      return true;
    } catch {
      return false; // reported where the allowlist is read
    }
  });
  const refusal = embeddedIpv4Refusal(parsed.hostname, createOutboundGuard(allow));
  if (refusal) {
    problems.push({
      path,
      rule: 'embedded_ipv4_address',
      message: `${refusal} (rule: no IPv6 address embedding a refused IPv4 address; add the range to outbound.allowPrivateNetworks or RELAY_ALLOW_PRIVATE_NETWORKS to allow it)`,
    });
  }
  const own = rules.ingestion;
  if (own && own.port !== 0 && (parsed.protocol === 'http:' || parsed.protocol === 'https:')) {
    const port = parsed.port === '' ? (parsed.protocol === 'https:' ? 443 : 80) : Number(parsed.port);
    // Routes match case-insensitively; a segment holding a placeholder may render to anything.
    const segments = parsed.pathname.toLowerCase().split('/');
    const underPrefix =
      segments.length > INGESTION_PREFIX.length &&
      INGESTION_PREFIX.every((want, i) => segments[i] === want || (segments[i] ?? '').includes(MARK));
    if (port === own.port && underPrefix && isOwnHost(parsed.hostname, own.host)) {
      problems.push({
        path,
        rule: 'ingestion_loop',
        message: `points at the relay's own ingestion path (port ${own.port}, /v1/sources/…): every event delivered there would come back in as new events (rule: no destination at the relay itself)`,
      });
    }
  }
  return problems;
}

export function checkUrl(
  url: string,
  allowInsecureHttp: boolean,
  path: string,
  rules: UrlRules = { allowPrivateNetworks: [] },
): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
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
  if (parsed) problems.push(...targetProblems(url, path, rules));
  return problems;
}

export interface HeaderPair {
  key: string;
  value: string;
  /** Secret values are stored encrypted and added at send time (never rendered). */
  secret?: boolean;
}

/** Keys and values are expected trimmed already (the schema trims them). */
export function checkHeaders(headers: HeaderPair[], ctx: CheckContext, at: string): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const seen = new Set<string>();
  headers.forEach((h, i) => {
    const hp = `${at}[${i}]`;
    if (h.key === '') problems.push({ path: `${hp}.key`, message: 'header key is required' });
    else if (!HEADER_NAME.test(h.key)) problems.push({ path: `${hp}.key`, message: `"${h.key}" is not a valid header name` });
    const reserved = reservedHeaderProblem(h.key);
    if (reserved) problems.push({ path: `${hp}.key`, message: reserved });
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
    if (hasEnvRefs(h.value)) {
      // Resolved now only to report unset variables and bad characters at start-up.
      const resolved = ctx.resolveSecret(h.value, `${hp}.value`);
      if (!HEADER_VALUE_WHITELIST.test(resolved)) {
        problems.push({ path: `${hp}.value`, message: 'the referenced secret holds characters outside the header whitelist' });
      }
    }
    problems.push(...checkTemplate(h.value).map((message) => ({ path: `${hp}.value`, message })));
  });
  return problems;
}
