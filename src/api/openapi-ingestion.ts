/**
 * The receiver's own routes in the OpenAPI document: event ingestion (authenticated per
 * source, not with the admin token), the OAuth token endpoint of `oauth` sources, and the
 * health, readiness and metrics routes.
 */
import { CODES, errors, json, NONE, ref } from './openapi-parts';

/** A source accepts one of these, the one its `auth.type` names (`headers`: several keys, see the description). */
const SOURCE_AUTH = [{ sourceKey: [] }, { sourceBasic: [] }, { sourceSignature: [] }, { webengageSecret: [] }, { sourceBearer: [] }];

const sourceIdParam = { name: 'sourceId', in: 'path', required: true, description: 'A configured source id', schema: { type: 'string' } };

const INGEST_AUTH = `Authenticated per source, by its \`auth\` (no admin token):
- \`header\` (default): the source's header (default \`X-API-KEY\`) with its key;
- \`headers\`: every configured header with its key;
- \`basic\`: \`Authorization: Basic base64(username:password)\`;
- \`signature\`: the configured header (default \`X-Signature\`) with the hex HMAC (sha1 or sha256) of the raw body;
- \`webengage\`: \`?secret=\` MD5 hex of \`licenseCode:secretKey\`, and \`license_code\` in the body;
- \`oauth\`: \`Authorization: Bearer <token>\` from POST /v1/sources/{sourceId}/oauth/token.`;

export const ingestionPaths = {
  '/v1/sources/{sourceId}/events': {
    post: {
      tags: ['Ingestion'],
      operationId: 'postEvents',
      security: SOURCE_AUTH,
      summary: 'Send events from a source',
      description: `One event per request, or a batch for the \`moengage\` and \`clevertap\` kinds: each event of a batch is accepted or refused on its own. 2xx means the event's workflow is durably started; anything else means the sender still holds it. The body is JSON (\`application/json\` or \`+json\`), optionally gzip, deflate or br encoded.\n\n${INGEST_AUTH}`,
      parameters: [
        sourceIdParam,
        { name: 'secret', in: 'query', required: false, description: 'webengage sources only', schema: { type: 'string' } },
      ],
      requestBody: { required: true, content: json(ref('IngestBody')) },
      responses: {
        200: {
          description:
            'A duplicate of an accepted event (or, for `webengage`, a new event: WebEngage counts only 200 as success); for a batch, every event is final',
          content: json({ oneOf: [ref('EventAccepted'), ref('BatchAnswer')] }),
        },
        202: { description: 'The event is accepted: its workflow start is durable', content: json(ref('EventAccepted')) },
        ...errors({
          400: [
            'malformed_json',
            'invalid_utf8',
            'nesting_too_deep',
            'forbidden_key',
            'request_aborted',
            'invalid_encoding',
            'invalid_hop_count',
          ],
          401: ['unauthorized', 'invalid_signature', 'invalid_token'],
          404: ['unknown_source'],
          413: ['payload_too_large', 'batch_too_large'],
          415: ['unsupported_media_type', 'unsupported_encoding'],
          422: [
            'schema_violation',
            'unknown_event',
            'unsupported_message_type',
            'unsafe_integer',
            'invalid_timestamp',
            'timestamp_in_future',
            'too_many_hops',
            'control_character',
          ],
        }),
        429: {
          description: `Too many requests — \`too_many_auth_failures\`: ${CODES.too_many_auth_failures}.`,
          headers: { 'Retry-After': { $ref: '#/components/headers/RetryAfter' } },
          content: json({ allOf: [ref('Error')], properties: { code: { enum: ['too_many_auth_failures'] } } }),
        },
        503: {
          description: `Service unavailable — \`temporal_unavailable\`: ${CODES.temporal_unavailable}; \`store_unavailable\`: ${CODES.store_unavailable}. A batch answers with every event's result; resend it whole.`,
          headers: { 'Retry-After': { $ref: '#/components/headers/RetryAfter' } },
          content: json({ anyOf: [ref('Error'), ref('BatchUnavailable')] }),
        },
      },
    },
  },
  '/v1/sources/{sourceId}/oauth/token': {
    post: {
      tags: ['Ingestion'],
      operationId: 'issueSourceToken',
      security: [{ sourceBasic: [] }, {}],
      summary: 'OAuth 2.0 client credentials token for a source with `auth.type: oauth`',
      description:
        "RFC 6749 §4.4. Client authentication by `Authorization: Basic` (client_secret_basic) or `client_id` + `client_secret` in the body (client_secret_post), not both. Errors are RFC 6749 bodies, not the relay's error format.",
      parameters: [sourceIdParam],
      requestBody: {
        required: true,
        content: { 'application/x-www-form-urlencoded': { schema: ref('OAuthTokenRequest') }, ...json(ref('OAuthTokenRequest')) },
      },
      responses: {
        200: {
          description: 'A bearer token for POST /v1/sources/{sourceId}/events',
          headers: { 'Cache-Control': { schema: { type: 'string', const: 'no-store' } } },
          content: json(ref('OAuthToken')),
        },
        400: { description: '`invalid_request`, `unsupported_grant_type` or `invalid_scope`', content: json(ref('OAuthError')) },
        401: {
          description: '`invalid_client`: unknown source, a source without OAuth, or wrong client credentials (one answer for all)',
          content: json(ref('OAuthError')),
        },
        429: {
          description: `\`too_many_auth_failures\`: too many failed client authentications from this client address (RELAY_AUTH_FAILURES_PER_ADDRESS) or for this source's client (RELAY_AUTH_FAILURES_PER_SOURCE) within RELAY_AUTH_FAILURE_WINDOW_SECONDS; refused, whatever the credentials, until \`Retry-After\``,
          headers: { 'Retry-After': { $ref: '#/components/headers/RetryAfter' } },
          content: json(ref('OAuthError')),
        },
      },
    },
  },
};

export const operationsPaths = {
  '/healthz': {
    get: {
      tags: ['Operations'],
      operationId: 'health',
      security: NONE,
      summary: 'The process is up',
      responses: { 200: { description: 'Up', content: json(ref('Health')) } },
    },
  },
  '/readyz': {
    get: {
      tags: ['Operations'],
      operationId: 'readiness',
      security: NONE,
      summary: 'Temporal is reachable',
      responses: {
        200: { description: 'Ready', content: json(ref('Readiness')) },
        503: { description: 'Temporal cannot be reached', content: json(ref('Readiness')) },
      },
    },
  },
  '/metrics': {
    get: {
      tags: ['Operations'],
      operationId: 'metrics',
      security: NONE,
      summary: 'Prometheus metrics',
      responses: { 200: { description: 'Prometheus text exposition format', content: { 'text/plain': { schema: { type: 'string' } } } } },
    },
  },
};
