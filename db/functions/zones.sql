-- Responsibility zones (责任网格): which zone a place belonged to at a time.
-- Reloaded at every start (CREATE OR REPLACE); see server/queries/zone-history.ts.

CREATE OR REPLACE FUNCTION zone_at(p_geom geometry, p_community bigint, p_at timestamptz)
RETURNS bigint
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
  SELECT h.zone_id
  FROM zone_history h
  WHERE h.community_id = p_community
    AND h.parent_id IS NULL
    AND h.valid_from <= p_at
    AND (h.valid_to IS NULL OR h.valid_to > p_at)
    AND ST_Intersects(h.geom, p_geom)
  ORDER BY h.zone_id
  LIMIT 1
$$;

COMMENT ON FUNCTION zone_at(geometry, bigint, timestamptz) IS
  'The grid (zones.id, top tier: micro-grids are left out) that covered p_geom in community p_community at time p_at, from zone_history '
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
    AND h.parent_id IS NULL
    AND h.valid_from <= p_at
    AND (h.valid_to IS NULL OR h.valid_to > p_at)
    AND ST_Intersects(h.geom, p_geom)
  ORDER BY h.zone_id
  LIMIT 1
$$;

COMMENT ON FUNCTION zone_history_at(geometry, bigint, timestamptz) IS
  'Like zone_at, but the zone_history row (its id), which carries the zone''s name and assignee then.';

-- The grids (top tier; micro-grids are left out) of the communities in a period [p_from, p_to), as reports and coverage show them
-- (issue #19: reports show what was true). Every zone with a zone_history version valid during the
-- period (zones without any history count as valid throughout), with the name, assignee and
-- geometry of its latest version in the period, `share` = the part of the period so far (up to now)
-- it was in effect (its versions' time, 0..1), `patrolled` = a track piece or a check-in inside one of its versions
-- while that version was valid, and `kept`: whether it is shown — it held a patrol, or a matter
-- (p_held: the zones the period's matters were in, by zone_at), or was in effect for at least half
-- the period, or (p_keep_current) is still in effect at the period's end. A zone drawn and deleted
-- three minutes later, with nothing in it, is not kept.
CREATE OR REPLACE FUNCTION sg_period_zones(
  p_communities bigint[],
  p_from timestamptz,
  p_to timestamptz,
  p_held bigint[] DEFAULT '{}',
  p_keep_current boolean DEFAULT false
) RETURNS TABLE (community_id bigint, zone_id bigint, name text, assignee_id bigint, share double precision,
                 patrolled boolean, kept boolean, geom geometry)
LANGUAGE sql STABLE SET jit = off AS $$
  WITH v AS MATERIALIZED (
    SELECT h.community_id, h.zone_id, h.name, h.assignee_id, h.geom, h.valid_from,
           greatest(h.valid_from, p_from) AS a, least(coalesce(h.valid_to, 'infinity'::timestamptz), p_to, greatest(now(), p_from)) AS b,
           h.valid_to IS NULL OR h.valid_to >= least(p_to, now()) AS at_end
    FROM zone_history h
    WHERE h.community_id = any(p_communities) AND h.parent_id IS NULL AND h.valid_from < p_to AND (h.valid_to IS NULL OR h.valid_to > p_from)
    UNION ALL
    SELECT z.community_id, z.id, z.name, z.assignee_id, z.geom, '-infinity'::timestamptz, p_from, least(p_to, greatest(now(), p_from)), true
    FROM zones z
    WHERE z.community_id = any(p_communities) AND z.parent_id IS NULL AND NOT EXISTS (SELECT 1 FROM zone_history h WHERE h.zone_id = z.id)
  ), vu AS MATERIALIZED (
    SELECT v.*, ST_Transform(v.geom, c.utm_srid) AS g FROM v JOIN communities c ON c.id = v.community_id
  ), patrolled AS MATERIALIZED (
    SELECT DISTINCT vu.zone_id
    FROM vu
    WHERE EXISTS (SELECT 1 FROM track_pieces p
                  WHERE p.geom && vu.g AND p.t_from >= vu.a AND p.t_from < vu.b AND p.community_id = vu.community_id
                    AND ST_Intersects(p.geom, vu.g))
       OR EXISTS (SELECT 1 FROM checkins ci JOIN key_places k ON k.id = ci.key_place_id
                  WHERE ci.community_id = vu.community_id AND ci.t >= vu.a AND ci.t < vu.b AND ST_Covers(vu.geom, k.geom))
  ), per_zone AS (
    SELECT vu.community_id, vu.zone_id,
           (array_agg(vu.name ORDER BY vu.valid_from DESC))[1] AS name,
           (array_agg(vu.assignee_id ORDER BY vu.valid_from DESC))[1] AS assignee_id,
           (array_agg(vu.geom ORDER BY vu.valid_from DESC))[1] AS geom,
           least(1.0, sum(greatest(extract(epoch FROM vu.b - vu.a), 0))
                      / greatest(extract(epoch FROM least(p_to, now()) - p_from), 1e-9))::float8 AS share,
           bool_or(vu.at_end) AS at_end
    FROM vu
    GROUP BY vu.community_id, vu.zone_id
  )
  SELECT z.community_id, z.zone_id, z.name, z.assignee_id, z.share, pt.zone_id IS NOT NULL,
         pt.zone_id IS NOT NULL OR z.zone_id = any(p_held) OR z.share >= 0.5 OR (p_keep_current AND z.at_end),
         z.geom
  FROM per_zone z LEFT JOIN patrolled pt ON pt.zone_id = z.zone_id
$$;

COMMENT ON FUNCTION sg_period_zones(bigint[], timestamptz, timestamptz, bigint[], boolean) IS
  'Zones of the communities in effect during [from, to) (zone_history), each with its latest version in the period, the share of the period it was '
  'in effect, whether a patrol (track piece or check-in) was inside it while valid, and whether a report shows it (patrolled, held a matter, '
  'in effect for at least half the period, or with p_keep_current still in effect at the end).';

-- The zone each building and key place of the communities belonged to during [p_from, p_to),
-- weighted by time: among the zones p_zones, the one whose versions covered its point on surface
-- for the longest part of the period up to now (ties: the lowest id; a zone in effect only from now
-- on weighs nothing but still holds what no other zone did). Places no such zone covered are absent.
CREATE OR REPLACE FUNCTION sg_period_place_zones(p_communities bigint[], p_from timestamptz, p_to timestamptz, p_zones bigint[])
RETURNS TABLE (kind text, id bigint, zone_id bigint)
LANGUAGE sql STABLE SET jit = off AS $$
  WITH v AS MATERIALIZED (
    SELECT h.community_id, h.zone_id, h.geom,
           greatest(extract(epoch FROM least(coalesce(h.valid_to, 'infinity'::timestamptz), p_to, now()) - greatest(h.valid_from, p_from)), 0) AS w
    FROM zone_history h
    WHERE h.community_id = any(p_communities) AND h.zone_id = any(p_zones)
      AND h.valid_from < p_to AND (h.valid_to IS NULL OR h.valid_to > p_from)
    UNION ALL
    SELECT z.community_id, z.id, z.geom, greatest(extract(epoch FROM least(p_to, now()) - p_from), 0)
    FROM zones z
    WHERE z.community_id = any(p_communities) AND z.id = any(p_zones) AND NOT EXISTS (SELECT 1 FROM zone_history h WHERE h.zone_id = z.id)
  ), items AS (
    SELECT 'building'::text AS kind, b.id, b.community_id, ST_PointOnSurface(b.footprint) AS pt
    FROM buildings b WHERE b.community_id = any(p_communities)
    UNION ALL
    SELECT 'key_place'::text, k.id, k.community_id, ST_PointOnSurface(k.geom)
    FROM key_places k WHERE k.community_id = any(p_communities)
  ), weighted AS (
    SELECT i.kind, i.id, v.zone_id, sum(v.w) AS w
    FROM items i JOIN v ON v.community_id = i.community_id AND ST_Covers(v.geom, i.pt)
    GROUP BY i.kind, i.id, v.zone_id
  )
  SELECT DISTINCT ON (w.kind, w.id) w.kind, w.id, w.zone_id
  FROM weighted w
  ORDER BY w.kind, w.id, w.w DESC, w.zone_id
$$;

COMMENT ON FUNCTION sg_period_place_zones(bigint[], timestamptz, timestamptz, bigint[]) IS
  'Per building and key place of the communities: the zone (of p_zones) whose versions covered it for the longest part of [from, to).';
