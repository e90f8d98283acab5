/**
 * Redelivery routes of the management API: one parked run (by source and event id, or by
 * workflow id) through its `redeliver` Update, and bulk redeliveries — one `bulkRedeliver`
 * workflow per request, whose progress GET reads. Mounted by ./management.ts behind the admin
 * token; errors go through its error handler.
 */
import { randomUUID } from 'node:crypto';
import express, { type Request, type RequestHandler, type Response } from 'express';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { z } from 'zod';
import { workflowIdFor } from '../model/canonical-event';
import type { ConfigAdmin } from '../config/admin';
import { HttpError, TemporalUnavailableError } from '../http/inbound/errors';
import { zodIssues } from '../model/field-issue';
import type { Logger } from '../telemetry/logger';
import { isTemporalUnreachable, parkedRunsQuery, redeliverRun, type RedeliverOutcome } from '../temporal/redelivery';
import type { RefusalCode } from '../../workflows/messages';
import { progressQuery, type BulkRedeliverInput, type RedeliveryProgress } from '../../workflows/bulk-redeliver';
import type { RedeliveryFilter } from '../../workflows/types';

export interface RedeliveryOptions {
  client: Client;
  /** Where bulkRedeliver runs: the relay's task queue. */
  taskQueue: string;
  /** RELAY_REDELIVERY_MAX_RUNS. */
  maxRuns: number;
  /** Deadline of each call to Temporal before answering 503 (default 10 s). */
  timeoutMs?: number;
}

export interface RedeliveryRouterDeps extends RedeliveryOptions {
  admin: ConfigAdmin;
  logger: Logger;
  requireAdmin: RequestHandler;
  jsonBody: (req: Request) => Promise<unknown>;
}

// ---- Request bodies -------------------------------------------------------------------------

const destinationName = z.string().min(1).max(200);

export const redeliverRequestSchema = z
  .object({
    destinations: z
      .array(destinationName)
      .min(1)
      .max(100)
      .optional()
      .describe(
        'Destinations of the run to deliver again; its failed ones when absent. Each must have failed (not got its 2xx, not be in progress).',
      ),
  })
  .strict()
  .describe('What to redeliver; an empty body (or `{}`) redelivers every failed destination of the run');

/** Date.parse rolls 2026-02-31 over to March 3rd: check each field is in its range instead. */
function isRealInstant(value: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2}))?)?/.exec(value);
  if (!m || !Number.isFinite(Date.parse(value))) return false;
  const [year, month, day, hour, minute, second] = m.slice(1).map((v) => Number(v ?? 0)) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCMonth() === month - 1 && date.getUTCDate() === day && hour < 24 && minute < 60 && second < 60;
}

const INSTANT = /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2}))?$/;
const instant = z
  .string()
  .regex(INSTANT, 'an ISO 8601 instant with its offset, e.g. 2026-11-29T00:00Z, or a UTC date, e.g. 2026-11-29')
  .refine(isRealInstant, 'not a real date or time');

export const bulkRedeliveryRequestSchema = z
  .object({
    destination: destinationName
      .optional()
      .describe(
        'Only runs whose delivery to this destination failed; only it is redelivered. Absent: every failed destination of every matching run.',
      ),
    status: z
      .enum(['failed', 'partially_delivered'])
      .optional()
      .describe('`RelayDeliveryStatus` of the runs: `failed` (no destination delivered) or `partially_delivered`; both when absent.'),
    since: instant.describe('Runs of events accepted at or after this instant'),
    until: instant.optional().describe('…and before this one; now when absent'),
  })
  .strict()
  .describe('Which parked runs to redeliver: accepted in [since, until), by destination and status');

const filterSchema = z.object({
  destination: z.string().optional(),
  status: z.enum(['failed', 'partially_delivered']).optional(),
  since: z.string(),
  until: z.string(),
});

export const redeliveryProgressSchema = z
  .object({
    id: z.string().describe('The operation id (its Temporal workflow id)'),
    state: z.enum(['running', 'completed', 'failed']).describe('`failed`: stopped early (see `error`); the counts say how far it got'),
    filter: filterSchema.describe('The request, with `since`/`until` as UTC instants'),
    total: z.int().describe('Runs to redeliver: the count when accepted, then what the listing found'),
    processed: z.int().describe('Runs handled so far: done + skipped + failed'),
    done: z
      .int()
      .describe("Runs whose redeliver was accepted: their failed deliveries go out again (watch the run for each destination's answer)"),
    skipped: z.int().describe('Runs with nothing to send: already redelivered (or being), no longer parked, or ended'),
    failed: z.int().describe('Runs whose redeliver failed for another reason (the first few in `failures`)'),
    failures: z.array(z.object({ workflowId: z.string(), message: z.string() })),
    error: z.string().optional(),
    startedAt: z.string(),
    finishedAt: z.string().optional(),
  })
  .describe('A bulk redelivery and how far it is');

export const redeliverAnswerSchema = z
  .object({
    workflowId: z.string(),
    redelivering: z.array(z.string()).describe('The destinations being delivered again'),
  })
  .describe('The run accepted the redelivery: these destinations are sent the event again, with the same `webhook-id`');

// ---- Refusals -------------------------------------------------------------------------------

/** HTTP status of each refusal a run's `redeliver` validator gives. */
const REFUSAL_STATUS: Record<RefusalCode, number> = {
  not_parked: 409,
  already_delivered: 409,
  not_failed: 409,
  not_a_destination_of_run: 422,
  invalid_request: 422,
};

function parse<T>(schema: z.ZodType<T>, body: unknown): T {
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw new HttpError(422, 'validation_failed', 'the request is not valid', zodIssues(parsed.error, [], '(body)'));
  return parsed.data;
}

const OPERATION_ID = /^redelivery-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function redeliveryRouter(o: RedeliveryRouterDeps): express.Router {
  const router = express.Router();
  const { client, admin } = o;
  const audit = o.logger.child({ component: 'management' });
  const timeoutMs = o.timeoutMs ?? 10_000;

  /** A call to Temporal with a deadline; unreachable (or too slow) is 503 + Retry-After. */
  const temporal = async <T>(fn: () => Promise<T>): Promise<T> => {
    try {
      return await client.connection.withDeadline(Date.now() + timeoutMs, fn);
    } catch (e) {
      if (isTemporalUnreachable(e)) throw Object.assign(new TemporalUnavailableError(5), { cause: e });
      throw e;
    }
  };

  /** 404 for a destination name the store does not know. */
  const requireDestinations = async (names: string[]) => {
    for (const name of names) {
      const found = await admin.read((w) => w.getDestination(name));
      if (!found) throw new HttpError(404, 'destination_not_found', `destination "${name}" does not exist`);
    }
  };

  /** The body of a POST that may be empty (no body, or no content type with length 0): `{}`. */
  const optionalJson = async (req: Request): Promise<unknown> => {
    const length = req.get('content-length');
    if (!req.get('content-type') && (length === undefined || length === '0') && !req.get('transfer-encoding')) return {};
    return o.jsonBody(req);
  };

  const redeliverOne = async (req: Request, res: Response, workflowId: string, what: string) => {
    const body = parse(redeliverRequestSchema, await optionalJson(req));
    if (body.destinations) await requireDestinations(body.destinations);
    const answer: RedeliverOutcome = await temporal(() => redeliverRun(client, workflowId, body.destinations));
    switch (answer.outcome) {
      case 'redelivering':
        audit.info({ requestId: req.requestId, workflowId, destinations: answer.redelivering }, 'redelivery requested');
        res.status(200).json({ workflowId, redelivering: answer.redelivering });
        return;
      case 'refused':
        throw new HttpError(REFUSAL_STATUS[answer.code], answer.code, answer.message);
      case 'closed':
        throw new HttpError(
          409,
          'run_closed',
          `the run of ${what} has ended (${answer.status.toLowerCase()}): delivered, abandoned, or not redelivered within its parking period; nothing to redeliver`,
        );
      case 'not_found':
        throw new HttpError(404, 'run_not_found', `no run for ${what}`);
      case 'not_an_event_run':
        throw new HttpError(404, 'run_not_found', `${what} is not an event's run (${answer.message})`);
    }
  };

  router.post('/events/:sourceId/:eventId/redeliver', o.requireAdmin, async (req, res) => {
    const source = String(req.params.sourceId);
    const eventId = String(req.params.eventId);
    await redeliverOne(req, res, workflowIdFor(source, eventId), `event "${eventId}" of source "${source}"`);
  });

  router.post('/runs/:workflowId/redeliver', o.requireAdmin, async (req, res) => {
    const workflowId = String(req.params.workflowId);
    await redeliverOne(req, res, workflowId, `workflow id "${workflowId}"`);
  });

  router.post('/redeliveries', o.requireAdmin, async (req, res) => {
    const body = parse(bulkRedeliveryRequestSchema, await o.jsonBody(req));
    const since = new Date(body.since);
    const until = body.until ? new Date(body.until) : new Date();
    if (since.getTime() >= until.getTime()) {
      throw new HttpError(
        422,
        'empty_range',
        `the range is empty: since (${since.toISOString()}) must be before until (${until.toISOString()}${body.until ? '' : ', now'})`,
        [{ path: 'since', message: 'not before until' }],
      );
    }
    if (body.destination) await requireDestinations([body.destination]);
    const filter: RedeliveryFilter = {
      ...(body.destination ? { destination: body.destination } : {}),
      ...(body.status ? { status: body.status } : {}),
      since: since.toISOString(),
      until: until.toISOString(),
    };
    const query = parkedRunsQuery(filter);
    const { count } = await temporal(() => client.workflow.count(query));
    if (count > o.maxRuns) {
      throw new HttpError(
        422,
        'too_many_runs',
        `${count} parked runs match; one request may cover at most ${o.maxRuns} (RELAY_REDELIVERY_MAX_RUNS): narrow the time range, or name a destination or status`,
      );
    }
    const id = `redelivery-${randomUUID()}`;
    const input: BulkRedeliverInput = { filter, query, matched: count, maxRuns: o.maxRuns };
    const startedAt = new Date().toISOString();
    await temporal(() =>
      client.workflow.start('bulkRedeliver', {
        taskQueue: o.taskQueue,
        workflowId: id,
        args: [input],
        staticSummary: `redeliver ${filter.destination ?? 'every failed destination'} · ${filter.status ?? 'failed, partially_delivered'} · ${count} run(s)`,
        staticDetails: `runs accepted from ${filter.since} until ${filter.until}\n\nquery: \`${query}\``,
      }),
    );
    audit.info({ requestId: req.requestId, id, filter, matched: count }, 'bulk redelivery started');
    const progress: RedeliveryProgress = {
      id,
      state: 'running',
      filter,
      total: count,
      processed: 0,
      done: 0,
      skipped: 0,
      failed: 0,
      failures: [],
      startedAt,
    };
    res.setHeader('location', `${req.baseUrl}/redeliveries/${id}`);
    res.status(202).json(progress);
  });

  router.get('/redeliveries/:id', o.requireAdmin, async (req, res) => {
    const id = String(req.params.id);
    const missing = () => new HttpError(404, 'redelivery_not_found', `no bulk redelivery "${id}"`);
    if (!OPERATION_ID.test(id)) throw missing();
    const handle = client.workflow.getHandle(id);
    const description = await temporal(() => handle.describe()).catch((e: unknown) => {
      throw e instanceof WorkflowNotFoundError ? missing() : e;
    });
    if (description.type !== 'bulkRedeliver') throw missing();
    const status = description.status.name;
    let progress: RedeliveryProgress;
    if (status === 'COMPLETED') progress = (await temporal(() => handle.result())) as RedeliveryProgress;
    else {
      progress = await temporal(() => handle.query(progressQuery));
      // Stopped from outside (terminated, cancelled, timed out): the counts are how far it got.
      if (status !== 'RUNNING')
        progress = { ...progress, state: 'failed', error: `the operation was ${status.toLowerCase().replace('_', ' ')}` };
    }
    res.json(progress);
  });

  return router;
}
