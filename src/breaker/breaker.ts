/**
 * The circuit breaker: a destination that keeps failing is paused automatically (`paused_by =
 * 'breaker'`), so its deliveries hold in their runs instead of retrying for a day each; a probe
 * lets one delivery through on a schedule and the first 2xx resumes the destination.
 *
 * Counting is shared by every worker process: `destination_health` holds the last 2xx and the
 * failed attempts since the first failure after it, one UPSERT per attempt (a 2xx to a healthy
 * destination changes no row unless its last success is a minute old). The deliver activity
 * decides after a failed attempt; the attempt that trips the breaker, and every later one, holds.
 *
 * Probing: when a probe is due, the first caller that asks whether the destination is paused
 * (a woken held run, a retry, a new event's hold) claims it in one UPDATE and is told "active"
 * — one attempt goes out, whoever makes it. Its 2xx resumes the destination (the worker's job
 * wakes the held runs); its failure re-pauses with the next probe twice as far (at most 1 h).
 */
import type { Pool } from 'pg';
import { alertBody, alertIdFor, enqueueAlert, newAlertId, type AlertType } from '../alerts/outbox';

export interface CircuitBreakerSettings {
  /** false: never paused automatically (410 Gone then fails the delivery, as without a breaker). */
  enabled?: boolean;
  /** How long a destination must have been failing without a 2xx (minutes; fractions allowed). */
  failureWindowMinutes?: number;
  /** And at least this many failed attempts since its last 2xx. */
  minFailedAttempts?: number;
}

export const BREAKER_DEFAULTS = { enabled: true, failureWindowMinutes: 30, minFailedAttempts: 20 } as const;

export interface Health {
  failures: number;
  /** The first failed attempt after the last 2xx. */
  failingSince: Date;
}

/** Whether a destination failing as `health` says should be paused now. */
export function shouldTrip(health: Health, settings: CircuitBreakerSettings | undefined, now: Date): boolean {
  const s = { ...BREAKER_DEFAULTS, ...settings };
  if (!s.enabled) return false;
  return health.failures >= s.minFailedAttempts && now.getTime() - health.failingSince.getTime() >= s.failureWindowMinutes * 60_000;
}

/** Seconds until the probe after `failedProbes` failed ones: the base interval doubling, at most an hour. */
export function probeDelaySeconds(failedProbes: number, baseSeconds: number): number {
  return Math.min(Math.max(baseSeconds, 3600), baseSeconds * 2 ** Math.min(failedProbes, 20));
}

/** How long a claimed probe may go without an answer before another is let through (its run may have ended). */
export const PROBE_CLAIM_TIMEOUT_SECONDS = 300;

/** What a failed attempt means for its delivery. */
export type AfterFailure = 'retry' | 'hold';

export interface FailedAttempt {
  destination: string;
  settings: CircuitBreakerSettings | undefined;
  /** The destination answered 410 Gone: pause at once. */
  gone: boolean;
  /** What went wrong (the pause reason quotes it; no secrets: already scrubbed). */
  problem: string;
  workflowId?: string;
}

/** The breaker over the store's database. */
export class Breaker {
  constructor(
    readonly pool: Pool,
    /** The first probe this long after a trip; doubled after each failed probe. */
    private readonly probeBaseSeconds = 60,
  ) {}

  /**
   * A 2xx: the destination is healthy. Resets its count and, when the breaker had paused it,
   * resumes it (with a `destination.resumed` alert, and `wake_pending` for the worker's job),
   * in one statement.
   */
  async succeeded(destination: string): Promise<{ resumed: boolean }> {
    const { rows } = await this.pool.query<{ resumed: boolean }>(
      // A plain UPDATE whose condition does not hold locks nothing (an INSERT … ON CONFLICT DO
      // UPDATE would lock the row on every 2xx and serialize a busy destination's deliveries).
      `WITH u AS (
         UPDATE destination_health SET last_success_at = now(), failures = 0, failing_since = NULL
          WHERE name = $1 AND (failures > 0 OR last_success_at IS NULL OR last_success_at < now() - interval '1 minute')
       ), i AS (
         INSERT INTO destination_health (name, last_success_at, failures)
         SELECT $1, now(), 0
          WHERE EXISTS (SELECT 1 FROM destinations WHERE name = $1) AND NOT EXISTS (SELECT 1 FROM destination_health WHERE name = $1)
         ON CONFLICT (name) DO NOTHING
       ), r AS (
         UPDATE destinations SET paused = false, paused_by = NULL, paused_reason = NULL, paused_at = NULL,
                probe_at = NULL, probes = 0, probe_claimed_at = NULL, wake_pending = true
          WHERE name = $1 AND paused AND paused_by = 'breaker'
         RETURNING name
       ), a AS (
         INSERT INTO alert_outbox (id, type, body) SELECT $2, 'destination.resumed', $3::jsonb FROM r
       )
       SELECT EXISTS (SELECT 1 FROM r) AS resumed`,
      [
        destination,
        newAlertId(),
        JSON.stringify(alertBody('destination.resumed', { destination, by: 'breaker', reason: 'a probe delivery got a 2xx' })),
      ],
    );
    return { resumed: rows[0]?.resumed ?? false };
  }

  /**
   * A failed attempt (transient, retry window exhausted, or 410): count it, then decide.
   * `hold` when the destination is paused now — tripped by this attempt, a failed probe
   * (re-paused with the next probe later), or paused meanwhile by anyone.
   */
  async failed(f: FailedAttempt): Promise<AfterFailure> {
    const { rows } = await this.pool.query<{
      failures: number;
      failing_since: Date;
      paused: boolean | null;
      paused_by: string | null;
      probe_claimed_at: Date | null;
      now: Date;
    }>(
      `WITH h AS (
         INSERT INTO destination_health AS h (name, failing_since, failures)
         SELECT $1, now(), 1 WHERE EXISTS (SELECT 1 FROM destinations WHERE name = $1)
         ON CONFLICT (name) DO UPDATE SET failures = h.failures + 1, failing_since = coalesce(h.failing_since, now())
         RETURNING failures, failing_since
       )
       SELECT h.failures, h.failing_since, d.paused, d.paused_by, d.probe_claimed_at, now() AS now
         FROM h LEFT JOIN destinations d ON d.name = $1`,
      [f.destination],
    );
    const row = rows[0];
    if (!row || row.paused === null) return 'retry'; // deleted meanwhile: the delivery finds out itself
    const enabled = f.settings?.enabled ?? BREAKER_DEFAULTS.enabled;
    if (row.paused) {
      if (row.paused_by === 'breaker' && row.probe_claimed_at) {
        // The next probe as probeDelaySeconds(probes + 1) says, in the same statement.
        await this.pool.query(
          `UPDATE destinations SET probe_claimed_at = NULL, probes = probes + 1,
                  probe_at = now() + make_interval(secs => least(greatest($2::double precision, 3600), $2::double precision * power(2, least(probes + 1, 20))))
            WHERE name = $1 AND paused AND paused_by = 'breaker'`,
          [f.destination, this.probeBaseSeconds],
        );
      }
      return 'hold';
    }
    if (!enabled) return 'retry';
    const reason = f.gone
      ? `circuit breaker: ${f.problem}`
      : shouldTrip({ failures: row.failures, failingSince: row.failing_since }, f.settings, row.now)
        ? `circuit breaker: ${row.failures} failed attempts without a 2xx since ${row.failing_since.toISOString()}; last: ${f.problem}`
        : undefined;
    if (reason === undefined) return 'retry';
    await this.trip(f.destination, reason.slice(0, 500), f.workflowId);
    return 'hold';
  }

  /** Pause `destination` as the breaker (if not paused yet), with its `destination.paused` alert in the same statement. */
  async trip(destination: string, reason: string, workflowId?: string): Promise<boolean> {
    const { rowCount } = await this.pool.query(
      `WITH p AS (
         UPDATE destinations SET paused = true, paused_by = 'breaker', paused_reason = $2, paused_at = now(),
                probe_at = now() + make_interval(secs => $3), probes = 0, probe_claimed_at = NULL
          WHERE name = $1 AND NOT paused
         RETURNING name
       )
       INSERT INTO alert_outbox (id, type, body) SELECT $4, 'destination.paused', $5::jsonb FROM p`,
      [
        destination,
        reason,
        this.probeBaseSeconds,
        newAlertId(),
        JSON.stringify(
          alertBody('destination.paused', {
            destination,
            by: 'breaker',
            reason,
            ...(workflowId ? { trippedByWorkflowId: workflowId } : {}),
          }),
        ),
      ],
    );
    return rowCount === 1;
  }
}

/** Alerts the deliver activity writes, each once per occurrence (its id derived from it). */
export async function alertOnce(pool: Pool, idParts: string[], type: AlertType, data: Record<string, unknown>): Promise<void> {
  await enqueueAlert(pool, alertIdFor(type, ...idParts), alertBody(type, data));
}
