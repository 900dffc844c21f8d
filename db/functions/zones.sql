-- Responsibility zones (责任网格): which zone a place belonged to at a time.
-- Reloaded at every start (CREATE OR REPLACE); see server/queries/zone-history.ts.

CREATE OR REPLACE FUNCTION zone_at(p_geom geometry, p_community bigint, p_at timestamptz)
RETURNS bigint
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
  SELECT h.zone_id
  FROM zone_history h
  WHERE h.community_id = p_community
    AND h.valid_from <= p_at
    AND (h.valid_to IS NULL OR h.valid_to > p_at)
    AND ST_Intersects(h.geom, p_geom)
  ORDER BY h.zone_id
  LIMIT 1
$$;

COMMENT ON FUNCTION zone_at(geometry, bigint, timestamptz) IS
  'The zone (zones.id) that covered p_geom in community p_community at time p_at, from zone_history '
  '(the version valid then: valid_from <= p_at < valid_to). Where zones overlapped, the lowest id. '
  'NULL when no zone covered it. Statistics by zone use this so redrawing a zone today never changes '
  'last month''s figures.';

CREATE OR REPLACE FUNCTION zone_history_at(p_geom geometry, p_community bigint, p_at timestamptz)
RETURNS bigint
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
  SELECT h.id
  FROM zone_history h
  WHERE h.community_id = p_community
    AND h.valid_from <= p_at
    AND (h.valid_to IS NULL OR h.valid_to > p_at)
    AND ST_Intersects(h.geom, p_geom)
  ORDER BY h.zone_id
  LIMIT 1
$$;

COMMENT ON FUNCTION zone_history_at(geometry, bigint, timestamptz) IS
  'Like zone_at, but the zone_history row (its id), which carries the zone''s name and assignee then.';
