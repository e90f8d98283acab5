/**
 * Pause and resume: a state of a live destination, not a new version. While paused, its
 * deliveries wait in their runs (held) and go out on resume; disabling instead unsubscribes it
 * (new events are not planned for it). Resuming signals the held runs (src/temporal/held-runs.ts).
 */
import type { Pool } from 'pg';

export interface PauseState {
  name: string;
  paused: boolean;
  reason: string | null;
  pausedAt: string | null;
}

/**
 * Pause or resume `name`; undefined when there is no such destination. Pausing a paused
 * destination changes nothing (its reason and time stay those of the first pause).
 */
export async function setDestinationPaused(pool: Pool, name: string, paused: boolean, reason?: string): Promise<PauseState | undefined> {
  const { rows } = await pool.query<{ name: string; paused: boolean; paused_reason: string | null; paused_at: Date | null }>(
    `UPDATE destinations
        SET paused = $2,
            paused_reason = CASE WHEN NOT $2 THEN NULL WHEN paused THEN paused_reason ELSE $3 END,
            paused_at = CASE WHEN $2 THEN coalesce(paused_at, now()) ELSE NULL END
      WHERE name = $1
  RETURNING name, paused, paused_reason, paused_at`,
    [name, paused, reason ?? null],
  );
  const row = rows[0];
  return row && { name: row.name, paused: row.paused, reason: row.paused_reason, pausedAt: row.paused_at?.toISOString() ?? null };
}
