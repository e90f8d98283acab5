/**
 * Reads and validates the YAML configuration file. Every problem is collected (not just the
 * first) so an operator fixes the file in one pass; start-up stops on any of them.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { checkJsonTemplate, checkTemplate, hasPlaceholders } from '../templates';
import { relayConfigSchema, type DestinationConfigInput } from './schema';
import { resolveSources } from './sources';
import type { DestinationConfig, HeaderTemplate, SourceConfig } from './store';

export interface ConfigProblem {
  path: string;
  message: string;
}

export class ConfigError extends Error {
  constructor(
    readonly file: string,
    readonly problems: ConfigProblem[],
  ) {
    super(`invalid configuration ${file}:\n${problems.map((p) => `  - ${p.path || '(root)'}: ${p.message}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export interface RelayConfig {
  sources: SourceConfig[];
  destinations: DestinationConfig[];
}

type Env = Record<string, string | undefined>;

const ENV_REF = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

export function hasEnvRefs(value: string): boolean {
  return value.replace(ENV_REF, '') !== value;
}

/** Replace `${VAR}` / `${VAR:-default}`; unset variables without a default are reported. */
export function resolveEnvRefs(value: string, env: Env, at: string, problems: ConfigProblem[]): string {
  return value.replace(ENV_REF, (_, name: string, fallback: string | undefined) => {
    const found = env[name];
    if (found !== undefined && found !== '') return found;
    if (fallback !== undefined) return fallback;
    problems.push({ path: at, message: `environment variable ${name} is not set (use \${${name}:-default} for a default)` });
    return '';
  });
}

/** Header values: visible ASCII and spaces only (no CR/LF, no control or non-ASCII characters). */
export const HEADER_VALUE_WHITELIST = /^[\x20-\x7E]*$/;
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

function zodProblems(error: z.ZodError): ConfigProblem[] {
  return error.issues.map((issue) => ({ path: issue.path.map(String).join('.'), message: issue.message }));
}

function checkDestination(d: DestinationConfigInput, at: string, problems: ConfigProblem[]): void {
  if (d.name.trim() === '') problems.push({ path: `${at}.name`, message: 'name is required' });
  else if (d.name !== d.name.trimEnd()) problems.push({ path: `${at}.name`, message: 'name must not end with spaces' });

  if (hasEnvRefs(d.url)) {
    problems.push({ path: `${at}.url`, message: 'URLs are recorded in workflow history: put secrets in headers, not ${...} in the URL' });
  }
  problems.push(...checkTemplate(d.url).map((message) => ({ path: `${at}.url`, message })));
  let url: URL | undefined;
  try {
    url = new URL(d.url.replace(/\{\{[^}]*\}\}/g, 'x'));
  } catch {
    problems.push({ path: `${at}.url`, message: 'not a valid absolute URL' });
  }
  if (url && url.protocol !== 'https:') {
    const devOk = url.protocol === 'http:' && d.allowInsecureHttp && LOCAL_HOSTS.has(url.hostname);
    if (!devOk) {
      problems.push({
        path: `${at}.url`,
        message:
          url.protocol === 'http:'
            ? 'must use https:// (plain http is allowed only to localhost with allowInsecureHttp: true, for development)'
            : `unsupported scheme ${url.protocol}`,
      });
    }
  }

  const seen = new Set<string>();
  d.headers.forEach((h, i) => {
    const hp = `${at}.headers[${i}]`;
    const key = h.key.trim();
    if (key === '') problems.push({ path: `${hp}.key`, message: 'header key is required' });
    else if (!HEADER_NAME.test(key)) problems.push({ path: `${hp}.key`, message: `"${key}" is not a valid header name` });
    if (seen.has(key.toLowerCase())) problems.push({ path: `${hp}.key`, message: `duplicate header "${key}"` });
    seen.add(key.toLowerCase());
    const value = h.value.trim();
    if (!HEADER_VALUE_WHITELIST.test(value)) {
      problems.push({ path: `${hp}.value`, message: 'header values may hold only visible ASCII characters and spaces' });
    }
    if (hasEnvRefs(value) && hasPlaceholders(value)) {
      problems.push({ path: `${hp}.value`, message: 'a header value holding a ${SECRET} reference cannot also hold {{ placeholders }}' });
    }
    problems.push(...checkTemplate(value).map((message) => ({ path: `${hp}.value`, message })));
  });

  if (d.body !== undefined) {
    let body: unknown = d.body;
    if (typeof body === 'string') {
      try {
        body = JSON.parse(body);
      } catch (e) {
        problems.push({ path: `${at}.body`, message: `body template is not valid JSON: ${(e as Error).message}` });
        return;
      }
    }
    if (JSON.stringify(body).match(ENV_REF)) {
      problems.push({
        path: `${at}.body`,
        message: 'bodies are recorded in workflow history: put secrets in headers, not ${...} in the body',
      });
    }
    problems.push(...checkJsonTemplate(body, `${at}.body`));
  }
}

function versionOf(d: DestinationConfigInput): string {
  return createHash('sha256').update(JSON.stringify(d)).digest('hex').slice(0, 12);
}

/** Validate a parsed document (already YAML-decoded) into a RelayConfig, or throw ConfigError. */
export function parseConfig(document: unknown, env: Env, file = '<inline>'): RelayConfig {
  const parsed = relayConfigSchema.safeParse(document ?? {});
  if (!parsed.success) throw new ConfigError(file, zodProblems(parsed.error));
  const problems: ConfigProblem[] = [];
  const cfg = parsed.data;

  const sources: SourceConfig[] = resolveSources(cfg.sources, (value, at) => resolveEnvRefs(value, env, at, problems), problems);
  const sourceIds = new Set(sources.map((s) => s.id));

  const names = new Set<string>();
  const destinations: DestinationConfig[] = cfg.destinations.map((d, i) => {
    const at = `destinations[${i}]`;
    checkDestination(d, at, problems);
    if (names.has(d.name)) problems.push({ path: `${at}.name`, message: `duplicate destination name "${d.name}"` });
    names.add(d.name);
    for (const [j, sourceId] of (d.sources ?? []).entries()) {
      if (!sourceIds.has(sourceId)) problems.push({ path: `${at}.sources[${j}]`, message: `no source with id "${sourceId}"` });
    }
    const headers: HeaderTemplate[] = d.headers.map((h, j) => {
      const value = h.value.trim();
      const secret = hasEnvRefs(value);
      // Resolve once now only to report unset variables at start-up; the value is resolved again at send time.
      if (secret) {
        const resolved = resolveEnvRefs(value, env, `${at}.headers[${j}].value`, problems);
        if (!HEADER_VALUE_WHITELIST.test(resolved)) {
          problems.push({
            path: `${at}.headers[${j}].value`,
            message: 'the referenced secret holds characters outside the header whitelist',
          });
        }
      }
      return { key: h.key.trim(), value, secret };
    });
    let body: unknown = d.body;
    if (typeof body === 'string') {
      try {
        body = JSON.parse(body);
      } catch {
        body = undefined; // already reported by checkDestination
      }
    }
    return {
      name: d.name,
      kind: d.kind,
      version: versionOf(d),
      description: d.description,
      enabled: d.enabled,
      events: d.events,
      sources: d.sources,
      url: d.url,
      allowInsecureHttp: d.allowInsecureHttp,
      headers,
      body,
      slaSeconds: d.slaSeconds,
      maxConnections: d.maxConnections,
      timeoutSeconds: d.timeoutSeconds,
      retryWindowSeconds: d.retryWindowSeconds,
      enrichment: d.enrichment,
    };
  });

  if (problems.length > 0) throw new ConfigError(file, problems);
  return { sources, destinations };
}

/** Read, parse and validate a YAML configuration file. */
export function loadConfigFile(file: string, env: Env): RelayConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new ConfigError(file, [{ path: '', message: `cannot read file: ${(e as Error).message}` }]);
  }
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      file,
      doc.errors.map((e) => ({ path: e.linePos ? `line ${e.linePos[0].line}` : '', message: e.message.split('\n')[0] ?? e.message })),
    );
  }
  return parseConfig(doc.toJS(), env, file);
}
