/**
 * Errors a client can cause, each with the HTTP status and the machine-readable code the
 * receiver answers with. One Express error handler (./error-handler.ts) maps them.
 */

import type { FieldIssue } from '../../model/field-issue';

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly issues?: FieldIssue[],
    readonly headers?: Record<string, string>,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** The source id in the URL is not configured. */
export class UnknownSourceError extends HttpError {
  constructor(sourceId: string) {
    super(404, 'unknown_source', `no source with id "${sourceId}" is configured`);
  }
}

/** The credential header is missing or wrong. */
export class UnauthorizedError extends HttpError {
  constructor(message: string, challenge?: string) {
    super(401, 'unauthorized', message, undefined, challenge ? { 'WWW-Authenticate': challenge } : undefined);
  }
}

/** The body is not JSON at all (bad content type). */
export class UnsupportedMediaTypeError extends HttpError {
  constructor(contentType: string | undefined) {
    super(415, 'unsupported_media_type', `content type must be application/json, got ${contentType ? `"${contentType}"` : 'none'}`);
  }
}

/** The body is larger than the configured limit. */
export class PayloadTooLargeError extends HttpError {
  constructor(limitBytes: number) {
    super(413, 'payload_too_large', `body exceeds the limit of ${limitBytes} bytes`);
  }
}

/** Too many failed authentications from this address or on this source: wait for the window to end. */
export class TooManyAuthFailuresError extends HttpError {
  constructor(limit: 'address' | 'source', retryAfterSeconds: number) {
    super(
      429,
      'too_many_auth_failures',
      `too many failed authentication attempts ${limit === 'address' ? 'from this address' : 'on this source'}; retry after ${retryAfterSeconds} s`,
      undefined,
      { 'Retry-After': String(retryAfterSeconds) },
    );
  }
}

/** The body claims to be JSON but does not parse. */
export class MalformedJsonError extends HttpError {
  constructor(detail: string) {
    super(400, 'malformed_json', `body is not valid JSON: ${detail}`);
  }
}

/** The body parses but does not match the source's schema. */
export class SchemaViolationError extends HttpError {
  constructor(issues: FieldIssue[], message = 'body does not match the source schema') {
    super(422, 'schema_violation', message, issues);
  }
}

/** The event name is not one this source kind emits. */
export class UnknownEventError extends HttpError {
  constructor(name: string, sourceKind: string) {
    super(422, 'unknown_event', `"${name}" is not an event of source kind ${sourceKind} (names are case-sensitive)`, [
      { path: 'eventName', message: 'unknown event name' },
    ]);
  }
}

/** Temporal cannot be reached: the sender should retry. */
export class TemporalUnavailableError extends HttpError {
  constructor(retryAfterSeconds: number) {
    super(503, 'temporal_unavailable', 'the workflow service is unavailable; retry later', undefined, {
      'Retry-After': String(retryAfterSeconds),
    });
  }
}

/** The body is not valid UTF-8. */
export class InvalidUtf8Error extends HttpError {
  constructor() {
    super(400, 'invalid_utf8', 'body is not valid UTF-8');
  }
}

/** Objects and arrays nested deeper than the limit (a stack-exhaustion attempt, or a broken sender). */
export class NestingTooDeepError extends HttpError {
  constructor(maxDepth: number) {
    super(400, 'nesting_too_deep', `JSON nesting deeper than ${maxDepth} levels`);
  }
}

/** A `__proto__` key, or a `constructor` key holding `prototype`: prototype pollution. */
export class ForbiddenKeyError extends HttpError {
  constructor() {
    super(400, 'forbidden_key', 'body holds a forbidden key (__proto__, or constructor.prototype)');
  }
}

/** A numeric id beyond Number.MAX_SAFE_INTEGER: JSON parsing has already changed its value. */
export class UnsafeIntegerError extends HttpError {
  constructor(path: string) {
    super(422, 'unsafe_integer', `${path} is a number beyond 2^53 - 1 and cannot be kept exactly; send it as a string`, [
      { path, message: 'integer beyond Number.MAX_SAFE_INTEGER' },
    ]);
  }
}

/**
 * A control character (U+0000–U+001F, U+007F) in a value used as a key: an event name, an
 * event id, a customer id or identifier. PostgreSQL text cannot hold NUL (SQLSTATE 22021),
 * workflow ids and log lines should not hold the rest.
 */
export class ControlCharacterError extends HttpError {
  constructor(issues: FieldIssue[]) {
    super(422, 'control_character', 'names, ids and customer identifiers cannot hold control characters (U+0000–U+001F, U+007F)', issues);
  }
}

/** A timestamp that cannot be read as an instant. */
export class InvalidTimestampError extends HttpError {
  constructor(path: string, detail: string) {
    super(422, 'invalid_timestamp', `${path} is not a valid timestamp: ${detail}`, [{ path, message: detail }]);
  }
}

/** A timestamp further in the future than the allowed clock skew. */
export class FutureTimestampError extends HttpError {
  constructor(occurredAt: string, maxSkewSeconds: number) {
    super(422, 'timestamp_in_future', `event time ${occurredAt} is more than ${maxSkewSeconds} s ahead of the receiver's clock`, [
      { path: 'occurredAt', message: 'in the future' },
    ]);
  }
}

/** The hop header is not a small non-negative integer. */
export class InvalidHopCountError extends HttpError {
  constructor(header: string, value: string) {
    super(400, 'invalid_hop_count', `${header} must be a non-negative integer below 1000, got ${JSON.stringify(value)}`);
  }
}

/** The request has been relayed RELAY_MAX_HOPS times already: a destination probably points back at a relay (a loop). */
export class TooManyHopsError extends HttpError {
  constructor(hops: number, maxHops: number) {
    super(
      422,
      'too_many_hops',
      `the event has already been relayed ${hops} times (RELAY_MAX_HOPS is ${maxHops}); a destination probably points back at a relay (a loop)`,
    );
  }
}

/** A message type the source kind does not relay (e.g. Segment `page`). */
export class UnsupportedMessageTypeError extends HttpError {
  constructor(type: string, sourceKind: string) {
    super(422, 'unsupported_message_type', `${sourceKind} messages of type "${type}" are not relayed`, [
      { path: 'type', message: 'unsupported message type' },
    ]);
  }
}

/** A batch holding more events than the source kind allows. */
export class BatchTooLargeError extends HttpError {
  constructor(count: number, max: number) {
    super(413, 'batch_too_large', `batch holds ${count} events; at most ${max} are accepted per request`);
  }
}

/** The raw-body signature (e.g. Segment `X-Signature`) is missing or does not match. */
export class InvalidSignatureError extends HttpError {
  constructor(message: string) {
    super(401, 'invalid_signature', message);
  }
}

/** A bearer token from the receiver's token endpoint is missing, expired, or not for this source. */
export class InvalidTokenError extends HttpError {
  constructor(message: string, challenge = 'Bearer error="invalid_token"') {
    super(401, 'invalid_token', message, undefined, { 'WWW-Authenticate': challenge });
  }
}

/**
 * SQLSTATEs meaning the store cannot be reached or used now, though it may be soon:
 * 08 connection exception, 53 insufficient resources (53300 too many connections),
 * 55000 object not in prerequisite state (a database not accepting connections),
 * 57P admin shutdown, crash shutdown, cannot connect now, database dropped.
 * Not 3D000 (no such database) nor 28 (authentication): configuration mistakes, answered
 * 500 and logged as errors, since retrying does not help until an operator fixes them.
 */
const UNAVAILABLE_SQLSTATE = /^(08|53|57P)[0-9A-Z]{2,3}$|^55000$/;
/** Socket errors of a connection to the store. */
const UNAVAILABLE_ERRNO = ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN'];
/** pg's messages for a pool that cannot connect in time, or a connection lost. */
const UNAVAILABLE_MESSAGE = /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error/;

function isStoreOutage(err: unknown, depth = 0): boolean {
  if (err === null || typeof err !== 'object' || depth > 3) return false;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && (UNAVAILABLE_SQLSTATE.test(code) || UNAVAILABLE_ERRNO.includes(code))) return true;
  if (err instanceof Error && UNAVAILABLE_MESSAGE.test(err.message)) return true;
  // Connecting to a name with several addresses (localhost: ::1, 127.0.0.1) fails with an AggregateError of each.
  const errors = (err as { errors?: unknown }).errors;
  return Array.isArray(errors) && errors.length > 0 && errors.every((e) => isStoreOutage(e, depth + 1));
}

/** The store cannot be reached or used now (connection, shutdown, refusal): 503 + Retry-After, the sender retries. */
export function storeUnavailable(err: unknown): HttpError | undefined {
  if (!isStoreOutage(err)) return undefined;
  return new HttpError(503, 'store_unavailable', 'the configuration database is unreachable; retry later', undefined, {
    'Retry-After': '5',
  });
}
