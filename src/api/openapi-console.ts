/**
 * The console's routes in the OpenAPI document: destination health, each event type's JSON
 * Schema, and the console session (sign-in with the admin token, a cookie, its CSRF token).
 * Bodies are generated from the zod schemas the routes answer with.
 */
import { z } from 'zod';
import { destinationHealthSchema, healthReportSchema, MAX_WINDOW_MINUTES } from './destination-health';
import { ADMIN, errors as sharedErrors, json, NONE } from './openapi-parts';

/** The codes only these routes answer with. */
export const CONSOLE_CODES: Record<string, string> = {
  unknown_event_type: 'the name is in no event catalog (names are case-sensitive)',
  csrf_token_invalid: 'a request that changes something, signed in with the console cookie, without its session’s `X-CSRF-Token`',
  session_expired: 'the console session cookie has expired, or was not issued under the current RELAY_ADMIN_TOKEN',
  no_session: 'no console session cookie (or an expired one)',
};

/** The error responses of these routes: their own codes, then the shared ones. */
const errors = (byStatus: Record<number, string[]>) => sharedErrors(byStatus, CONSOLE_CODES);

function schema(zodSchema: z.ZodType): Record<string, unknown> {
  const out = z.toJSONSchema(zodSchema, { io: 'output' }) as Record<string, unknown>;
  delete out.$schema;
  return out;
}

const ADMIN_ERRORS = { 401: ['unauthorized', 'session_expired'], 403: ['management_api_disabled'] };
const windowParam = {
  name: 'windowMinutes',
  in: 'query',
  required: false,
  description: `The window of the delivery figures (delivered, failed, retried, success rate, p95 latency, SLA breaches), in minutes: the current minute and the \`windowMinutes − 1\` whole minutes before it; default 60, at most ${MAX_WINDOW_MINUTES}. Workers add their counts every 5 s.`,
  schema: { type: 'integer', minimum: 1, maximum: MAX_WINDOW_MINUTES, default: 60 },
};
const HEALTH_DESCRIPTION =
  "From what every relay process shares: the destination's state (`active`, `paused` by an operator, `auto_paused` by the circuit breaker, `disabled`), the deliveries settled in the window and the latency from acceptance to 2xx (written by every worker), the last failed attempt and the failures since the last 2xx (circuit breaker), and the runs holding or parking its deliveries now (Temporal visibility). When Temporal cannot be asked, the run counts are null and `temporal` is `unavailable`; the rest still answers.";

const sessionSchema = z.object({
  expiresAt: z.string().describe('When the session ends (RELAY_CONSOLE_SESSION_SECONDS after sign-in; not extended by use)'),
  csrfToken: z.string().describe('Send it as `X-CSRF-Token` with every POST, PUT, PATCH and DELETE made with the cookie'),
});

export function consolePaths(): Record<string, unknown> {
  return {
    '/v1/destination-health': {
      get: {
        tags: ['Destinations'],
        operationId: 'destinationHealth',
        summary: 'Health of every destination',
        description: HEALTH_DESCRIPTION,
        security: ADMIN,
        parameters: [windowParam],
        responses: {
          200: { description: 'By destination, in name order', content: json(schema(healthReportSchema)) },
          ...errors({ ...ADMIN_ERRORS, 422: ['validation_failed'], 503: ['store_unavailable'] }),
        },
      },
    },
    '/v1/destinations/{name}/health': {
      parameters: [{ name: 'name', in: 'path', required: true, description: 'The destination name', schema: { type: 'string' } }],
      get: {
        tags: ['Destinations'],
        operationId: 'oneDestinationHealth',
        summary: "One destination's health",
        description: HEALTH_DESCRIPTION,
        security: ADMIN,
        parameters: [windowParam],
        responses: {
          200: {
            description: 'Its health, with the window and whether Temporal answered',
            content: json({
              allOf: [schema(destinationHealthSchema)],
              properties: { window: schema(healthReportSchema.shape.window), temporal: schema(healthReportSchema.shape.temporal) },
            }),
          },
          ...errors({ ...ADMIN_ERRORS, 404: ['not_found'], 422: ['validation_failed'], 503: ['store_unavailable'] }),
        },
      },
    },
    '/v1/event-types/{name}/schema': {
      parameters: [
        {
          name: 'name',
          in: 'path',
          required: true,
          description: 'An event name of a catalog (GET /v1/event-types)',
          schema: { type: 'string' },
        },
      ],
      get: {
        tags: ['Management'],
        operationId: 'eventTypeSchema',
        summary: "An event type's JSON Schema",
        description:
          'The JSON Schema (draft 2020-12) of the body a source posts for this event, generated from the schemas the source adapter validates it with: what it requires here is what a 422 `schema_violation` enforces.',
        security: ADMIN,
        responses: {
          200: { description: 'A JSON Schema document, titled with the name', content: json({ type: 'object' }) },
          ...errors({ ...ADMIN_ERRORS, 404: ['unknown_event_type'] }),
        },
      },
    },
    '/console/session': {
      post: {
        tags: ['Management'],
        operationId: 'consoleSignIn',
        summary: 'Sign in to the web console',
        description:
          'Exchanges the admin token (in the body: never in a URL) for a session cookie `relay_console_session` (HttpOnly, SameSite=Strict, Secure over HTTPS), which the management API accepts like the bearer token; changes made with it need the answered CSRF token in `X-CSRF-Token`. Stateless: every relay with the same RELAY_ADMIN_TOKEN accepts it; changing the token ends every session. Wrong tokens count in the failed-authentication limits.',
        security: NONE,
        requestBody: { required: true, content: json(schema(z.object({ token: z.string().describe('RELAY_ADMIN_TOKEN') }))) },
        responses: {
          201: {
            description: 'Signed in: `Set-Cookie` carries the session',
            headers: {
              'Set-Cookie': { description: 'relay_console_session=…; Path=/; HttpOnly; SameSite=Strict', schema: { type: 'string' } },
            },
            content: json(schema(sessionSchema)),
          },
          ...errors({
            401: ['unauthorized'],
            403: ['management_api_disabled'],
            415: ['unsupported_media_type'],
            422: ['validation_failed'],
            429: ['too_many_auth_failures'],
          }),
        },
      },
      get: {
        tags: ['Management'],
        operationId: 'consoleSession',
        summary: 'The current console session',
        description: 'For the cookie sent: its expiry and CSRF token (the console asks after a reload: it keeps the token in memory only).',
        security: [{ consoleSession: [] }],
        responses: { 200: { description: 'Signed in', content: json(schema(sessionSchema)) }, ...errors({ 401: ['no_session'] }) },
      },
      delete: {
        tags: ['Management'],
        operationId: 'consoleSignOut',
        summary: 'Sign out of the web console',
        description:
          'Removes the cookie from this browser (with the CSRF token when the session is live). Sessions are stateless: a copy of the cookie stays valid until it expires; change RELAY_ADMIN_TOKEN to end them all.',
        security: [{ consoleSession: [] }],
        responses: { 204: { description: 'Signed out' }, ...errors({ 403: ['csrf_token_invalid'] }) },
      },
    },
  };
}
