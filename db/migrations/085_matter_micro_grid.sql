-- A matter remembers its micro-grid (微网格, issue #14): hazards.micro_zone_id is the micro-grid covering the
-- place where it was reported, beside zone_id (its grid). Filled at create by the dispatch lookup
-- (server/queries/zones.ts dispatchZoneAt); null outside every micro-grid. The foreign key goes through the
-- community key (zones_id_community_key, migration 080), so a matter never points at another community's
-- micro-grid; deleting the micro-grid clears only micro_zone_id.
ALTER TABLE hazards ADD COLUMN micro_zone_id bigint;
ALTER TABLE hazards ADD CONSTRAINT hazards_micro_zone_fk FOREIGN KEY (micro_zone_id, community_id)
  REFERENCES zones (id, community_id) ON DELETE SET NULL (micro_zone_id);
CREATE INDEX hazards_micro_zone_idx ON hazards (micro_zone_id) WHERE micro_zone_id IS NOT NULL;

-- Existing matters: the micro-grid valid at reported_at (zone_history keeps each version with its parent_id),
-- within the matter's grid when it has one, the lowest id where micro-grids overlapped; only micro-grids that
-- still exist (the foreign key).
UPDATE hazards h SET micro_zone_id = (
  SELECT zh.zone_id FROM zone_history zh
  WHERE zh.community_id = h.community_id
    AND zh.parent_id IS NOT NULL
    AND (h.zone_id IS NULL OR zh.parent_id = h.zone_id)
    AND zh.valid_from <= h.reported_at
    AND (zh.valid_to IS NULL OR zh.valid_to > h.reported_at)
    AND ST_Covers(zh.geom, h.geom)
    AND EXISTS (SELECT 1 FROM zones z WHERE z.id = zh.zone_id AND z.community_id = h.community_id)
  ORDER BY zh.zone_id LIMIT 1)
WHERE EXISTS (SELECT 1 FROM zones m WHERE m.community_id = h.community_id AND m.parent_id IS NOT NULL);

-- An escalation sent from the patrol phone's outbox (issue #14) carries the phone's clientId: the same request
-- sent again (no answer came the first time) answers the matter as it is instead of escalating twice.
ALTER TABLE hazard_events ADD COLUMN client_id text;
CREATE UNIQUE INDEX hazard_events_client_uq ON hazard_events (hazard_id, user_id, client_id) WHERE client_id IS NOT NULL;
