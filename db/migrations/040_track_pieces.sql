-- Coverage at the speed of an index probe (issue #21): the pieces of every track kept up to date at
-- ingest, and the footprints of buildings and key places stored in the community's UTM zone.
--
-- The trigger functions named here are placeholders: db/functions/tracks.sql replaces them (and fills
-- track_pieces from the existing points) at every start.

-- Buildings and key places in the community's UTM zone, each with its own GiST index: the exact
-- test in metres reads them instead of projecting every footprint on every query.
ALTER TABLE buildings ADD COLUMN footprint_utm geometry;
UPDATE buildings b SET footprint_utm = ST_Transform(b.footprint, c.utm_srid) FROM communities c WHERE c.id = b.community_id;
ALTER TABLE buildings ALTER COLUMN footprint_utm SET NOT NULL;
CREATE INDEX buildings_footprint_utm_gix ON buildings USING gist (footprint_utm);

ALTER TABLE key_places ADD COLUMN geom_utm geometry;
UPDATE key_places k SET geom_utm = ST_Transform(k.geom, c.utm_srid) FROM communities c WHERE c.id = k.community_id;
ALTER TABLE key_places ALTER COLUMN geom_utm SET NOT NULL;
CREATE INDEX key_places_geom_utm_gix ON key_places USING gist (geom_utm);

CREATE OR REPLACE FUNCTION sg_set_footprint_utm() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
CREATE OR REPLACE FUNCTION sg_set_key_place_utm() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
CREATE TRIGGER buildings_footprint_utm BEFORE INSERT OR UPDATE OF footprint, community_id ON buildings
  FOR EACH ROW EXECUTE FUNCTION sg_set_footprint_utm();
CREATE TRIGGER key_places_geom_utm BEFORE INSERT OR UPDATE OF geom, community_id ON key_places
  FOR EACH ROW EXECUTE FUNCTION sg_set_key_place_utm();

-- Place and time in one GiST index (a trusted extension; PGlite loads it in server/db/connect.ts).
CREATE EXTENSION IF NOT EXISTS btree_gist;

-- The pieces of each device's track: runs of joined segments (two consecutive plausible points at
-- most 120 s and 200 m apart) cut into short polylines, and the points joined to neither neighbour.
-- geom is in the community's UTM zone (Z = the epoch seconds of each vertex), indexed with t_from so
-- one GiST probe answers "near this building, in this window". day = the Asia/Shanghai day a piece's
-- segments start in (a lone point: its own day); no piece spans more than one hour.
CREATE TABLE track_pieces (
  community_id bigint NOT NULL,
  device_id    text NOT NULL REFERENCES devices (id) ON DELETE CASCADE,
  t_from       timestamptz NOT NULL,
  t_to         timestamptz NOT NULL,
  day          date NOT NULL,
  n            integer NOT NULL CHECK (n >= 1),
  geom         geometry NOT NULL,
  CHECK (t_to >= t_from AND t_to - t_from <= interval '1 hour')
);
CREATE INDEX track_pieces_device_idx ON track_pieces (device_id, t_to);
CREATE INDEX track_pieces_geom_t_gix ON track_pieces USING gist (geom, t_from);

CREATE OR REPLACE FUNCTION sg_track_points_inserted() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$;
CREATE OR REPLACE FUNCTION sg_track_points_deleted() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$;
CREATE TRIGGER track_points_inserted AFTER INSERT ON track_points
  REFERENCING NEW TABLE AS sg_new FOR EACH STATEMENT EXECUTE FUNCTION sg_track_points_inserted();
CREATE TRIGGER track_points_deleted AFTER DELETE ON track_points
  REFERENCING OLD TABLE AS sg_old FOR EACH STATEMENT EXECUTE FUNCTION sg_track_points_deleted();

-- Flagged track points in a window (the leader's list) without reading the plausible ones.
CREATE INDEX track_points_flagged_idx ON track_points (community_id, t) WHERE flag IS NOT NULL;
