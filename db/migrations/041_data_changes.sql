-- Every write to a table the vector tiles read says so (issue #21: the server's tile cache is
-- invalidated by data version): a NOTICE to the writing connection and NOTIFY safegrid_data at commit.
-- sg_data_changed is a placeholder here; db/functions/tiles.sql defines it at every start.
CREATE OR REPLACE FUNCTION sg_data_changed() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$;

CREATE TRIGGER buildings_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON buildings FOR EACH STATEMENT EXECUTE FUNCTION sg_data_changed();
CREATE TRIGGER zones_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON zones FOR EACH STATEMENT EXECUTE FUNCTION sg_data_changed();
CREATE TRIGGER key_places_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON key_places FOR EACH STATEMENT EXECUTE FUNCTION sg_data_changed();
CREATE TRIGGER hazards_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON hazards FOR EACH STATEMENT EXECUTE FUNCTION sg_data_changed();
CREATE TRIGGER roads_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON roads FOR EACH STATEMENT EXECUTE FUNCTION sg_data_changed();
CREATE TRIGGER compounds_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON compounds FOR EACH STATEMENT EXECUTE FUNCTION sg_data_changed();
CREATE TRIGGER communities_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON communities FOR EACH STATEMENT EXECUTE FUNCTION sg_data_changed();
