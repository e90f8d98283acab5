/**
 * Pause and resume: a state of a live destination, not a new version. While paused, its
 * deliveries wait in their runs (held) and go out on resume; disabling instead unsubscribes it
 * (new events are not planned for it). Resuming signals the held runs (src/temporal/held-runs.ts).
 */
import type { Pool } from 'pg';
import { alertBody, newAlertId } from '../alerts/outbox';

export interface PauseState {
  name: string;
  paused: boolean;
  reason: string | null;
  pausedAt: string | null;
  /** Who paused it (null when not paused): an operator, or the circuit breaker. */
  by: 'operator' | 'breaker' | null;
}

/**
 * Pause or resume `name` as an operator; undefined when there is no such destination. Pausing a
 * paused destination changes nothing (its reason and time stay those of the first pause) but
 * takes an automatic pause over (no more probes). Resuming clears the circuit breaker's state
 * and count. A change of state writes its alert (`destination.paused` / `.resumed`) into the
 * outbox in the same statement: no change without its alert, no alert without its change.
 */
export async function setDestinationPaused(pool: Pool, name: string, paused: boolean, reason?: string): Promise<PauseState | undefined> {
  const alertType = paused ? 'destination.paused' : 'destination.resumed';
  const { rows } = await pool.query<{
    name: string;
    paused: boolean;
    paused_reason: string | null;
    paused_at: Date | null;
    paused_by: 'operator' | null;
  }>(
    `WITH old AS (SELECT name, paused FROM destinations WHERE name = $1 FOR UPDATE),
     upd AS (
       UPDATE destinations d
          SET paused = $2,
              paused_reason = CASE WHEN NOT $2 THEN NULL WHEN d.paused THEN d.paused_reason ELSE $3 END,
              paused_at = CASE WHEN $2 THEN coalesce(d.paused_at, now()) ELSE NULL END,
              paused_by = CASE WHEN $2 THEN 'operator' ELSE NULL END,
              probe_at = NULL, probes = 0, probe_claimed_at = NULL
         FROM old WHERE d.name = old.name
     RETURNING d.name, d.paused, d.paused_reason, d.paused_at, d.paused_by, old.paused AS was_paused
     ), alert AS (
       INSERT INTO alert_outbox (id, type, body)
       SELECT $4, $5, jsonb_set($6::jsonb, '{data,reason}', coalesce(to_jsonb(upd.paused_reason), 'null'::jsonb)) FROM upd WHERE upd.was_paused <> $2
     ), health AS (
       UPDATE destination_health SET failures = 0, failing_since = NULL WHERE name = $1 AND NOT $2
     )
     SELECT name, paused, paused_reason, paused_at, paused_by FROM upd`,
    [name, paused, reason ?? null, newAlertId(), alertType, JSON.stringify(alertBody(alertType, { destination: name, by: 'operator' }))],
  );
  const row = rows[0];
  return (
    row && {
      name: row.name,
      paused: row.paused,
      reason: row.paused_reason,
      pausedAt: row.paused_at?.toISOString() ?? null,
      by: row.paused_by,
    }
  );
}
