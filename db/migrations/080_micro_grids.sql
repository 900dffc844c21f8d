-- Micro-grids (微网格, issue #14): a zone may nest in a grid of the same community (zones.parent_id).
-- Two tiers only: a micro-grid's parent is a top-level grid, and a grid holding micro-grids is not itself
-- a micro-grid. The API checks this first (server/queries/zones.ts, 422 with the reason); the foreign key
-- and the trigger below keep the table honest against any other writer. Deleting a grid that still holds
-- micro-grids is refused (the route answers 409; the foreign key refuses it too).
ALTER TABLE zones ADD CONSTRAINT zones_id_community_key UNIQUE (id, community_id);
ALTER TABLE zones ADD COLUMN parent_id bigint;
ALTER TABLE zones ADD CONSTRAINT zones_parent_fk FOREIGN KEY (parent_id, community_id) REFERENCES zones (id, community_id);
ALTER TABLE zones ADD CONSTRAINT zones_parent_not_self CHECK (parent_id IS NULL OR parent_id <> id);
CREATE INDEX zones_parent_idx ON zones (parent_id) WHERE parent_id IS NOT NULL;

CREATE OR REPLACE FUNCTION sg_zone_two_tiers() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.parent_id IS NOT NULL THEN
    IF EXISTS (SELECT 1 FROM zones p WHERE p.id = NEW.parent_id AND p.parent_id IS NOT NULL) THEN
      RAISE EXCEPTION 'zone %: its parent % is itself a micro-grid', NEW.id, NEW.parent_id USING ERRCODE = 'check_violation';
    END IF;
    IF EXISTS (SELECT 1 FROM zones c WHERE c.parent_id = NEW.id) THEN
      RAISE EXCEPTION 'zone % holds micro-grids and cannot become one', NEW.id USING ERRCODE = 'check_violation';
    END IF;
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER zones_two_tiers BEFORE INSERT OR UPDATE OF parent_id ON zones FOR EACH ROW EXECUTE FUNCTION sg_zone_two_tiers();

-- The tier of each version, so statistics by zone (zone_at) and reports keep counting grids.
ALTER TABLE zone_history ADD COLUMN parent_id bigint;
