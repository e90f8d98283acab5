/**
 * The OpenAPI 3.1 document of the relay's HTTP API, served at GET /v1/openapi.json: the
 * management API (destinations, credential sets, sources, event types) and the ingestion and
 * operations routes. Body schemas are generated from the zod schemas the routes validate with
 * (./openapi-components.ts); the routes are in ./openapi-management.ts and ./openapi-ingestion.ts.
 */
import { license, version } from '../../package.json';
import { componentSchemas } from './openapi-components';
import { consolePaths } from './openapi-console';
import { ingestionPaths, operationsPaths } from './openapi-ingestion';
import { managementPaths } from './openapi-management';
import { redeliveryPaths } from './openapi-redelivery';

const DESCRIPTION = `Durable event relay for loyalty programs: sources post events, each becomes a Temporal workflow that delivers it to the destinations subscribed to it.

**Management API** (/v1/destinations, /v1/credentials, /v1/sources, /v1/event-types, /v1/destination-health): \`Authorization: Bearer <RELAY_ADMIN_TOKEN>\`, or the web console's session cookie (POST /console/session) with its \`X-CSRF-Token\` on changes; 403 \`management_api_disabled\` when the variable is not set. Request bodies are entries of the configuration file (README: Configuration file). Every GET, POST and PUT of a resource answers an \`ETag: "<version>"\`; PUT needs that version back in \`If-Match\` (or a \`version\` field), DELETE in \`If-Match\`: without it 428 \`precondition_required\`, with an old one 412 \`version_conflict\`.

**Errors** are \`{ code, message, issues?, requestId }\`; every answer carries \`X-Request-Id\` (the request's own, when it sends a well-formed one).`;

const ETAG = { type: 'string', pattern: '^"[1-9][0-9]*"$' };

function buildDocument(): Record<string, unknown> {
  return {
    openapi: '3.1.0',
    info: { title: 'Loyalty Relay', version, description: DESCRIPTION, license: { name: license, identifier: license } },
    // The relay serves this document itself: its routes are on the same origin.
    servers: [{ url: '/' }],
    tags: [
      { name: 'Destinations', description: 'Where events are delivered, and which events each one wants' },
      { name: 'Credentials', description: 'Credential sets that webhook destinations authenticate with' },
      { name: 'Sources', description: 'Who may post events, of which kind, authenticated how' },
      { name: 'Management', description: 'This document, and the event names to subscribe to' },
      { name: 'Redelivery', description: 'Send parked runs their failed deliveries again: one event, or every run a filter matches' },
      { name: 'Ingestion', description: 'Where sources post events' },
      { name: 'Operations', description: 'Health, readiness and metrics' },
    ],
    paths: { ...managementPaths(), ...consolePaths(), ...redeliveryPaths(), ...ingestionPaths, ...operationsPaths },
    components: {
      schemas: componentSchemas(),
      securitySchemes: {
        adminToken: { type: 'http', scheme: 'bearer', description: 'RELAY_ADMIN_TOKEN' },
        consoleSession: {
          type: 'apiKey',
          in: 'cookie',
          name: 'relay_console_session',
          description: "The web console's session (POST /console/session); POST, PUT, PATCH and DELETE also need its `X-CSRF-Token`",
        },
        sourceKey: {
          type: 'apiKey',
          in: 'header',
          name: 'X-API-KEY',
          description: "`auth.type: header` (the default): the source's key, in `X-API-KEY` unless the source names another header",
        },
        sourceBasic: {
          type: 'http',
          scheme: 'basic',
          description:
            "`auth.type: basic`: the source's username and password; at the token endpoint, an `oauth` source's client id and secret",
        },
        sourceSignature: {
          type: 'apiKey',
          in: 'header',
          name: 'X-Signature',
          description:
            '`auth.type: signature`: hex HMAC (sha1 or sha256) of the raw body, in `X-Signature` unless the source names another header',
        },
        webengageSecret: {
          type: 'apiKey',
          in: 'query',
          name: 'secret',
          description: '`auth.type: webengage`: MD5 hex of `licenseCode:secretKey`',
        },
        sourceBearer: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description: '`auth.type: oauth`: a token from POST /v1/sources/{sourceId}/oauth/token',
        },
      },
      parameters: {
        IfMatch: {
          name: 'If-Match',
          in: 'header',
          required: false,
          description: 'The version the change is based on: the `ETag` of the last GET, e.g. `"3"`. Or give `version` in the body.',
          schema: ETAG,
        },
        IfMatchRequired: {
          name: 'If-Match',
          in: 'header',
          required: true,
          description: 'The version the deletion is based on: the `ETag` of the last GET, e.g. `"3"`.',
          schema: ETAG,
        },
      },
      headers: {
        ETag: { description: 'The resource version, quoted: `"<version>"`', schema: ETAG },
        RetryAfter: { description: 'Seconds to wait before retrying', schema: { type: 'integer', minimum: 0 } },
      },
    },
  };
}

let document: Record<string, unknown> | undefined;

/** The document, built on first use (generating the schemas takes a few milliseconds). */
export function openApiDocument(): Record<string, unknown> {
  document ??= buildDocument();
  return document;
}
