-- Up Migration
-- The configuration store (issue 4). Names are unique case-sensitively (text primary keys).
-- Every `secrets` column holds one sealed JSON object (src/db/secrets.ts: AES-256-GCM, the
-- key id inside the envelope, the row's identity as additional data); `secret_hints` holds
-- what the API may show of each secret: that it is set and its last 4 characters.

-- Versions of credential sets and sources (their ETags) come from one sequence, so a version
-- never repeats, not even for a name deleted and created again: a cached row or a saved
-- If-Match of the deleted entry can never match the new one.
CREATE SEQUENCE entry_versions;

CREATE TABLE credential_sets (
  name         text PRIMARY KEY,
  type         text NOT NULL,
  config       jsonb NOT NULL,                 -- the set without its secret fields
  secrets      text NOT NULL,                  -- sealed {field: value}; AAD 'credential_sets:<name>'
  secret_hints jsonb NOT NULL DEFAULT '{}',    -- {field: last4}
  version      integer NOT NULL DEFAULT nextval('entry_versions'),
  created_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE sources (
  id           text PRIMARY KEY,
  kind         text NOT NULL,
  config       jsonb NOT NULL,                 -- the source without its auth secrets
  secrets      text NOT NULL,                  -- sealed {slot: value}; AAD 'sources:<id>'
  secret_hints jsonb NOT NULL DEFAULT '{}',
  version      integer NOT NULL DEFAULT nextval('entry_versions'),
  created_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now()
);

-- Every saved state of a destination. Rows are never updated or deleted, so a workflow that
-- planned with version N can still load N after the destination changed or was deleted;
-- versions of a name never repeat (a re-created name continues after its highest version).
CREATE TABLE destination_versions (
  name         text NOT NULL,
  version      integer NOT NULL,
  config       jsonb NOT NULL,                 -- validated DestinationConfig, secret slots as markers
  input        jsonb NOT NULL,                 -- the definition as given, secrets redacted
  secrets      text NOT NULL,                  -- sealed {slot: value}; AAD 'destination_versions:<name>:<version>'
  secret_hints jsonb NOT NULL DEFAULT '{}',
  created_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (name, version)
);

-- The live destinations: which version is current, and what routing needs to be indexed.
CREATE TABLE destinations (
  name         text PRIMARY KEY,
  kind         text NOT NULL,
  enabled      boolean NOT NULL,
  events       text[] NOT NULL,
  sources      text[],                          -- NULL = every source
  credential   text REFERENCES credential_sets (name) ON UPDATE RESTRICT ON DELETE RESTRICT,
  version      integer NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (name, version) REFERENCES destination_versions (name, version)
);
CREATE INDEX destinations_events ON destinations USING gin (events);

-- Down Migration
DROP TABLE destinations;
DROP TABLE destination_versions;
DROP TABLE sources;
DROP TABLE credential_sets;
DROP SEQUENCE entry_versions;
