/**
 * Each destination's health for the console (GET /v1/destination-health, GET
 * /v1/destinations/{name}/health), from what every process shares: the destination's state
 * and the circuit breaker's counts (configuration database), the settled deliveries of the
 * window (delivery_stats, written by the workers: src/breaker/delivery-stats.ts) and the runs
 * holding or parking its deliveries now (Temporal visibility, by the search attributes the
 * workflows set). Temporal unreachable: the store's figures still answer, the run counts are
 * null and `temporal` says `unavailable` — a failing relay is when this screen is needed most.
 */
import type { Client } from '@temporalio/client';
import type { Pool } from 'pg';
import { z } from 'zod';
import { PROBE_CLAIM_TIMEOUT_SECONDS } from '../breaker/breaker';
import { LATENCY_BUCKETS_MS, quantileMs } from '../breaker/delivery-stats';
import { EntryNotFoundError } from '../config/admin/errors';
import { HttpError } from '../http/inbound/errors';
import { parkedRunsQuery } from '../telemetry/metrics-ops';
import { heldRunsQuery } from '../temporal/held-runs';

export interface HealthDeps {
  pool: Pool;
  /** Absent: run counts are not asked (null). */
  client?: Client;
  namespace: string;
  /** Base URL of the Temporal Web UI (RELAY_TEMPORAL_UI_URL): links to the runs. */
  temporalUiUrl?: string;
  /** Deadline of the visibility counts (default 5 s). */
  timeoutMs?: number;
}

export const DEFAULT_WINDOW_MINUTES = 60;
export const MAX_WINDOW_MINUTES = 1440;

export const destinationHealthSchema = z
  .object({
    name: z.string(),
    state: z
      .enum(['active', 'paused', 'auto_paused', 'disabled'])
      .describe(
        '`paused`: by an operator; `auto_paused`: by the circuit breaker; `disabled`: `enabled: false` (events are not planned for it)',
      ),
    paused: z
      .object({ reason: z.string().nullable(), at: z.string().nullable(), by: z.enum(['operator', 'breaker']).nullable() })
      .nullable()
      .describe('Why and when it was paused, when it is'),
    probing: z.boolean().describe('Auto-paused, and one probe delivery is under way now'),
    nextProbeAt: z.string().nullable().describe('Auto-paused: when the next probe delivery is let through'),
    delivered: z.int().describe('Deliveries settled with a 2xx in the window'),
    failed: z.int().describe('Deliveries settled as failed (parked) in the window'),
    retriedAttempts: z.int().describe('Failed attempts retried in the window'),
    successRate: z.number().nullable().describe('delivered / (delivered + failed) in the window, 0–1; null with none settled'),
    p95LatencyMs: z
      .number()
      .nullable()
      .describe(
        '95th percentile of acceptance → 2xx of the deliveries delivered in the window, as the upper bound of its histogram bucket (ms); null with none delivered; -1 beyond the last bucket (a day)',
      ),
    slaBreaches: z.int().describe('Deliveries settled in the window after their SLA deadline'),
    failingSince: z.string().nullable().describe('First failed attempt since the last 2xx (the circuit breaker counts from it)'),
    failedAttemptsSinceSuccess: z.int().describe('Failed attempts since the last 2xx (the circuit breaker trips on these)'),
    lastSuccessAt: z.string().nullable().describe('Last 2xx (updated at most once a minute while healthy)'),
    lastFailure: z.object({ at: z.string(), message: z.string() }).nullable().describe('The last failed attempt, any time'),
    heldRuns: z.int().nullable().describe('Open runs holding a delivery for it now (paused); null when Temporal could not be asked'),
    parkedRuns: z.int().nullable().describe('Open runs with its delivery parked as failed now; null when Temporal could not be asked'),
    links: z
      .object({ failedRuns: z.string(), heldRuns: z.string() })
      .optional()
      .describe('The Temporal Web UI filtered to those runs (with RELAY_TEMPORAL_UI_URL, or the embedded UI)'),
  })
  .describe("One destination's health");

export const healthReportSchema = z
  .object({
    window: z
      .object({ minutes: z.int(), since: z.string(), until: z.string() })
      .describe(
        'The window of the delivery figures: from `since` (the start of the minute `minutes − 1` before the current one) to `until` (now; workers add their counts every 5 s)',
      ),
    temporal: z.enum(['ok', 'unavailable']).describe('Whether the run counts could be read'),
    items: z.array(destinationHealthSchema),
  })
  .describe('Health of the destinations');

export type DestinationHealth = z.infer<typeof destinationHealthSchema>;
export type HealthReport = z.infer<typeof healthReportSchema>;

/** `?windowMinutes=` → minutes (default 60); a 422 naming the parameter otherwise. */
export function parseWindow(value: unknown): number {
  if (value === undefined) return DEFAULT_WINDOW_MINUTES;
  const n = typeof value === 'string' && /^\d{1,5}$/.test(value) ? Number(value) : NaN;
  if (!(n >= 1 && n <= MAX_WINDOW_MINUTES)) {
    throw new HttpError(422, 'validation_failed', 'windowMinutes must be a whole number of minutes from 1 to 1440', [
      { path: 'windowMinutes', message: `a whole number from 1 to ${MAX_WINDOW_MINUTES}` },
    ]);
  }
  return n;
}

/** The Temporal Web UI's list of the runs `query` finds. */
export function temporalUiRunsUrl(base: string, namespace: string, query: string): string {
  return `${base.replace(/\/+$/, '')}/namespaces/${encodeURIComponent(namespace)}/workflows?query=${encodeURIComponent(query)}`;
}

interface Row {
  name: string;
  enabled: boolean;
  paused: boolean;
  paused_by: 'operator' | 'breaker' | null;
  paused_reason: string | null;
  paused_at: Date | null;
  probe_at: Date | null;
  probing: boolean;
  failing_since: Date | null;
  failures: number | null;
  last_success_at: Date | null;
  last_failure_at: Date | null;
  last_failure: string | null;
  delivered: number;
  failed: number;
  retried: number;
  sla_breaches: number;
}

const ANY_HELD = 'RelayHeldDestinations IS NOT NULL AND ExecutionStatus = "Running"';
const ANY_PARKED = 'RelayFailedDestinations IS NOT NULL AND ExecutionStatus = "Running"';

const iso = (d: Date | null) => (d ? d.toISOString() : null);

function withDeadline<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([p, deadline]).finally(() => clearTimeout(timer));
}

/** Held and parked run counts per destination; undefined when Temporal could not be asked. */
async function runCounts(deps: HealthDeps, names: string[]): Promise<Map<string, { held: number; parked: number }> | undefined> {
  const client = deps.client;
  if (!client || names.length === 0) return client ? new Map() : undefined;
  try {
    return await withDeadline(
      (async () => {
        // Two queries when nothing is held or parked (the usual case), not two per destination.
        const [anyHeld, anyParked] = await Promise.all([client.workflow.count(ANY_HELD), client.workflow.count(ANY_PARKED)]);
        // Visibility cannot group by a keyword-list attribute: one count per destination, all
        // asked together (one after another, a long list would outlast the deadline).
        const count = async (name: string) => {
          const [held, parked] = await Promise.all([
            anyHeld.count > 0 ? client.workflow.count(heldRunsQuery(name)).then((c) => c.count) : 0,
            anyParked.count > 0 ? client.workflow.count(parkedRunsQuery(name)).then((c) => c.count) : 0,
          ]);
          return [name, { held, parked }] as const;
        };
        return new Map(await Promise.all(names.map(count)));
      })(),
      deps.timeoutMs ?? 5000,
    );
  } catch {
    return undefined;
  }
}

/** The health of every destination (or of `only`, which must exist: 404 otherwise). */
export async function destinationHealth(deps: HealthDeps, windowMinutes: number, only?: string): Promise<HealthReport> {
  const { rows: timeRows } = await deps.pool.query<{ now: Date; since: Date }>(
    `SELECT now() AS now, date_trunc('minute', now()) - make_interval(mins => $1 - 1) AS since`,
    [windowMinutes],
  );
  const { now, since } = timeRows[0] as { now: Date; since: Date };
  const { rows } = await deps.pool.query<Row>(
    `SELECT d.name, d.enabled, d.paused, d.paused_by, d.paused_reason, d.paused_at, d.probe_at,
            coalesce(d.paused_by = 'breaker' AND d.probe_claimed_at > now() - make_interval(secs => $3), false) AS probing,
            h.failing_since, h.failures, h.last_success_at, h.last_failure_at, h.last_failure,
            coalesce(s.delivered, 0)::int AS delivered, coalesce(s.failed, 0)::int AS failed,
            coalesce(s.retried, 0)::int AS retried, coalesce(s.sla_breaches, 0)::int AS sla_breaches
       FROM destinations d
       LEFT JOIN destination_health h ON h.name = d.name
       LEFT JOIN (SELECT name, sum(delivered) AS delivered, sum(failed) AS failed, sum(retried) AS retried, sum(sla_breaches) AS sla_breaches
                    FROM delivery_stats WHERE minute >= $1 GROUP BY name) s ON s.name = d.name
      WHERE $2::text IS NULL OR d.name = $2
      ORDER BY d.name`,
    [since, only ?? null, PROBE_CLAIM_TIMEOUT_SECONDS],
  );
  if (only !== undefined && rows.length === 0) throw new EntryNotFoundError('destination', only);
  const { rows: latencyRows } = await deps.pool.query<{ name: string; bucket: number; n: number }>(
    `SELECT name, u.i::int AS bucket, sum(u.v)::int AS n
       FROM delivery_stats, unnest(latency) WITH ORDINALITY AS u(v, i)
      WHERE minute >= $1 AND ($2::text IS NULL OR name = $2)
      GROUP BY name, u.i`,
    [since, only ?? null],
  );
  const latency = new Map<string, number[]>();
  for (const r of latencyRows) {
    const counts = latency.get(r.name) ?? new Array<number>(LATENCY_BUCKETS_MS.length + 1).fill(0);
    counts[r.bucket - 1] = r.n;
    latency.set(r.name, counts);
  }
  const counts = await runCounts(
    deps,
    rows.map((r) => r.name),
  );
  const items = rows.map((r): DestinationHealth => {
    const settled = r.delivered + r.failed;
    const p95 = quantileMs(latency.get(r.name) ?? [], 0.95);
    const c = counts?.get(r.name);
    return {
      name: r.name,
      state: !r.enabled ? 'disabled' : !r.paused ? 'active' : r.paused_by === 'breaker' ? 'auto_paused' : 'paused',
      paused: r.paused ? { reason: r.paused_reason, at: iso(r.paused_at), by: r.paused_by } : null,
      probing: r.probing,
      nextProbeAt: r.paused && r.paused_by === 'breaker' ? iso(r.probe_at) : null,
      delivered: r.delivered,
      failed: r.failed,
      retriedAttempts: r.retried,
      successRate: settled > 0 ? r.delivered / settled : null,
      p95LatencyMs: p95 === undefined ? null : Number.isFinite(p95) ? p95 : -1,
      slaBreaches: r.sla_breaches,
      failingSince: iso(r.failing_since),
      failedAttemptsSinceSuccess: r.failures ?? 0,
      lastSuccessAt: iso(r.last_success_at),
      lastFailure: r.last_failure_at && r.last_failure !== null ? { at: r.last_failure_at.toISOString(), message: r.last_failure } : null,
      heldRuns: c ? c.held : null,
      parkedRuns: c ? c.parked : null,
      ...(deps.temporalUiUrl
        ? {
            links: {
              failedRuns: temporalUiRunsUrl(deps.temporalUiUrl, deps.namespace, parkedRunsQuery(r.name)),
              heldRuns: temporalUiRunsUrl(deps.temporalUiUrl, deps.namespace, heldRunsQuery(r.name)),
            },
          }
        : {}),
    };
  });
  return {
    window: { minutes: windowMinutes, since: since.toISOString(), until: now.toISOString() },
    temporal: counts ? 'ok' : 'unavailable',
    items,
  };
}
