-- Up Migration
-- Who paused a destination: an operator (API, CLI, file) or the circuit breaker (a destination
-- that kept failing, or answered 410 Gone). The breaker's own state: when its next probe is
-- due, how many probes failed (backoff), and since when one probe attempt is under way.
-- `wake_pending`: resumed by a probe's 2xx in an activity; the worker's job wakes the held runs.
ALTER TABLE destinations
  ADD COLUMN paused_by        text CHECK (paused_by IN ('operator', 'breaker')),
  ADD COLUMN probe_at         timestamptz,
  ADD COLUMN probes           integer NOT NULL DEFAULT 0,
  ADD COLUMN probe_claimed_at timestamptz,
  ADD COLUMN wake_pending     boolean NOT NULL DEFAULT false;
UPDATE destinations SET paused_by = 'operator' WHERE paused;

-- Attempt outcomes per destination, shared by every worker process: the last 2xx and the
-- failed attempts since the first failure after it. One UPSERT per attempt at most.
CREATE TABLE destination_health (
  name            text PRIMARY KEY REFERENCES destinations (name) ON DELETE CASCADE,
  last_success_at timestamptz,
  failing_since   timestamptz,
  failures        integer NOT NULL DEFAULT 0
);

-- Operational alerts (outbox): written in the transaction of the state change they report (or
-- once per occurrence by an activity: the id is derived from it), sent by the worker's job.
CREATE TABLE alert_outbox (
  id              text PRIMARY KEY,
  type            text NOT NULL,
  body            jsonb NOT NULL,
  created_at      timestamptz NOT NULL DEFAULT now(),
  attempts        integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  sent_at         timestamptz,
  last_error      text
);
CREATE INDEX alert_outbox_pending ON alert_outbox (next_attempt_at) WHERE sent_at IS NULL;

-- Down Migration
DROP TABLE alert_outbox;
DROP TABLE destination_health;
ALTER TABLE destinations
  DROP COLUMN paused_by,
  DROP COLUMN probe_at,
  DROP COLUMN probes,
  DROP COLUMN probe_claimed_at,
  DROP COLUMN wake_pending;
