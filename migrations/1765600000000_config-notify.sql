-- Up Migration
-- Every change to configuration a receiver caches (sources, credential sets, destinations)
-- sends NOTIFY relay_config_changed in its own transaction, whoever makes it: the management
-- API, `relay apply`, key rotation or plain SQL. Receivers LISTEN and drop their cache
-- (src/config/cached-store.ts); PostgreSQL delivers the notification only on commit.
CREATE FUNCTION relay_config_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('relay_config_changed', TG_TABLE_NAME);
  RETURN NULL;
END;
$$;
CREATE TRIGGER relay_config_notify AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON sources
  FOR EACH STATEMENT EXECUTE FUNCTION relay_config_notify();
CREATE TRIGGER relay_config_notify AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON credential_sets
  FOR EACH STATEMENT EXECUTE FUNCTION relay_config_notify();
CREATE TRIGGER relay_config_notify AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON destinations
  FOR EACH STATEMENT EXECUTE FUNCTION relay_config_notify();

-- Down Migration
DROP TRIGGER relay_config_notify ON destinations;
DROP TRIGGER relay_config_notify ON credential_sets;
DROP TRIGGER relay_config_notify ON sources;
DROP FUNCTION relay_config_notify();
