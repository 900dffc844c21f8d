-- Who may call what changes: the session cache (server/auth/session-cache.ts) hears of it through the
-- same data-change announcement as the tile cache (sg_data_changed, migration 041): a NOTICE to the
-- writing connection and NOTIFY safegrid_data at commit. A cached session is trusted only while no
-- session was revoked or deleted and no account, its communities or its partner unit changed.
-- Extending a session (a new expires_at, once a minute per session) says nothing.
CREATE TRIGGER sessions_revoked AFTER UPDATE OF revoked_at ON sessions FOR EACH ROW
  WHEN (OLD.revoked_at IS DISTINCT FROM NEW.revoked_at) EXECUTE FUNCTION sg_data_changed();
CREATE TRIGGER sessions_deleted AFTER DELETE OR TRUNCATE ON sessions FOR EACH STATEMENT EXECUTE FUNCTION sg_data_changed();
CREATE TRIGGER users_changed AFTER UPDATE OR DELETE OR TRUNCATE ON users FOR EACH STATEMENT EXECUTE FUNCTION sg_data_changed();
CREATE TRIGGER user_communities_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON user_communities FOR EACH STATEMENT EXECUTE FUNCTION sg_data_changed();
CREATE TRIGGER partner_units_changed AFTER UPDATE OR DELETE OR TRUNCATE ON partner_units FOR EACH STATEMENT EXECUTE FUNCTION sg_data_changed();
CREATE TRIGGER partner_unit_communities_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON partner_unit_communities FOR EACH STATEMENT EXECUTE FUNCTION sg_data_changed();
