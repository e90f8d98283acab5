/**
 * The redelivery routes of the OpenAPI document (./redelivery.ts): one parked run by event or
 * workflow id, bulk redeliveries and their progress. Bodies are generated from the zod schemas
 * the routes validate with, inline (they are used by these routes only).
 */
import { z } from 'zod';
import { ADMIN, errors as sharedErrors, json } from './openapi-parts';
import { bulkRedeliveryRequestSchema, redeliverAnswerSchema, redeliverRequestSchema, redeliveryProgressSchema } from './redelivery';

/** The codes only these routes answer with (the others are in CODES). */
export const REDELIVERY_CODES: Record<string, string> = {
  run_not_found: 'no run for this event id of this source (or this workflow id)',
  destination_not_found: 'a named destination does not exist',
  redelivery_not_found: 'no bulk redelivery with this id',
  not_parked: 'no delivery of the run has failed: it is still delivering, retrying or held, or every destination got its 2xx',
  already_delivered: 'the named destination got a 2xx for this event: it is never sent the event again',
  not_failed: 'the named destination did not fail: it is delivering, retrying or held (e.g. being redelivered)',
  run_closed: 'the run has ended (delivered, abandoned, or not redelivered within its parking period)',
  not_a_destination_of_run: 'the named destination exists but was not planned for this event',
  invalid_request: 'the run refused the request as malformed',
  empty_range: '`since` is not before `until` (or now, when `until` is absent)',
  too_many_runs: 'more parked runs match than RELAY_REDELIVERY_MAX_RUNS; the message says how many',
};

/** The error responses of these routes: their own codes, then the shared ones. */
const errors = (byStatus: Record<number, string[]>) => sharedErrors(byStatus, REDELIVERY_CODES);

function schema(zodSchema: z.ZodType): Record<string, unknown> {
  const out = z.toJSONSchema(zodSchema, { io: 'input' }) as Record<string, unknown>;
  delete out.$schema;
  return out;
}

const ADMIN_ERRORS = { 401: ['unauthorized'], 403: ['management_api_disabled'] };
const BODY_ERRORS = {
  400: ['malformed_json', 'invalid_utf8', 'nesting_too_deep', 'forbidden_key'],
  413: ['payload_too_large'],
  415: ['unsupported_media_type'],
};

const oneRunOperation = (operationId: string, summary: string, target: string) => ({
  tags: ['Redelivery'],
  operationId,
  summary,
  description: `Sends the run's \`redeliver\` Update: ${target}'s failed destinations (or the named ones) are sent the event again, rendered with each destination as it is now, with the same \`webhook-id\` as before. A destination that got a 2xx is never sent it again. Nothing is sent when refused.`,
  security: ADMIN,
  requestBody: { required: false, content: json(schema(redeliverRequestSchema)) },
  responses: {
    200: { description: 'Accepted by the run', content: json(schema(redeliverAnswerSchema)) },
    ...errors({
      ...ADMIN_ERRORS,
      ...BODY_ERRORS,
      404: ['run_not_found', 'destination_not_found'],
      409: ['not_parked', 'already_delivered', 'not_failed', 'run_closed'],
      422: ['validation_failed', 'not_a_destination_of_run', 'invalid_request'],
      503: ['temporal_unavailable', 'store_unavailable'],
    }),
  },
});

export function redeliveryPaths(): Record<string, unknown> {
  return {
    '/v1/events/{sourceId}/{eventId}/redeliver': {
      parameters: [
        { name: 'sourceId', in: 'path', required: true, description: 'The source the event came from', schema: { type: 'string' } },
        {
          name: 'eventId',
          in: 'path',
          required: true,
          description: "The event's id (as the source sent it; URL-encoded)",
          schema: { type: 'string' },
        },
      ],
      post: oneRunOperation('redeliverEvent', 'Redeliver one event', 'the event'),
    },
    '/v1/runs/{workflowId}/redeliver': {
      parameters: [
        {
          name: 'workflowId',
          in: 'path',
          required: true,
          description: "The run's workflow id, e.g. `relay:capillary:evt-1` (URL-encoded)",
          schema: { type: 'string' },
        },
      ],
      post: oneRunOperation('redeliverRun', 'Redeliver one run, by workflow id', 'the run'),
    },
    '/v1/redeliveries': {
      post: {
        tags: ['Redelivery'],
        operationId: 'startBulkRedelivery',
        summary: 'Redeliver every parked run a filter matches',
        description:
          'Counts the matching parked runs (open, `RelayDeliveryStatus` failed or partially_delivered, accepted in [since, until), with a failed delivery to `destination` when given), then starts one tracked operation that sends each its `redeliver` Update, a few at a time. Safe to repeat: a run already redelivered (or being) is skipped, never sent twice.',
        security: ADMIN,
        requestBody: { required: true, content: json(schema(bulkRedeliveryRequestSchema)) },
        responses: {
          202: {
            description: 'Started; follow it at `Location`',
            headers: { Location: { description: '/v1/redeliveries/{id}', schema: { type: 'string' } } },
            content: json(schema(redeliveryProgressSchema)),
          },
          ...errors({
            ...ADMIN_ERRORS,
            ...BODY_ERRORS,
            404: ['destination_not_found'],
            422: ['validation_failed', 'empty_range', 'too_many_runs'],
            503: ['temporal_unavailable', 'store_unavailable'],
          }),
        },
      },
    },
    '/v1/redeliveries/{id}': {
      parameters: [
        { name: 'id', in: 'path', required: true, description: 'The id POST /v1/redeliveries answered', schema: { type: 'string' } },
      ],
      get: {
        tags: ['Redelivery'],
        operationId: 'getBulkRedelivery',
        summary: 'How far a bulk redelivery is',
        security: ADMIN,
        responses: {
          200: { description: 'Its progress', content: json(schema(redeliveryProgressSchema)) },
          ...errors({ ...ADMIN_ERRORS, 404: ['redelivery_not_found'], 503: ['temporal_unavailable'] }),
        },
      },
    },
  };
}
