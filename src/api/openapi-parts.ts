/** Building blocks of the OpenAPI document's routes: references, error responses, security. */

export const pascal = (word: string) => word.charAt(0).toUpperCase() + word.slice(1);

export const ref = (id: string) => ({ $ref: `#/components/schemas/${id}` });
export const json = (schema: unknown) => ({ 'application/json': { schema } });

/** What each error code means; a response lists the codes it may carry. */
export const CODES: Record<string, string> = {
  unauthorized: 'credentials missing or wrong',
  management_api_disabled: 'RELAY_ADMIN_TOKEN is not set: the management API is off',
  not_found: 'no such resource',
  name_taken: 'the name (or source id) is already used',
  immutable_field: "a destination's `kind`, `events` and `sources` cannot change after creation",
  credential_in_use: 'destinations still use this credential set (see `referencedBy`)',
  credential_exists: 'the request defines a credential set inline under a name that already exists: name it instead',
  source_in_use: 'destinations still name this source in their `sources`',
  store_unavailable: 'the configuration database cannot be reached; retry after `Retry-After` seconds',
  validation_failed: 'the body breaks rules of the configuration file; one `issues` entry per rule',
  malformed_json: 'the body is not JSON',
  unsupported_media_type: 'the body is not `application/json` (for PATCH: not `application/merge-patch+json`)',
  payload_too_large: 'the body is larger than RELAY_MAX_BODY_BYTES',
  precondition_required: 'no `If-Match` header (nor, for PUT, `version` in the body)',
  version_conflict: 'the resource changed since that version: GET it again and reapply the change',
  invalid_utf8: 'the body is not UTF-8',
  nesting_too_deep: 'JSON nested deeper than RELAY_MAX_JSON_DEPTH',
  forbidden_key: 'a `__proto__` key, or `constructor.prototype`',
  request_aborted: 'the upload broke off',
  invalid_encoding: 'a gzip, deflate or br body that does not decode',
  unsupported_encoding: 'a `Content-Encoding` other than gzip, deflate, br',
  invalid_signature: 'the signature header does not match the raw body',
  invalid_token: "the bearer token is missing, expired, or not this source's",
  unknown_source: 'no source with this id',
  batch_too_large: 'more events than the kind accepts in one batch (100)',
  schema_violation: 'fields of the event are missing or invalid (`issues`)',
  unknown_event: "a name outside the source kind's catalog (Capillary)",
  unsupported_message_type: 'a Segment message other than `track` and `identify`',
  unsafe_integer: 'a numeric id beyond 2^53−1: send it as a string',
  invalid_timestamp: 'a time that cannot be read',
  timestamp_in_future: 'a time further ahead than RELAY_MAX_FUTURE_SKEW_SECONDS',
  too_many_hops: 'the `x-loyalty-relay-hops` header is RELAY_MAX_HOPS or more: a loop of relays',
  invalid_hop_count: 'the `x-loyalty-relay-hops` header is not an integer 0–999',
  control_character: 'a control character (U+0000–U+001F, U+007F) in the event name, event id, or a customer id or identifier',
  held_runs_not_woken:
    'resume: the destination is resumed, but Temporal could not be reached to wake the runs holding its deliveries; send resume again',
  too_many_auth_failures:
    'too many failed authentications from this client address (RELAY_AUTH_FAILURES_PER_ADDRESS) or on this source (RELAY_AUTH_FAILURES_PER_SOURCE) within RELAY_AUTH_FAILURE_WINDOW_SECONDS; refused, whatever the credential, until `Retry-After`',
  temporal_unavailable: 'Temporal cannot be reached; nothing was accepted: retry after `Retry-After`',
};

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not found',
  409: 'Conflict',
  412: 'Precondition failed',
  413: 'Payload too large',
  415: 'Unsupported media type',
  422: 'Unprocessable content',
  428: 'Precondition required',
  429: 'Too many requests',
  503: 'Service unavailable',
};

/**
 * One error response: the codes with their meaning (from `own`, the codes only some routes
 * answer with, else from CODES), and Retry-After when Temporal may be down.
 */
export function errorResponse(status: number, codes: string[], own: Record<string, string> = {}) {
  const listed = codes.map((c) => `\`${c}\`: ${own[c] ?? CODES[c] ?? c}`).join('; ');
  return {
    description: `${STATUS_TEXT[status] ?? 'Error'} — ${listed}.`,
    ...(codes.includes('temporal_unavailable') ? { headers: { 'Retry-After': { $ref: '#/components/headers/RetryAfter' } } } : {}),
    content: json({ allOf: [ref('Error')], properties: { code: { enum: codes } } }),
  };
}

/** Error responses by status; a status without codes is left out. */
export function errors(byStatus: Record<number, string[]>, own: Record<string, string> = {}): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(byStatus)
      .filter(([, codes]) => codes.length > 0)
      .map(([status, codes]) => [status, errorResponse(Number(status), codes, own)]),
  );
}

export const withETag = (description: string, schema: unknown) => ({
  description,
  headers: { ETag: { $ref: '#/components/headers/ETag' } },
  content: json(schema),
});

/** The management routes' security: the admin token, or a console session (its CSRF token on changes). */
export const ADMIN = [{ adminToken: [] }, { consoleSession: [] }];
/** Routes without the admin token (`[]`: none at all). */
export const NONE: unknown[] = [];
