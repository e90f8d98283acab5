/**
 * The rules of a webhook draft, checked as it is typed. Each is the server's own where the
 * server's is pure (names, URL text, header pairs, templates, enrichment and the numeric
 * settings' schemas), so the console never accepts what the API refuses, nor says it with
 * other words. What only the server can judge (where a URL's address points, the relay's own
 * port, names taken meanwhile) comes back as a 422 and is shown on its field the same way.
 */
import { cardNumbersProblem, destinationNameProblem } from '../../../src/config/destination-rules';
import { destinationBaseSchema, enrichmentSchema } from '../../../src/config/schema';
import { bodyTemplateProblems, headerPairProblems, urlTextProblems } from '../../../src/destinations/field-rules';
import { hasEnvRefs } from '../../../src/model/env-ref';
import { enrichmentOf, isBlankRow, type WebhookDraft } from './draft';
import { addError, type FieldErrors } from './field-errors';

export interface WebhookContext {
  /** Names of the destinations that exist (a new one must not take one; case-sensitive). */
  existingNames: readonly string[];
  /** Editing: the name is the destination's key and cannot change. */
  editing: boolean;
  /** Credential sets that exist, when known: `auth` must name one. */
  credentialNames?: readonly string[];
}

/** The management API resolves no `${…}`: a file's references are `relay apply`'s. */
export const ENV_REF_REFUSED = '${...} references are resolved only by `relay apply` from a file; send the value itself';

export function nameErrors(name: string, ctx: WebhookContext): string[] {
  const problem = destinationNameProblem(name);
  if (problem) return [problem];
  if (!ctx.editing && ctx.existingNames.includes(name)) return [`a destination named "${name}" exists (names are unique, case-sensitive)`];
  return [];
}

export function eventErrors(d: Pick<WebhookDraft, 'group' | 'events'>): string[] {
  if (d.events.length > 0) return [];
  return [d.group === '' ? 'choose an event group' : 'subscribe to at least one event'];
}

export function urlErrors(url: string, allowInsecureHttp: boolean): string[] {
  const trimmed = url.trim();
  if (trimmed === '') return ['url is required'];
  return urlTextProblems(trimmed, allowInsecureHttp, 'url').problems.map((p) => p.message);
}

/** Errors of the header rows by field (`headers.2.key`); blank rows are not sent and have none. */
export function headerErrors(rows: WebhookDraft['headers']): FieldErrors {
  const errors: FieldErrors = {};
  const seen = new Set<string>();
  rows.forEach((row, i) => {
    if (isBlankRow(row)) return;
    const pair = { key: row.key.trim(), value: row.value.trim(), secret: row.secret };
    for (const p of headerPairProblems(pair, `headers.${i}`, seen)) addError(errors, p.path, p.message);
    if (hasEnvRefs(pair.value)) addError(errors, `headers.${i}.value`, ENV_REF_REFUSED);
  });
  return errors;
}

export function bodyErrors(text: string): string[] {
  if (text.trim() === '') return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    return [`body template is not valid JSON: ${(e as Error).message}`];
  }
  return bodyTemplateProblems(parsed, 'body').map((p) => (p.path === 'body' ? p.message : `${p.path.slice(5)}: ${p.message}`));
}

/** Enrichment: the identifier source chosen when asked for, card numbers only with it; the server's schema for the rest. */
export function enrichmentErrors(e: WebhookDraft['enrichment']): FieldErrors {
  const errors: FieldErrors = {};
  if (e.customerIdentifiers && e.identifierSource === '') {
    addError(errors, 'enrichment.customerIdentifiers', "choose the source of the customer's identifiers");
  }
  const card = cardNumbersProblem({ cardNumbers: e.cardNumbers, customerIdentifiers: e.customerIdentifiers ? e.identifierSource : '' });
  if (card) addError(errors, 'enrichment.cardNumbers', card);
  const parsed = enrichmentSchema.safeParse(enrichmentOf(e));
  for (const i of parsed.error?.issues ?? []) addError(errors, ['enrichment', ...i.path.map(String)].join('.'), i.message);
  return errors;
}

/** A positive whole number setting as typed ('' = its default), by the server's schema of the field. */
export function settingErrors(field: 'maxConnections' | 'slaSeconds', text: string): string[] {
  if (text.trim() === '') return [];
  const parsed = destinationBaseSchema.shape[field].safeParse(Number(text.trim()));
  return parsed.success ? [] : parsed.error.issues.map((i) => i.message);
}

/** Every rule of the draft, by field path. */
export function checkWebhook(d: WebhookDraft, ctx: WebhookContext): FieldErrors {
  const errors: FieldErrors = {};
  const put = (field: string, messages: readonly string[]) => messages.forEach((m) => addError(errors, field, m));
  put('name', nameErrors(d.name, ctx));
  put('events', eventErrors(d));
  put('url', urlErrors(d.url, d.base?.allowInsecureHttp === true));
  if (d.auth !== '' && ctx.credentialNames && !ctx.credentialNames.includes(d.auth)) {
    put('auth', [`no credential set named "${d.auth}"`]);
  }
  for (const [field, messages] of Object.entries(headerErrors(d.headers))) put(field, messages);
  put('body', bodyErrors(d.body));
  for (const [field, messages] of Object.entries(enrichmentErrors(d.enrichment))) put(field, messages);
  put('maxConnections', settingErrors('maxConnections', d.maxConnections));
  put('slaSeconds', settingErrors('slaSeconds', d.slaSeconds));
  return errors;
}

/** The fields the forms show, by what the API's issue paths name; anything else is the form's as a whole. */
export function webhookFieldFor(headerRows: readonly number[]) {
  return (path: string): string | undefined => {
    const [first = '', second, third] = path.split('.');
    switch (first) {
      case 'name':
      case 'description':
      case 'url':
      case 'body':
      case 'auth':
      case 'maxConnections':
      case 'slaSeconds':
        return first;
      case 'method':
        return 'url';
      case 'events':
      case 'sources':
        return 'events';
      case 'enrichment':
        return second === 'cardNumbers' || second === 'customerIdentifiers' ? `enrichment.${second}` : 'enrichment';
      case 'headers': {
        const row = second === undefined ? undefined : headerRows[Number(second)];
        if (row === undefined) return 'headers';
        return `headers.${row}.${third === 'value' || third === 'secret' ? third : 'key'}`;
      }
      default:
        return undefined;
    }
  };
}
