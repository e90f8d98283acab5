/**
 * Errors a client can cause, each with the HTTP status and the machine-readable code the
 * receiver answers with. One Express error handler (src/receiver/error-handler.ts) maps them.
 */

export interface FieldIssue {
  /** JSON path of the offending field, e.g. `data.customerIdentifiers.customerId`. */
  path: string;
  message: string;
}

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
  constructor(message: string) {
    super(401, 'unauthorized', message);
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
