/**
 * Configuration-time rules for webhook URLs and header pairs (README, "Configuration file":
 * the rules enforced at start), shared by the kinds that accept them. Each rule has its own message.
 */
import { isIP } from 'node:net';
import { createOutboundGuard, embeddedIpv4Refusal, ipv6Bytes, parseCidr } from '../http/outbound-guard';
import { hasPlaceholders } from './templates';
import { ENV_REF, hasEnvRefs } from '../model/env-ref';
import type { FieldIssue } from '../model/field-issue';
import { HEADER_VALUE_WHITELIST } from '../model/header';
import type { CheckContext, UrlRules } from './connector';
import { ANY_PLACEHOLDER, headerPairProblems, SCHEME_AND_AUTHORITY, urlTextProblems, type HeaderPair } from './field-rules';

/** An API base URL of a kind (MoEngage, CustomerGlu): the URL rules, and no placeholders. */
export function checkBaseUrl(url: string, allowInsecureHttp: boolean, path: string, rules?: UrlRules): FieldIssue[] {
  const problems = checkUrl(url, allowInsecureHttp, path, rules);
  if (hasPlaceholders(url)) problems.push({ path, message: 'baseUrl cannot hold placeholders' });
  return problems;
}

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
function targetProblems(url: string, path: string, rules: UrlRules): FieldIssue[] {
  let parsed: URL;
  try {
    parsed = new URL(url.replace(ANY_PLACEHOLDER, MARK));
  } catch {
    return [];
  }
  const problems: FieldIssue[] = [];
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
): FieldIssue[] {
  const { problems, parsed } = urlTextProblems(url, allowInsecureHttp, path);
  if (parsed) problems.push(...targetProblems(url, path, rules));
  return problems;
}

/** Keys and values are expected trimmed already (the schema trims them). */
export function checkHeaders(headers: HeaderPair[], ctx: CheckContext, at: string): FieldIssue[] {
  const problems: FieldIssue[] = [];
  const seen = new Set<string>();
  headers.forEach((h, i) => {
    const hp = `${at}[${i}]`;
    problems.push(...headerPairProblems(h, hp, seen));
    if (hasEnvRefs(h.value)) {
      // Resolved now only to report unset variables and bad characters at start-up.
      const resolved = ctx.resolveSecret(h.value, `${hp}.value`);
      if (!HEADER_VALUE_WHITELIST.test(resolved)) {
        problems.push({ path: `${hp}.value`, message: 'the referenced secret holds characters outside the header whitelist' });
      }
    }
  });
  return problems;
}
