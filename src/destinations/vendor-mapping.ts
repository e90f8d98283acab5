/**
 * Mapping rules shared by the vendor kinds (moengage, customerglu): which id a vendor gets
 * (`customerIdFrom`), how nested values become flat attributes, which values are personal data
 * and stay out of event attributes unless asked for, how enrichment is named, and per-event
 * attribute templates. README "MoEngage and CustomerGlu mapping" states each rule and the
 * vendor page it follows.
 */
import type { CustomerIdentifiers } from '../model/canonical-event';
import type { Enrichment } from '../model/enrichment';
import { checkJsonTemplate, checkTemplate, lookup, MissingPlaceholderError, renderJson, TemplateRenderError } from './templates';
import type { FieldIssue } from '../model/field-issue';
import { isObject } from '../model/is-object';

/** Where the vendor's user id comes from when `customerIdFrom` is not set (the behaviour before the setting existed). */
export const DEFAULT_CUSTOMER_ID_PATH = 'event.customer.id';

/** What `customerIdFrom` and attribute templates read: the same context as webhook templates. */
export interface MappingContext {
  event: unknown;
  enrichment: unknown;
  destination: { name: string };
}

/** Problems with a `customerIdFrom` path, found at configuration time. */
export function checkIdPath(path: string, at: string): FieldIssue[] {
  if (path.includes('{{') || path.includes('}}') || path.includes('|')) {
    return [{ path: at, message: `"${path}" must be a bare path such as event.customer.identifiers.externalId, not a template` }];
  }
  return checkTemplate(`{{ ${path} }}`).map((message) => ({
    path: at,
    message: message.replace(/^placeholder \{\{ (.*) \}\}/, (_, p: string) => `path "${p}"`),
  }));
}

/**
 * The vendor's user id for this event: the value at `path`, a non-empty string or a finite
 * number (sent as a string). Anything else fails this destination for this event, permanently
 * (`TemplateRenderFailed`): another attempt would read the same event.
 */
export function customerIdOf(kind: string, path: string, context: MappingContext): string {
  const value = lookup(context, path);
  if (typeof value === 'string' && value.trim() !== '') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  const found =
    value === undefined
      ? 'has no value'
      : value === null
        ? 'holds null'
        : Array.isArray(value)
          ? 'holds an array'
          : typeof value === 'string'
            ? 'holds an empty string'
            : typeof value === 'object'
              ? 'holds an object'
              : `holds ${JSON.stringify(value)}, not a string or a finite number`;
  throw new TemplateRenderError(`${kind} customerIdFrom "${path}" ${found} for this event: no user id to send`);
}

/** Problems with an attribute-template map (`userAttributes`), found at configuration time. */
export function checkAttributeTemplates(templates: Record<string, unknown>, at: string): FieldIssue[] {
  const problems: FieldIssue[] = [];
  for (const [name, template] of Object.entries(templates)) {
    if (name.trim() === '' || name !== name.trim()) {
      problems.push({ path: `${at}.${name}`, message: 'attribute names are non-empty and have no surrounding spaces' });
    }
    if (JSON.stringify(template).includes('${')) {
      problems.push({ path: `${at}.${name}`, message: 'attribute values are recorded in workflow history: no ${...} secrets' });
    }
    problems.push(...checkJsonTemplate(template, `${at}.${name}`));
  }
  return problems;
}

/**
 * Render each attribute template for this event. An attribute whose placeholder has no value
 * is left out (one map serves every subscribed event, and not every event carries every
 * field); `{{ path | default: … }}` sends a value anyway.
 */
export function renderAttributeTemplates(templates: Record<string, unknown>, context: MappingContext): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, template] of Object.entries(templates)) {
    try {
      out[name] = renderJson(template, context);
    } catch (e) {
      if (e instanceof MissingPlaceholderError) continue;
      throw e;
    }
  }
  return out;
}

function isScalar(v: unknown): v is string | number | boolean {
  return typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v));
}

/**
 * The flattening rule (MoEngage refuses dictionary values; README "MoEngage and CustomerGlu
 * mapping"): nested objects become dotted keys (`a: { b: 1 }` → `a.b: 1`); strings, booleans
 * and finite numbers are kept; an array of scalars is kept, with nulls removed, as is when
 * every element has one type and as strings otherwise (MoEngage arrays are homogeneous); an
 * array holding any object or array, an empty array, an empty object and null are left out.
 * A later key overwrites an earlier one of the same name.
 */
export function flattenAttributes(
  values: Record<string, unknown>,
  prefix = '',
  out: Record<string, unknown> = {},
): Record<string, unknown> {
  for (const [key, value] of Object.entries(values)) {
    const name = prefix === '' ? key : `${prefix}.${key}`;
    if (isScalar(value)) out[name] = value;
    else if (isObject(value)) flattenAttributes(value, name, out);
    else if (Array.isArray(value)) {
      const items = value.filter((item) => item !== null && item !== undefined);
      if (items.length === 0 || !items.every(isScalar)) continue;
      const types = new Set(items.map((item) => typeof item));
      out[name] = types.size === 1 ? items : items.map(String);
    }
  }
  return out;
}

/** Keys whose values are the customer's contact details or card numbers, at any depth (compared case-insensitively). */
const PII_KEYS = new Set(['email', 'mobile', 'phone', 'phonenumber', 'mobilenumber', 'cardnumber', 'cardnumbers']);

function piiValues(ids: CustomerIdentifiers): Set<string> {
  return new Set([ids.email, ids.mobile, ...(ids.cardNumbers ?? [])].filter((v): v is string => typeof v === 'string' && v !== ''));
}

/**
 * `values` without the customer's email, mobile and card numbers: keys named like them
 * (`email`, `mobile`, `phone`, `cardNumbers`… at any depth) and any value equal to one of the
 * event's own identifiers are left out, so a payload that copies them under another name does
 * not leak them either. Used unless the destination sets `includePii: true`.
 */
export function withoutPii(values: Record<string, unknown>, ids: CustomerIdentifiers): Record<string, unknown> {
  const known = piiValues(ids);
  const scrub = (value: unknown): unknown => {
    if (isScalar(value)) return known.has(String(value)) ? undefined : value;
    if (Array.isArray(value)) {
      const kept = value.map(scrub).filter((v) => v !== undefined);
      return kept.length === 0 && value.length > 0 ? undefined : kept;
    }
    if (isObject(value)) {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) {
        if (PII_KEYS.has(k.toLowerCase())) continue;
        const kept = scrub(v);
        if (kept !== undefined) out[k] = kept;
      }
      return out;
    }
    return value;
  };
  return scrub(values) as Record<string, unknown>;
}

/** The customer's email and mobile as top-level attributes: what `includePii: true` adds. */
export function piiAttributes(ids: CustomerIdentifiers): Record<string, string> {
  return { ...(ids.email ? { email: ids.email } : {}), ...(ids.mobile ? { mobile: ids.mobile } : {}) };
}

/**
 * Enrichment as flat attributes, under the same names for every vendor: `points_balance` (the
 * available balance), `store_code`, `till_code`, `awarded_reference_id`. Identifier and
 * profile lookups are not copied: `customerIdFrom` and attribute templates read them.
 */
export function enrichmentAttributes(e: Enrichment): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (e.pointsBalance) out.points_balance = e.pointsBalance.totalPoints;
  if (e.store) out.store_code = e.store.code;
  if (e.till) out.till_code = e.till.code;
  if (e.awardedReferenceId) out.awarded_reference_id = e.awardedReferenceId;
  return Object.fromEntries(Object.entries(out).filter(([, v]) => v !== undefined));
}
