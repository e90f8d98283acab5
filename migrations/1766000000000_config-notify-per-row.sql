-- Up Migration
-- relay_config_changed per row changed, not per statement (replaces the triggers of
-- 1765600000000_config-notify). A statement trigger fires even when its UPDATE touches no row,
-- and destinations is updated with no row matched on the hot path: the worker's probe claim at
-- every delivery, the breaker's resume at every 2xx, the operations job's wake_pending poll.
-- Each of those emptied every receiver's source cache. Row triggers notify only for real
-- changes; PostgreSQL still sends a transaction's identical notifications as one. TRUNCATE has
-- no rows to fire for, so it keeps a statement trigger.
DROP TRIGGER relay_config_notify ON destinations;
DROP TRIGGER relay_config_notify ON credential_sets;
DROP TRIGGER relay_config_notify ON sources;
CREATE TRIGGER relay_config_notify AFTER INSERT OR UPDATE OR DELETE ON sources
  FOR EACH ROW EXECUTE FUNCTION relay_config_notify();
CREATE TRIGGER relay_config_notify AFTER INSERT OR UPDATE OR DELETE ON credential_sets
  FOR EACH ROW EXECUTE FUNCTION relay_config_notify();
CREATE TRIGGER relay_config_notify AFTER INSERT OR UPDATE OR DELETE ON destinations
  FOR EACH ROW EXECUTE FUNCTION relay_config_notify();
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
CREATE TRIGGER relay_config_notify AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON sources
  FOR EACH STATEMENT EXECUTE FUNCTION relay_config_notify();
CREATE TRIGGER relay_config_notify AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON credential_sets
  FOR EACH STATEMENT EXECUTE FUNCTION relay_config_notify();
CREATE TRIGGER relay_config_notify AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON destinations
  FOR EACH STATEMENT EXECUTE FUNCTION relay_config_notify();
