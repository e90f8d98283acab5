-- Up Migration
-- Pause is a state of a live destination, not part of its definition: pausing or resuming does
-- not make a new version (a run in flight keeps rendering with the version it planned with).
-- Deliveries to a paused destination wait in their runs (held) and go out on resume.
ALTER TABLE destinations
  ADD COLUMN paused        boolean NOT NULL DEFAULT false,
  ADD COLUMN paused_reason text,
  ADD COLUMN paused_at     timestamptz;

-- Down Migration
ALTER TABLE destinations
  DROP COLUMN paused,
  DROP COLUMN paused_reason,
  DROP COLUMN paused_at;
