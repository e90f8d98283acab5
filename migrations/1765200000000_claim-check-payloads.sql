-- Up Migration
-- Claim check (src/payloads/claim-store.ts): Temporal payloads above RELAY_CLAIM_CHECK_THRESHOLD_BYTES
-- live here and history holds a small reference instead. The id is a keyed MAC (HMAC-SHA256
-- with a key derived from the master key) of the payload: the same payload written by ten
-- deliveries is one row, and the id says nothing guessable about the content. `sealed` is
-- iv (12 bytes) | GCM tag (16 bytes) | ciphertext, under a key derived from master key
-- `key_id`, with 'claim_payloads:<id>' as additional data. Rows whose last reference is older
-- than the retention are deleted by the cleanup job.
CREATE TABLE claim_payloads (
  id                 text PRIMARY KEY,
  key_id             text NOT NULL,
  sealed             bytea NOT NULL,
  size_bytes         integer NOT NULL,            -- the payload before encryption
  created_at         timestamptz NOT NULL DEFAULT now(),
  last_referenced_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX claim_payloads_last_referenced ON claim_payloads (last_referenced_at);

-- Down Migration
DROP TABLE claim_payloads;
