-- Up Migration
-- Every change to configuration a receiver caches (sources, credential sets, destinations)
-- sends NOTIFY relay_config_changed in its own transaction, whoever makes it: the management
-- API, `relay apply`, key rotation or plain SQL. Receivers LISTEN and drop their cache
-- (src/config/cached-store.ts); PostgreSQL delivers the notification only on commit.
-- Per row changed, not per statement: a statement trigger fires even when no row is touched,
-- and the worker's probe claim (an UPDATE of destinations at every delivery) and the
-- operations job's poll would then empty every receiver's cache all the time. The notifications
-- of one transaction are sent as one (PostgreSQL folds identical ones).
CREATE FUNCTION relay_config_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('relay_config_changed', TG_TABLE_NAME);
  RETURN NULL;
END;
$$;
CREATE TRIGGER relay_config_notify AFTER INSERT OR UPDATE OR DELETE ON sources
  FOR EACH ROW EXECUTE FUNCTION relay_config_notify();
CREATE TRIGGER relay_config_notify AFTER INSERT OR UPDATE OR DELETE ON credential_sets
  FOR EACH ROW EXECUTE FUNCTION relay_config_notify();
CREATE TRIGGER relay_config_notify AFTER INSERT OR UPDATE OR DELETE ON destinations
  FOR EACH ROW EXECUTE FUNCTION relay_config_notify();
-- TRUNCATE has no rows to fire for.
CREATE TRIGGER relay_config_notify_truncate AFTER TRUNCATE ON sources
  FOR EACH STATEMENT EXECUTE FUNCTION relay_config_notify();
CREATE TRIGGER relay_config_notify_truncate AFTER TRUNCATE ON credential_sets
  FOR EACH STATEMENT EXECUTE FUNCTION relay_config_notify();
CREATE TRIGGER relay_config_notify_truncate AFTER TRUNCATE ON destinations
  FOR EACH STATEMENT EXECUTE FUNCTION relay_config_notify();

-- Down Migration
DROP TRIGGER relay_config_notify_truncate ON destinations;
DROP TRIGGER relay_config_notify_truncate ON credential_sets;
DROP TRIGGER relay_config_notify_truncate ON sources;
DROP TRIGGER relay_config_notify ON destinations;
DROP TRIGGER relay_config_notify ON credential_sets;
DROP TRIGGER relay_config_notify ON sources;
DROP FUNCTION relay_config_notify();
