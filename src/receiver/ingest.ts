/**
 * From a parsed body to an answer: normalize with the source's adapter, check the event
 * time against the receiver's clock, start one workflow per event.
 *
 * Batches (MoEngage Streams, CleverTap) are answered so that a sender that resends the
 * whole batch on any non-2xx never loses an event and never gets one delivered twice:
 * - 200 with a result per event when every event is final: accepted, duplicate, or
 *   rejected (a permanent problem with that event; resending would not help);
 * - 503 + Retry-After when any event could not be started because Temporal is unavailable.
 *   A resend is safe: events already started come back as duplicates.
 */
import type { BatchResult } from '../api/schemas';
import type { CanonicalEvent } from '../model/canonical-event';
import {
  ControlCharacterError,
  FutureTimestampError,
  HttpError,
  SchemaViolationError,
  TemporalUnavailableError,
} from '../http/inbound/errors';
import type { Logger } from '../telemetry/logger';
import type { Metrics } from '../telemetry/metrics';
import type { BatchSourceAdapter, NormalizeContext, SingleSourceAdapter } from '../sources/adapter';
import type { EventStarter, StartResult } from './starter';

export interface IngestDeps {
  starter: EventStarter;
  metrics: Metrics;
  logger: Logger;
  now: () => Date;
  /** Event times further ahead of the receiver's clock than this are refused. */
  maxFutureSkewSeconds: number;
}

export interface Answer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

/** A lone UTF-16 surrogate: valid in a JSON string (`"\ud800"`), but not Unicode, so not a valid Temporal workflow id. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** C0 controls and DEL. */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

/** The canonical event's fields used as keys (store lookups, workflow ids, loyalty API lookups). */
function keyFields(event: CanonicalEvent): [string, string][] {
  const { identifiers } = event.customer;
  return [
    ['id', event.id],
    ['name', event.name],
    ...(event.customer.id !== undefined ? ([['customer.id', event.customer.id]] as [string, string][]) : []),
    ...(['mobile', 'email', 'externalId'] as const).flatMap((k): [string, string][] =>
      identifiers[k] !== undefined ? [[`customer.identifiers.${k}`, identifiers[k]]] : [],
    ),
    ...(identifiers.cardNumbers ?? []).map((c, i): [string, string] => [`customer.identifiers.cardNumbers.${i}`, c]),
  ];
}

/** Checks every adapter's output gets before its workflow is started. */
export function checkEvent(event: CanonicalEvent, now: Date, maxSkewSeconds: number): void {
  const controls = keyFields(event).filter(([, value]) => CONTROL.test(value));
  if (controls.length > 0) {
    throw new ControlCharacterError(controls.map(([path]) => ({ path, message: 'holds a control character (U+0000–U+001F, U+007F)' })));
  }
  if (LONE_SURROGATE.test(event.id)) {
    throw new SchemaViolationError(
      [{ path: 'id', message: 'the event id is not well-formed Unicode (lone surrogate)' }],
      'the event id cannot be a workflow id',
    );
  }
  if (Date.parse(event.occurredAt) > now.getTime() + maxSkewSeconds * 1000)
    throw new FutureTimestampError(event.occurredAt, maxSkewSeconds);
}

/** The request's hop count on the event; 0 or absent is left out (absent = 0). */
function withHops(event: CanonicalEvent, hops: number | undefined): CanonicalEvent {
  return hops ? { ...event, hops } : event;
}

/**
 * Counted always; logged at info only when it is a duplicate (a sender resending what we already
 * have is worth a line). An accepted event is logged at debug: relay_events_accepted_total and
 * relay_ingest_duration_seconds count it, and its run in Temporal (workflow id = source + event id) is
 * its record. A line per accepted event was a synchronous write per request, a sizeable share
 * of what the receiver spends on an event (README "Performance").
 */
function logAccepted(deps: IngestDeps, requestId: string, event: CanonicalEvent, result: StartResult): void {
  deps.metrics.accepted.inc({ source: event.source, outcome: result.duplicate ? 'duplicate' : 'started' });
  const level = result.duplicate ? 'info' : 'debug';
  if (!deps.logger.isLevelEnabled(level)) return;
  deps.logger[level](
    { requestId, source: event.source, eventId: event.id, event: event.name, workflowId: result.workflowId, duplicate: result.duplicate },
    result.duplicate ? 'duplicate event' : 'event accepted',
  );
}

export async function ingestSingle(
  deps: IngestDeps,
  adapter: SingleSourceAdapter,
  body: unknown,
  ctx: NormalizeContext,
  requestId: string,
  hops?: number,
): Promise<Answer> {
  const event = withHops(adapter.normalize(body, ctx), hops);
  checkEvent(event, deps.now(), deps.maxFutureSkewSeconds);
  const result = await deps.starter.start(event);
  logAccepted(deps, requestId, event, result);
  return {
    status: result.duplicate ? 200 : (adapter.acceptedStatus ?? 202),
    body: { eventId: event.id, workflowId: result.workflowId, ...(result.duplicate ? { duplicate: true } : {}) },
  };
}

/** Starts in flight at once per batch: enough to overlap round trips, few enough not to flood Temporal. */
const START_CONCURRENCY = 8;

export async function ingestBatch(
  deps: IngestDeps,
  adapter: BatchSourceAdapter,
  body: unknown,
  ctx: NormalizeContext,
  requestId: string,
  hops?: number,
): Promise<Answer> {
  const items = adapter.normalizeBatch(body, ctx).map((item) => ('error' in item ? item : { ...item, event: withHops(item.event, hops) }));
  const now = deps.now();
  const results: BatchResult[] = new Array<BatchResult>(items.length);
  const toStart: { index: number; event: CanonicalEvent }[] = [];
  const reject = (index: number, e: HttpError, eventId?: string) => {
    deps.metrics.rejected.inc({ source: ctx.sourceId, code: e.code });
    results[index] = {
      index,
      status: 'rejected',
      ...(eventId ? { eventId } : {}),
      code: e.code,
      message: e.message,
      ...(e.issues ? { issues: e.issues } : {}),
    };
  };
  for (const item of items) {
    if ('error' in item) {
      reject(item.index, item.error);
      continue;
    }
    try {
      checkEvent(item.event, now, deps.maxFutureSkewSeconds);
      toStart.push(item);
    } catch (e) {
      if (!(e instanceof HttpError)) throw e;
      reject(item.index, e, item.event.id);
    }
  }

  let retryAfter: string | undefined;
  let next = 0;
  const worker = async () => {
    while (next < toStart.length) {
      const item = toStart[next++];
      if (!item) break;
      const { index, event } = item;
      try {
        const result = await deps.starter.start(event);
        logAccepted(deps, requestId, event, result);
        results[index] = { index, status: result.duplicate ? 'duplicate' : 'accepted', eventId: event.id, workflowId: result.workflowId };
      } catch (e) {
        if (!(e instanceof TemporalUnavailableError)) throw e;
        retryAfter = e.headers?.['Retry-After'];
        deps.metrics.rejected.inc({ source: ctx.sourceId, code: e.code });
        results[index] = { index, status: 'unavailable', eventId: event.id, code: e.code, message: e.message };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(START_CONCURRENCY, toStart.length) }, worker));

  const count = (s: BatchResult['status']) => results.filter((r) => r.status === s).length;
  const summary = {
    accepted: count('accepted'),
    duplicates: count('duplicate'),
    rejected: count('rejected'),
    unavailable: count('unavailable'),
  };
  if (summary.unavailable > 0) {
    return {
      status: 503,
      headers: { 'Retry-After': retryAfter ?? '5' },
      body: {
        code: 'temporal_unavailable',
        message: 'some events could not be started; resend the batch (started events will come back as duplicates)',
        requestId,
        ...summary,
        results,
      },
    };
  }
  return { status: 200, body: { requestId, ...summary, results } };
}
