/**
 * `{{ path }}` placeholders for destination URLs, header values and JSON bodies.
 *
 * A placeholder is a path into the render context (`event.customer.id`,
 * `enrichment.pointsBalance.totalPoints`, `event.properties.items[0].sku`), optionally with
 * a default used when the path has no value: `{{ path | default: <JSON literal> }}`
 * (`"text"`, `0`, `true`, `null`). Nothing more: no expressions. Bodies are rendered structurally — the template is parsed as JSON first
 * and placeholders are replaced inside string values — so a value can never break the
 * JSON or add fields. A string that is exactly one placeholder keeps the value's JSON type.
 */
import type { FieldIssue } from '../model/field-issue';

export const PLACEHOLDER_ROOTS = ['event', 'enrichment', 'destination'] as const;

const PLACEHOLDER = /\{\{\s*([^{}]*?)\s*\}\}/g;
const PATH = /^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*|\[\d+\])*$/;
const WHOLE = /^\{\{\s*([^{}]*?)\s*\}\}$/;
const DEFAULT = /^default\s*:\s*(.+)$/;

interface Placeholder {
  path: string;
  /** Present when the template gives a default. */
  fallback?: { value: unknown };
}

/** Parse the inside of `{{ … }}`; a string describing the problem when it is not valid. */
function parsePlaceholder(inner: string): Placeholder | string {
  const bar = inner.indexOf('|');
  const path = (bar === -1 ? inner : inner.slice(0, bar)).trim();
  if (!PATH.test(path)) return `placeholder {{ ${inner} }} is not a path such as {{ event.customer.id }}`;
  const root = path.split(/[.[]/)[0];
  if (!(PLACEHOLDER_ROOTS as readonly string[]).includes(root ?? '')) {
    return `placeholder {{ ${inner} }} must start with one of: ${PLACEHOLDER_ROOTS.join(', ')}`;
  }
  if (bar === -1) return { path };
  const filter = DEFAULT.exec(inner.slice(bar + 1).trim());
  if (!filter) return `placeholder {{ ${inner} }}: the only filter is "default: <JSON literal>"`;
  try {
    return { path, fallback: { value: JSON.parse(filter[1] ?? '') } };
  } catch {
    return `placeholder {{ ${inner} }}: default must be a JSON literal such as "text", 0, true or null`;
  }
}

/** A template cannot be rendered for this event: a permanent failure for that delivery. */
export class TemplateRenderError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** A placeholder has no value in the render context. */
export class MissingPlaceholderError extends TemplateRenderError {
  constructor(readonly placeholder: string) {
    super(`placeholder {{ ${placeholder} }} has no value for this event`);
  }
}

/** Problems with a template's syntax, found at configuration time. */
export function checkTemplate(template: string): string[] {
  const problems: string[] = [];
  for (const match of template.matchAll(PLACEHOLDER)) {
    const parsed = parsePlaceholder(match[1] ?? '');
    if (typeof parsed === 'string') problems.push(parsed);
  }
  const stripped = template.replace(PLACEHOLDER, '');
  if (stripped.includes('{{') || stripped.includes('}}')) {
    problems.push('unbalanced "{{" or "}}"');
  }
  return problems;
}

export function hasPlaceholders(template: string): boolean {
  return template.replace(PLACEHOLDER, '') !== template;
}

/** Every placeholder problem in a JSON template value (strings at any depth). */
export function checkJsonTemplate(template: unknown, at = 'body'): FieldIssue[] {
  if (typeof template === 'string') return checkTemplate(template).map((message) => ({ path: at, message }));
  if (Array.isArray(template)) return template.flatMap((item, i) => checkJsonTemplate(item, `${at}[${i}]`));
  if (template && typeof template === 'object') {
    return Object.entries(template).flatMap(([key, value]) => checkJsonTemplate(value, `${at}.${key}`));
  }
  return [];
}

export function lookup(context: unknown, path: string): unknown {
  let current: unknown = context;
  for (const segment of path.split(/\.|\[(\d+)\]/).filter((s) => s !== undefined && s !== '')) {
    if (current === null || typeof current !== 'object') return undefined;
    // Own properties only: a template must not reach __proto__ or constructor.
    if (!Object.prototype.hasOwnProperty.call(current, segment)) return undefined;
    current = (current as Record<string, unknown>)[segment];
  }
  return current;
}

function resolve(context: unknown, inner: string): unknown {
  const placeholder = parsePlaceholder(inner);
  if (typeof placeholder === 'string') throw new TemplateRenderError(placeholder);
  const value = lookup(context, placeholder.path);
  if (value !== undefined) return value;
  if (placeholder.fallback) return placeholder.fallback.value;
  throw new MissingPlaceholderError(placeholder.path);
}

function asText(value: unknown): string {
  if (value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

/** Interpolate placeholders into plain text (header values). */
export function renderText(template: string, context: unknown): string {
  return template.replace(PLACEHOLDER, (_, path: string) => asText(resolve(context, path)));
}

/** A high surrogate not followed by a low one, or a low one not preceded by a high one. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Interpolate placeholders into a URL; every value is percent-encoded. */
export function renderUrl(template: string, context: unknown): string {
  return template.replace(PLACEHOLDER, (_, path: string) => {
    const text = asText(resolve(context, path));
    // encodeURIComponent throws URIError on a lone UTF-16 surrogate ("\ud800" in the event's JSON):
    // that event can never be rendered into this URL, so it is a render failure, not a retry.
    if (LONE_SURROGATE.test(text)) {
      throw new TemplateRenderError(`placeholder {{ ${path.trim()} }} holds a lone UTF-16 surrogate, which a URL cannot carry`);
    }
    return encodeURIComponent(text);
  });
}

/** Render a JSON template value structurally (see the file comment). */
export function renderJson(template: unknown, context: unknown): unknown {
  if (typeof template === 'string') {
    const whole = WHOLE.exec(template);
    if (whole) return resolve(context, whole[1] ?? '');
    return renderText(template, context);
  }
  if (Array.isArray(template)) return template.map((item) => renderJson(item, context));
  if (template && typeof template === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(template)) {
      Object.defineProperty(out, key, { value: renderJson(value, context), enumerable: true, writable: true, configurable: true });
    }
    return out;
  }
  return template;
}
