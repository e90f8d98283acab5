-- Up Migration
-- Settled deliveries per destination and minute, shared by every worker process, for the
-- console's health figures (GET /v1/destinations/health): each worker adds the counts it saw
-- every few seconds, one UPSERT per destination and flush (not one per delivery). `latency`
-- counts delivered ones by time from acceptance to the 2xx, in the buckets of
-- src/breaker/delivery-stats.ts (LATENCY_BUCKETS_MS, the last one unbounded). Rows older than two
-- days are deleted by the workers.
CREATE TABLE delivery_stats (
  name         text NOT NULL,
  minute       timestamptz NOT NULL,
  delivered    integer NOT NULL DEFAULT 0,
  failed       integer NOT NULL DEFAULT 0,
  retried      integer NOT NULL DEFAULT 0,
  sla_breaches integer NOT NULL DEFAULT 0,
  latency      integer[] NOT NULL,
  PRIMARY KEY (name, minute)
);

-- The last failed attempt of each destination (any failure, retried or not): when, and what.
ALTER TABLE destination_health
  ADD COLUMN last_failure_at timestamptz,
  ADD COLUMN last_failure    text;

-- Down Migration
ALTER TABLE destination_health DROP COLUMN last_failure_at, DROP COLUMN last_failure;
DROP TABLE delivery_stats;
