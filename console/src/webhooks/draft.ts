/**
 * A webhook destination as the console's forms hold it (text as typed), and the conversions
 * to and from the management API's JSON: one `destinations:` entry of kind `webhook`. Both
 * forms (the wizard and the notification form) edit this one shape.
 */
import { groupOf } from './event-groups';

export interface HeaderRow {
  key: string;
  value: string;
  /** Stored encrypted, shown redacted (`****3456`) as the API shows it; sent back unchanged it keeps the stored value. */
  secret: boolean;
}

/** Sources of the customer's identifiers that the Capillary-style form offers (loyalty API `source`). */
export const IDENTIFIER_SOURCES = [
  { value: 'WECHAT', label: 'WeChat' },
  { value: 'WEBENGAGE', label: 'WebEngage' },
  { value: 'INSTORE', label: 'InStore' },
] as const;

export interface EnrichmentDraft {
  till: boolean;
  store: boolean;
  /** The "customer identifier" box; the source comes from `identifierSource`. */
  customerIdentifiers: boolean;
  identifierSource: string;
  cardNumbers: boolean;
  awardedReferenceId: boolean;
  pointsBalance: boolean;
}

export interface WebhookDraft {
  name: string;
  description: string;
  /** An id of EVENT_GROUPS, or CUSTOM_GROUP. */
  group: string;
  events: string[];
  url: string;
  /** Credential set name; '' is `<None>`. */
  auth: string;
  headers: HeaderRow[];
  /** JSON text; '' = the default body (the canonical event and its enrichment). */
  body: string;
  enrichment: EnrichmentDraft;
  maxConnections: string;
  slaSeconds: string;
  /** On edit, the destination as read: what the form does not show is sent back as it was. */
  base?: Record<string, unknown>;
}

export const emptyHeader = (): HeaderRow => ({ key: '', value: '', secret: false });

/** A new webhook: one empty header pair shown, as the Kognitiv wizard does. */
export function emptyDraft(): WebhookDraft {
  return {
    name: '',
    description: '',
    group: '',
    events: [],
    url: '',
    auth: '',
    headers: [emptyHeader()],
    body: '',
    enrichment: {
      till: false,
      store: false,
      customerIdentifiers: false,
      identifierSource: '',
      cardNumbers: false,
      awardedReferenceId: false,
      pointsBalance: false,
    },
    maxConnections: '',
    slaSeconds: '',
  };
}

const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const num = (v: unknown): string => (typeof v === 'number' ? String(v) : '');

/** A stored destination (GET /v1/destinations/{name}) as a draft to edit. */
export function draftFromResource(r: Record<string, unknown>): WebhookDraft {
  const enrichment = (r.enrichment ?? {}) as Record<string, unknown>;
  const events = Array.isArray(r.events) ? r.events.filter((e): e is string => typeof e === 'string') : [];
  const headers = Array.isArray(r.headers)
    ? r.headers.map((h: Record<string, unknown>) => ({ key: str(h.key), value: str(h.value), secret: h.secret === true }))
    : [];
  return {
    name: str(r.name),
    description: str(r.description),
    group: groupOf(events),
    events,
    url: str(r.url),
    auth: str(r.auth),
    headers,
    body: r.body === undefined ? '' : typeof r.body === 'string' ? r.body : JSON.stringify(r.body, null, 2),
    enrichment: {
      till: enrichment.till === true,
      store: enrichment.store === true,
      customerIdentifiers: typeof enrichment.customerIdentifiers === 'string',
      identifierSource: str(enrichment.customerIdentifiers),
      cardNumbers: enrichment.cardNumbers === true,
      awardedReferenceId: enrichment.awardedReferenceId === true,
      pointsBalance: enrichment.pointsBalance === true,
    },
    maxConnections: num(r.maxConnections),
    slaSeconds: num(r.slaSeconds),
    base: r,
  };
}

/** What a resource has beside its entry: not sent back (the version goes in If-Match; pause is changed by /pause and /resume). */
const RESOURCE_ONLY = ['version', 'createdAt', 'updatedAt', 'secrets', 'paused', 'pausedReason', 'pausedAt', 'pausedBy'];

/** A header row the operator left empty (both key and value): not sent. */
export const isBlankRow = (h: HeaderRow): boolean => h.key.trim() === '' && h.value.trim() === '';

/** The enrichment entry the API takes, as the form says it (card numbers without a source are the rules' to refuse). */
export function enrichmentOf(e: EnrichmentDraft): Record<string, unknown> {
  const source = e.customerIdentifiers && e.identifierSource !== '' ? e.identifierSource : undefined;
  return {
    pointsBalance: e.pointsBalance,
    ...(source ? { customerIdentifiers: source } : {}),
    cardNumbers: e.cardNumbers,
    store: e.store,
    till: e.till,
    awardedReferenceId: e.awardedReferenceId,
  };
}

/** An integer field as typed: '' is left out (the default applies); anything else is sent as the number it reads as. */
function numberField(text: string): number | undefined {
  const t = text.trim();
  return t === '' ? undefined : Number(t);
}

export interface WebhookRequest {
  body: Record<string, unknown>;
  /** For each header sent, the form row it came from (blank rows are not sent): maps `headers.N` issues back. */
  headerRows: number[];
}

/** The POST / PUT body: keys and values trimmed, blank header rows left out. */
export function toRequest(d: WebhookDraft): WebhookRequest {
  const out: Record<string, unknown> = Object.fromEntries(Object.entries(d.base ?? {}).filter(([k]) => !RESOURCE_ONLY.includes(k)));
  const headerRows: number[] = [];
  const headers = d.headers.flatMap((h, i) => {
    if (isBlankRow(h)) return [];
    headerRows.push(i);
    return [{ key: h.key.trim(), value: h.value.trim(), ...(h.secret ? { secret: true } : {}) }];
  });
  Object.assign(out, {
    name: d.name,
    kind: 'webhook',
    events: d.events,
    url: d.url.trim(),
    method: 'POST',
    headers,
    enrichment: enrichmentOf(d.enrichment),
  });
  const optional: [string, unknown][] = [
    ['description', d.description.trim() === '' ? undefined : d.description],
    ['auth', d.auth === '' ? undefined : d.auth],
    ['body', d.body.trim() === '' ? undefined : d.body],
    ['maxConnections', numberField(d.maxConnections)],
    ['slaSeconds', numberField(d.slaSeconds)],
  ];
  for (const [key, value] of optional) {
    if (value === undefined) delete out[key];
    else out[key] = value;
  }
  return { body: out, headerRows };
}
