/**
 * The contract of a source adapter — parsed JSON body in, canonical event(s) out — and the
 * helpers every adapter shares: ids (sender's, or a stable hash of the body), timestamps and
 * per-item results of batches.
 */
import { createHash } from 'node:crypto';
import type { z } from 'zod';
import type { CanonicalEvent } from '../model/canonical-event';
import type { SourceConfig, SourceOf } from '../model/source';
import { BatchTooLargeError, HttpError, InvalidTimestampError, SchemaViolationError, UnsafeIntegerError } from '../http/inbound/errors';
import { zodIssues } from '../model/field-issue';
import type { SourceKind } from './kinds';

export interface NormalizeContext {
  sourceId: string;
  /** ISO 8601 time the receiver accepted the request. */
  receivedAt: string;
  /** The source's configuration (kind settings such as Kognitiv's field mapping). */
  source?: SourceConfig;
  /** Request headers, lower-case names (WebEngage's event id is `x-request-id`). */
  headers?: Record<string, string | string[] | undefined>;
}

/** One event per request. */
export interface SingleSourceAdapter {
  kind: SourceKind;
  batch?: undefined;
  /** Event names this kind emits, or undefined when any name is allowed. */
  catalog?: readonly string[];
  /** Where the event name comes from, in words: what GET /v1/event-types says of this kind. */
  nameFrom: string;
  /** Status of a newly accepted event: 202, or 200 for senders that count only 200 as success (WebEngage). */
  acceptedStatus?: 200 | 202;
  /** Validate and normalize; throws an HttpError (422 family) when the body is not an event of this kind. */
  normalize(body: unknown, ctx: NormalizeContext): CanonicalEvent;
}

/** Outcome of one item of a batch: its event, or why it was refused. */
export type BatchItem = { index: number; event: CanonicalEvent } | { index: number; error: HttpError };

/** Many events per request, accepted or refused one by one. */
export interface BatchSourceAdapter {
  kind: SourceKind;
  batch: { maxEvents: number };
  catalog?: readonly string[];
  nameFrom: string;
  /** Throws for an envelope that is not a batch at all; otherwise one outcome per item. */
  normalizeBatch(body: unknown, ctx: NormalizeContext): BatchItem[];
}

export type SourceAdapter = SingleSourceAdapter | BatchSourceAdapter;

/** Parse with a zod schema or throw a 422 listing every field problem. */
export function parseOrReject<T>(schema: z.ZodType<T>, body: unknown, prefix: readonly string[] = []): T {
  const result = schema.safeParse(body);
  if (!result.success) throw new SchemaViolationError(zodIssues(result.error, prefix, '(body)'));
  return result.data;
}

/** The settings of a source of this kind (adapters that need them are always given them by the receiver). */
export function sourceOf<K extends SourceKind>(ctx: NormalizeContext, kind: K): SourceOf<K> {
  if (ctx.source?.kind !== kind) throw new Error(`the ${kind} adapter needs its source configuration in the context`);
  return ctx.source as SourceOf<K>;
}

export function headerOf(ctx: NormalizeContext, name: string): string | undefined {
  const v = ctx.headers?.[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}

/** JSON with object keys sorted, so a re-serialized resend hashes the same. */
function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    return `{${Object.keys(obj)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableJson(obj[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** A stable event id for senders that give none: `sha256-` and 40 hex digits of the body's canonical JSON. */
export function hashId(value: unknown): string {
  return `sha256-${createHash('sha256').update(stableJson(value)).digest('hex').slice(0, 40)}`;
}

/**
 * An id field as a string. Numbers must be safe integers: JSON parsing has already rounded
 * a larger one, so two different senders' ids could collide.
 */
export function idOf(value: string | number, path: string): string {
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) {
      if (Number.isInteger(value)) throw new UnsafeIntegerError(path);
      throw new SchemaViolationError([{ path, message: 'an id must be a string or an integer' }]);
    }
    return String(value);
  }
  return value;
}

const ISO = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/i;
const MAX_MS = 8.64e15;

/**
 * An instant as ISO 8601 (UTC, milliseconds). Accepts ISO 8601 with a zone (`Z`, `+05:30`,
 * `+0530`) and epoch numbers in `unit` (`auto`: below 1e11 is seconds, else milliseconds).
 * Anything else — no zone, impossible dates, out of range — is an `invalid_timestamp`.
 */
export function toInstant(value: string | number, path: string, unit: 'ms' | 's' | 'auto' = 'ms'): string {
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || value < 0) throw new InvalidTimestampError(path, 'epoch time must be a non-negative number');
    const ms = unit === 's' || (unit === 'auto' && value < 1e11) ? value * 1000 : value;
    if (ms > MAX_MS) throw new InvalidTimestampError(path, 'beyond the range of a date');
    return new Date(Math.trunc(ms)).toISOString();
  }
  const m = ISO.exec(value.trim());
  if (!m) throw new InvalidTimestampError(path, 'expected ISO 8601 with a time zone, e.g. 2024-06-10T11:43:20+05:30');
  const [, y, mo, d, h, mi, s = '00', frac = '', zone = 'Z'] = m;
  const z = zone.toUpperCase() === 'Z' ? 'Z' : `${zone.slice(0, 3)}:${zone.slice(-2)}`;
  const ms = frac ? frac.slice(0, 4).padEnd(4, '0') : '';
  const date = new Date(`${y}-${mo}-${d}T${h}:${mi}:${s}${ms}${z}`);
  // Date accepts 2024-02-30 by rolling over; refuse it by checking the calendar date survives.
  const check = new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d)));
  if (Number.isNaN(date.getTime()) || check.getUTCDate() !== Number(d) || check.getUTCMonth() !== Number(mo) - 1) {
    throw new InvalidTimestampError(path, 'not a real date and time');
  }
  return date.toISOString();
}

/**
 * Run `fn` for each item, turning thrown HttpErrors into per-item refusals with paths prefixed.
 * A batch over the adapter's `maxEvents` is refused whole (413) before any item is read.
 */
export function eachItem(
  items: readonly unknown[],
  prefix: string,
  maxEvents: number,
  fn: (item: unknown, index: number) => CanonicalEvent,
): BatchItem[] {
  if (items.length > maxEvents) throw new BatchTooLargeError(items.length, maxEvents);
  return items.map((item, index) => {
    try {
      return { index, event: fn(item, index) };
    } catch (e) {
      if (!(e instanceof HttpError)) throw e;
      return { index, error: withPathPrefix(e, `${prefix}.${index}`) };
    }
  });
}

function withPathPrefix(e: HttpError, prefix: string): HttpError {
  if (!e.issues) return e;
  const issues = e.issues.map((i) => ({ ...i, path: i.path === '(body)' ? prefix : `${prefix}.${i.path}` }));
  return new HttpError(e.status, e.code, e.message, issues, e.headers);
}
