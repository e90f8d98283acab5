/**
 * The management API under /v1: destinations, credential sets and sources, behind one admin
 * bearer token. Requests are validated by the store's writer (the same rules as the file);
 * this layer does HTTP: the token, JSON bodies with the receiver's limits, ETag / If-Match
 * (optimistic concurrency: two operators never silently overwrite each other), status codes,
 * an audit log line per change and a metric per request.
 */
import express, { type NextFunction, type Request, type Response } from 'express';
import type {
  ConfigAdmin,
  ConfigWriter,
  CredentialResource,
  DestinationResource,
  Precondition,
  ResourceMeta,
  SourceResource,
} from '../config/admin';
import { EntryNotFoundError } from '../config/admin/errors';
import type { PauseState } from '../config/pause';
import { HttpError } from '../http/inbound/errors';
import type { FieldIssue } from '../model/field-issue';
import { authenticateAdmin } from './admin-auth';
import { destinationHealth, parseWindow, type HealthDeps } from './destination-health';
import { eventTypeSchema } from './event-schema';
import type { ConsoleSessions } from './console-sessions';
import { MERGE_PATCH_TYPE, mergePatch } from './merge-patch';
import type { Logger } from '../telemetry/logger';
import type { Metrics } from '../telemetry/metrics';
import { knownHttpError, sendHttpError } from '../http/inbound/error-handler';
import { parseJsonBody, requireJsonType } from '../http/inbound/json';
import { readBody } from '../http/inbound/read-body';
import { redeliveryRouter, type RedeliveryOptions } from './redelivery';

export interface ManagementOptions {
  admin: ConfigAdmin;
  /** RELAY_ADMIN_TOKEN; unset = every management route answers 403 management_api_disabled. */
  adminToken?: string;
  /** Console sessions (src/api/console-sessions.ts): their cookie is let in too, with its CSRF token on unsafe methods. */
  sessions?: ConsoleSessions;
  logger: Logger;
  metrics: Metrics;
  maxBodyBytes: number;
  maxJsonDepth: number;
  /** Extra read-only documents (event types, OpenAPI) served beside the resources. */
  documents?: { eventTypes?: () => unknown };
  /**
   * Signal the runs holding deliveries for a destination (src/temporal/held-runs.ts); the number
   * signalled. After a delete (they park the deliveries as failed) and a resume (they deliver).
   */
  wakeHeldRuns?: (name: string) => Promise<number>;
  /** Destination health (src/api/destination-health.ts); absent = those routes are not served. */
  health?: HealthDeps;
  /** Redelivery of parked runs (needs Temporal); absent = those routes are not served. */
  redelivery?: RedeliveryOptions;
}

/** The longest pause reason kept (a note for operators, not a document). */
const MAX_REASON = 500;

/** `"3"`, `W/"3"` or `3` → 3; `*` → '*'. */
function parseIfMatch(header: string | undefined): Precondition | undefined {
  if (header === undefined) return undefined;
  const value = header.trim();
  if (value === '*') return { expected: '*' };
  const m = /^(?:W\/)?"?(\d{1,9})"?$/.exec(value);
  if (!m?.[1])
    throw new HttpError(412, 'version_conflict', `If-Match must be an ETag this API gave, like "3"; got ${JSON.stringify(value)}`);
  return { expected: Number(m[1]) };
}

interface Repository<R> {
  list(): Promise<R[]>;
  get(key: string): Promise<R | undefined>;
  create(body: unknown): Promise<R>;
  replace(key: string, body: unknown, pre: Precondition): Promise<R>;
  delete(key: string, pre: Precondition): Promise<void>;
}

interface Collection<R extends ResourceMeta> {
  /** Path segment and what one item is called in messages and logs. */
  path: string;
  what: string;
  key: (r: R) => string;
  /** The writer's repository of these resources (every one answers the same five calls). */
  repository: (w: ConfigWriter) => Repository<R>;
  afterRemove?: (key: string) => Promise<void>;
}

export function managementRouter(o: ManagementOptions): express.Router {
  const router = express.Router();
  const { admin, logger, metrics } = o;
  const audit = logger.child({ component: 'management' });

  /** First on every management route: counts the request when answered, then checks the token. */
  const requireAdmin = (req: Request, res: Response, next: NextFunction) => {
    // Errors that reach the app's handler (500s) are counted here too, not as refused events.
    res.locals.management = true;
    res.on('finish', () => {
      const code = typeof res.locals.managementCode === 'string' ? res.locals.managementCode : '';
      metrics.management.inc({ method: req.method, resource: resourceOf(req), status: String(res.statusCode), code });
    });
    try {
      authenticateAdmin(req, o);
    } catch (err) {
      return next(err);
    }
    next();
  };

  const jsonBody = async (req: Request): Promise<unknown> => {
    requireJsonType(req);
    return parseJsonBody(await readBody(req, o.maxBodyBytes), o.maxJsonDepth);
  };

  /** A body that may be left out (pause, resume): undefined when there is none. */
  const optionalJsonBody = async (req: Request): Promise<unknown> => {
    const declared = req.get('content-length');
    if (req.get('transfer-encoding') === undefined && (declared === undefined || declared === '0')) return undefined;
    const raw = await readBody(req, o.maxBodyBytes);
    if (raw.length === 0) return undefined;
    requireJsonType(req);
    return parseJsonBody(raw, o.maxJsonDepth);
  };

  /** If-Match, else a `version` field in the body (PUT); one of them is required. */
  const precondition = (req: Request, body?: unknown): Precondition => {
    const header = parseIfMatch(req.get('if-match'));
    if (header) return header;
    const version = body !== null && typeof body === 'object' ? (body as { version?: unknown }).version : undefined;
    if (Number.isSafeInteger(version)) return { expected: version as number };
    throw new HttpError(
      428,
      'precondition_required',
      'send If-Match with the ETag of the version you read (or a "version" field in the body), so a change made since is not overwritten',
    );
  };

  const send = (res: Response, status: number, resource: ResourceMeta) => {
    res.setHeader('etag', `"${resource.version}"`);
    res.status(status).json(resource);
  };

  function collection<R extends ResourceMeta>(c: Collection<R>): void {
    const base = `/${c.path}`;
    const item = `/${c.path}/:key`;
    const key = (req: Request) => String(req.params.key);
    const missing = (k: string) => new EntryNotFoundError(c.what, k);

    router.get(base, requireAdmin, async (_req, res) => {
      res.json({ items: await admin.read((w) => c.repository(w).list()) });
    });
    router.post(base, requireAdmin, async (req, res) => {
      const body = await jsonBody(req);
      const created = await admin.transaction((w) => c.repository(w).create(body));
      audit.info({ requestId: req.requestId, resource: c.what, name: c.key(created), version: created.version }, `${c.what} created`);
      res.setHeader('location', `${req.baseUrl}/${c.path}/${encodeURIComponent(c.key(created))}`);
      send(res, 201, created);
    });
    router.get(item, requireAdmin, async (req, res) => {
      const found = await admin.read((w) => c.repository(w).get(key(req)));
      if (!found) throw missing(key(req));
      send(res, 200, found);
    });
    router.put(item, requireAdmin, async (req, res) => {
      const body = await jsonBody(req);
      const pre = precondition(req, body);
      const updated = await admin.transaction((w) => c.repository(w).replace(key(req), body, pre));
      audit.info({ requestId: req.requestId, resource: c.what, name: key(req), version: updated.version }, `${c.what} updated`);
      send(res, 200, updated);
    });
    // JSON Merge Patch on the resource as GET shows it, then the same replace as PUT: the same
    // rules, If-Match and version. Redacted secrets in the read copy keep the stored values.
    router.patch(item, requireAdmin, async (req, res) => {
      const type = req.get('content-type')?.split(';')[0]?.trim().toLowerCase();
      if (type !== MERGE_PATCH_TYPE) {
        throw new HttpError(
          415,
          'unsupported_media_type',
          `PATCH takes a JSON Merge Patch (RFC 7396): send Content-Type: ${MERGE_PATCH_TYPE}${type ? `, not ${type}` : ''}`,
          undefined,
          { 'Accept-Patch': MERGE_PATCH_TYPE },
        );
      }
      const patch = parseJsonBody(await readBody(req, o.maxBodyBytes), o.maxJsonDepth);
      const pre = precondition(req, patch);
      const updated = await admin.transaction(async (w) => {
        const current = await c.repository(w).get(key(req));
        if (!current) throw missing(key(req));
        return c.repository(w).replace(key(req), mergePatch(current, patch), pre);
      });
      audit.info({ requestId: req.requestId, resource: c.what, name: key(req), version: updated.version }, `${c.what} patched`);
      send(res, 200, updated);
    });
    router.delete(item, requireAdmin, async (req, res) => {
      const pre = precondition(req);
      await admin.transaction((w) => c.repository(w).delete(key(req), pre));
      audit.info({ requestId: req.requestId, resource: c.what, name: key(req) }, `${c.what} deleted`);
      // The deletion stands whatever happens here; runs not woken now wake with `npm run relay -- wake NAME`.
      await c
        .afterRemove?.(key(req))
        .catch((err: unknown) => audit.warn({ err, name: key(req) }, `could not wake runs holding deliveries for the deleted ${c.what}`));
      res.status(204).end();
    });
  }

  collection<DestinationResource>({
    path: 'destinations',
    what: 'destination',
    key: (r) => r.name,
    repository: (w) => w.destinations,
    ...(o.wakeHeldRuns ? { afterRemove: (name: string) => o.wakeHeldRuns!(name).then(() => undefined) } : {}),
  });
  // Pause and resume: state of the live destination, not a new version (no If-Match needed:
  // the last of concurrent pauses and resumes wins, and each is safe to repeat).
  const pauseAnswer = (s: PauseState) => ({ name: s.name, paused: s.paused, pausedReason: s.reason, pausedAt: s.pausedAt, pausedBy: s.by });
  const noDestination = (name: string) => new EntryNotFoundError('destination', name);

  router.post('/destinations/:key/pause', requireAdmin, async (req, res) => {
    const name = String(req.params.key);
    const reason = pauseReason(await optionalJsonBody(req));
    const state = await admin.setPaused(name, true, reason);
    if (!state) throw noDestination(name);
    audit.info({ requestId: req.requestId, resource: 'destination', name, reason: state.reason }, 'destination paused');
    res.json(pauseAnswer(state));
  });

  router.post('/destinations/:key/resume', requireAdmin, async (req, res) => {
    const name = String(req.params.key);
    await optionalJsonBody(req); // nothing to say, but a body that is not JSON is still refused
    const state = await admin.setPaused(name, false);
    if (!state) throw noDestination(name);
    audit.info({ requestId: req.requestId, resource: 'destination', name }, 'destination resumed');
    let woken: number | undefined;
    if (o.wakeHeldRuns) {
      try {
        woken = await o.wakeHeldRuns(name);
      } catch (err) {
        // Resumed in the store, but held runs do not poll: they go out only when signalled.
        // Resume is safe to repeat, so the answer asks for exactly that.
        audit.error({ err, requestId: req.requestId, name }, 'could not wake runs holding deliveries for the resumed destination');
        throw new HttpError(
          503,
          'held_runs_not_woken',
          `destination "${name}" is resumed, but the runs holding its deliveries could not be woken (Temporal unreachable): send resume again, or run \`relay wake ${name}\``,
          undefined,
          { 'Retry-After': '5' },
        );
      }
    }
    res.json({ ...pauseAnswer(state), ...(woken !== undefined ? { woken } : {}) });
  });

  collection<CredentialResource>({
    path: 'credentials',
    what: 'credential set',
    key: (r) => r.name,
    repository: (w) => w.credentials,
  });
  collection<SourceResource>({
    path: 'sources',
    what: 'source',
    key: (r) => r.id,
    repository: (w) => w.sources,
  });

  if (o.health) {
    const health = o.health;
    router.get('/destination-health', requireAdmin, async (req, res) => {
      res.json(await destinationHealth(health, parseWindow(req.query.windowMinutes)));
    });
    router.get('/destinations/:key/health', requireAdmin, async (req, res) => {
      const report = await destinationHealth(health, parseWindow(req.query.windowMinutes), String(req.params.key));
      res.json({ window: report.window, temporal: report.temporal, ...report.items[0] });
    });
  }

  if (o.redelivery) router.use(redeliveryRouter({ ...o.redelivery, admin, logger, requireAdmin, jsonBody }));

  if (o.documents?.eventTypes) {
    const eventTypes = o.documents.eventTypes;
    router.get('/event-types', requireAdmin, (_req, res) => {
      res.json(eventTypes());
    });
    router.get('/event-types/:name/schema', requireAdmin, (req, res) => {
      res.json(eventTypeSchema(String(req.params.name)));
    });
  }

  // Errors of management routes: the receiver's answer format, but counted as management
  // requests (not as refused events). The store's refusals get their status from the one
  // mapping; a store that cannot be reached is a 503: retry later.
  router.use((err: unknown, req: Request, res: Response, next: NextFunction) => {
    const known = knownHttpError(err);
    if (!known) return next(err);
    res.locals.managementCode = known.code;
    if (known.status >= 500) audit.error({ err, requestId: req.requestId }, known.message);
    else audit.warn({ requestId: req.requestId, status: known.status, code: known.code, issues: known.issues }, known.message);
    sendHttpError(req, res, known);
  });
  return router;
}

/** `{ "reason": "..." }`, `{}` or no body; anything else is a 422 naming the field. */
function pauseReason(body: unknown): string | undefined {
  if (body === undefined) return undefined;
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return fail([{ path: '', message: 'expected a JSON object' }]);
  const issues: FieldIssue[] = Object.keys(body)
    .filter((key) => key !== 'reason')
    .map((key) => ({ path: key, message: 'unknown field (only "reason")' }));
  const reason = (body as { reason?: unknown }).reason;
  if (typeof reason === 'string') {
    if (reason.length > MAX_REASON) issues.push({ path: 'reason', message: `at most ${MAX_REASON} characters` });
    // Tabs and line breaks are fine in a note; other control characters are not.
    // eslint-disable-next-line no-control-regex
    else if (/[\u0000-\u0008\u000b-\u001f\u007f]/.test(reason)) issues.push({ path: 'reason', message: 'no control characters' });
  } else if (reason !== undefined && reason !== null) issues.push({ path: 'reason', message: 'expected a string' });
  if (issues.length > 0) return fail(issues);
  return typeof reason === 'string' && reason.trim() !== '' ? reason : undefined;
}

function fail(issues: FieldIssue[]): never {
  throw new HttpError(
    422,
    'validation_failed',
    `the pause request is not valid (${issues.length} problem${issues.length === 1 ? '' : 's'})`,
    issues,
  );
}

function resourceOf(req: Request): string {
  return (req.path.split('/')[1] ?? '').slice(0, 32) || 'root';
}
