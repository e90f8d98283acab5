/**
 * Operational alerts through a durable outbox: an alert is a row of `alert_outbox`, written in
 * the same statement or transaction as the state change it reports (a pause, a resume), or by
 * an activity with an id derived from the occurrence (so a retried activity writes it once).
 * The worker's job sends pending rows to the alert webhook, Standard Webhooks signed, the row
 * id as `webhook-id`; a crash between send and its record sends it again with the same id, which
 * receivers deduplicate. Several workers share the table: rows are leased (SKIP LOCKED) first.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { Pool, PoolClient } from 'pg';
import { signatureHeaders } from '../destinations/signing';
import type { HttpClient } from '../http/client';

export type AlertType = 'destination.paused' | 'destination.resumed' | 'delivery.failed' | 'delivery.sla_breached' | 'redelivery.completed';

/** The body sent: the Standard Webhooks shape (type, timestamp, data). */
export interface AlertBody {
  type: AlertType;
  timestamp: string;
  data: Record<string, unknown>;
}

/** A fresh id for an occurrence that happens once (a state change in a transaction). */
export function newAlertId(): string {
  return `alert_${randomUUID().replaceAll('-', '')}`;
}

/** The id of an occurrence that may be reported more than once (an activity retried): the same parts, the same id. */
export function alertIdFor(...parts: string[]): string {
  return `alert_${createHash('sha256').update(parts.join('\n')).digest('hex').slice(0, 32)}`;
}

export function alertBody(type: AlertType, data: Record<string, unknown>, now = new Date()): AlertBody {
  return { type, timestamp: now.toISOString(), data };
}

/** Write an alert; an id already written is left as it is (once per occurrence). */
export async function enqueueAlert(db: Pool | PoolClient, id: string, body: AlertBody): Promise<boolean> {
  const { rowCount } = await db.query('INSERT INTO alert_outbox (id, type, body) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING', [
    id,
    body.type,
    JSON.stringify(body),
  ]);
  return rowCount === 1;
}

export interface AlertWebhook {
  url: string;
  /** `whsec_…` (Standard Webhooks). */
  secret: string;
  timeoutMs?: number;
  /** Extra headers (the file's `alerts.headers`), e.g. the sink's own auth. */
  headers?: Record<string, string>;
}

/** The wait before the next try of an alert that failed `attempts` times: 5 s doubling, at most 10 min. */
export function alertRetryDelaySeconds(attempts: number): number {
  return Math.min(600, 5 * 2 ** Math.max(0, attempts - 1));
}

/** Alerts given up after this many failed sends (about 16 hours of retries); the row keeps the last error. */
export const ALERT_MAX_ATTEMPTS = 100;

export interface SendResult {
  sent: number;
  failed: number;
}

/**
 * Send the pending alerts that are due, oldest first, at most `limit`, with the relay's outbound
 * client under its guard (a `restricted` request: the alert URL is held to the destinations'
 * private-network rules at send time too, whatever DNS answers). Without a webhook
 * configured, pending alerts are marked as dropped (sent_at set, last_error says why) so the
 * table does not grow. Sent rows older than 7 days are deleted (unless `prune: false`).
 */
export async function sendPendingAlerts(
  pool: Pool,
  webhook: AlertWebhook | undefined,
  options: { http: HttpClient; limit?: number; prune?: boolean },
): Promise<SendResult> {
  const limit = options.limit ?? 50;
  const result: SendResult = { sent: 0, failed: 0 };
  if (options.prune !== false) await pool.query(`DELETE FROM alert_outbox WHERE sent_at < now() - interval '7 days'`);
  if (!webhook) {
    await pool.query(`UPDATE alert_outbox SET sent_at = now(), last_error = 'no alert webhook configured' WHERE sent_at IS NULL`);
    return result;
  }
  // Claim the due rows with a lease (their next try moved a minute on) in one statement, then
  // send without holding a connection: the embedded engine has only one, which deliveries need.
  // A worker that dies mid-send leaves its rows to be sent again when the lease ends.
  const { rows } = await pool.query<{ id: string; body: AlertBody; attempts: number; created_at: Date }>(
    `UPDATE alert_outbox SET next_attempt_at = now() + interval '60 seconds'
      WHERE id IN (SELECT id FROM alert_outbox
                    WHERE sent_at IS NULL AND next_attempt_at <= now() AND attempts < $2
                    ORDER BY created_at, id LIMIT $1 FOR UPDATE SKIP LOCKED)
     RETURNING id, body, attempts, created_at`,
    [limit, ALERT_MAX_ATTEMPTS],
  );
  rows.sort((a, b) => a.created_at.getTime() - b.created_at.getTime() || a.id.localeCompare(b.id));
  for (const row of rows) {
    const body = JSON.stringify(row.body);
    let problem: string | undefined;
    try {
      const res = await options.http.send({
        method: 'POST',
        url: webhook.url,
        headers: {
          ...webhook.headers,
          'content-type': 'application/json',
          'user-agent': 'loyalty-relay-alerts',
          ...signatureHeaders(webhook.secret, row.id, Math.floor(Date.now() / 1000), body),
        },
        body,
        timeoutMs: webhook.timeoutMs ?? 10_000,
        restricted: true,
      });
      if (res.status < 200 || res.status >= 300) problem = `alert webhook answered ${res.status}`;
    } catch (e) {
      problem = `alert webhook unreachable: ${(e as Error).message}`;
    }
    if (problem === undefined) {
      await pool.query('UPDATE alert_outbox SET sent_at = now(), attempts = attempts + 1, last_error = NULL WHERE id = $1', [row.id]);
      result.sent++;
    } else {
      await pool.query(
        `UPDATE alert_outbox SET attempts = attempts + 1, last_error = $2, next_attempt_at = now() + make_interval(secs => $3) WHERE id = $1`,
        [row.id, problem.slice(0, 500), alertRetryDelaySeconds(row.attempts + 1)],
      );
      result.failed++;
    }
  }
  return result;
}
