-- Patrol coverage (巡逻覆盖): which buildings and key places a patrol came near, from the track
-- pieces (track_pieces, kept up to date at ingest: db/functions/tracks.sql) and the check-ins.
-- Reloaded at every start (server/db/migrate.ts); the same on PostgreSQL 15 / PostGIS 3.3 and PGlite.
--
-- In a window [from, to) a track covers exactly its plausible points in the window and the joined
-- segments with both ends in it. Pieces wholly inside the window are read as stored (an index probe
-- from each building into the GiST index of the pieces on (geom, t_from): near it, and starting in
-- the window); the few pieces reaching over an edge of the window are cut to their points inside it,
-- from the raw points.
-- Distances are metres in the community's UTM zone (buildings.footprint_utm, key_places.geom_utm).

-- The signatures before issue #21 (the join rule as parameters, pieces built per query).
DROP FUNCTION IF EXISTS sg_track_pieces(bigint, timestamptz, timestamptz, double precision, double precision, integer, text);
DROP FUNCTION IF EXISTS sg_coverage_visits(bigint, timestamptz, timestamptz, double precision, double precision, double precision);
DROP FUNCTION IF EXISTS sg_compound_days(bigint, date, integer, double precision, text, double precision, double precision);
DROP FUNCTION IF EXISTS sg_metres_to_degrees(bigint, double precision);
DROP FUNCTION IF EXISTS sg_probe_box(geometry, double precision, timestamptz, timestamptz);

-- A device's plausible points in [p_lo, p_hi] as one polyline (a point when there is one), UTM,
-- Z = epoch seconds; with the time of the first. Only asked for the points of one piece, which are
-- consecutive and joined.
CREATE OR REPLACE FUNCTION sg_track_stretch(p_device text, p_lo timestamptz, p_hi timestamptz)
RETURNS TABLE (t_first timestamptz, geom geometry)
LANGUAGE sql STABLE AS $$
  SELECT min(s.t),
         CASE WHEN count(*) = 1 THEN (array_agg(s.g))[1] ELSE ST_MakeLine(array_agg(s.g ORDER BY s.t)) END
  FROM (
    SELECT tp.t, ST_Force3DZ(ST_Transform(tp.geom, c.utm_srid), extract(epoch FROM tp.t)) AS g
    FROM track_points tp JOIN communities c ON c.id = tp.community_id
    WHERE tp.device_id = p_device AND tp.t >= p_lo AND tp.t <= p_hi AND tp.flag IS NULL
  ) s
  HAVING count(*) > 0
$$;

COMMENT ON FUNCTION sg_track_stretch(text, timestamptz, timestamptz) IS
  'A device''s plausible points in [lo, hi] as a polyline (or a point), UTM with Z = epoch seconds, and the time of the first.';

-- The pieces of the communities' tracks that reach over an edge of [p_from, p_to), cut to their
-- points inside it: (community, local day of the first point inside, geometry). No piece spans more
-- than an hour (sg_track_rule); one index probe per device and edge finds them.
CREATE OR REPLACE FUNCTION sg_track_edges(p_communities bigint[], p_from timestamptz, p_to timestamptz)
RETURNS TABLE (community_id bigint, day date, geom geometry)
LANGUAGE sql STABLE AS $$
  -- A device's pieces do not overlap in time, so the only one that can reach over an instant is the
  -- first to end at or after it.
  SELECT e.community_id, (s.t_first AT TIME ZONE 'Asia/Shanghai')::date, s.geom
  FROM (
    SELECT DISTINCT p.community_id, p.device_id, p.t_from, p.t_to
    FROM devices d
    CROSS JOIN (VALUES (p_from), (p_to)) AS edge(at)
    CROSS JOIN LATERAL (
      SELECT p0.* FROM track_pieces p0 WHERE p0.device_id = d.id AND p0.t_to >= edge.at ORDER BY p0.t_to LIMIT 1
    ) p
    WHERE d.community_id = any(p_communities) AND p.community_id = any(p_communities) AND p.t_from < edge.at
  ) e
  CROSS JOIN LATERAL sg_track_stretch(e.device_id, greatest(e.t_from, p_from), least(e.t_to, p_to - interval '1 microsecond')) s
$$;

COMMENT ON FUNCTION sg_track_edges(bigint[], timestamptz, timestamptz) IS
  'Track pieces of the communities that reach over an edge of [from, to), cut to their points inside it (community, local day of the first point, UTM geometry with Z).';

-- Every building and key place of the communities with whether it was visited in [p_from, p_to): by
-- a track passing within p_radius metres (by_track), by a check-in at it (a key place) or at one of
-- its key places (a building, via key_places.building_id) in the window (by_checkin).
CREATE OR REPLACE FUNCTION sg_coverage_visits(
  p_communities bigint[],
  p_from timestamptz,
  p_to timestamptz,
  p_radius double precision DEFAULT 30
) RETURNS TABLE (community_id bigint, kind text, id bigint, by_track boolean, by_checkin boolean)
LANGUAGE sql STABLE SET jit = off AS $$
  WITH edge AS MATERIALIZED (
    SELECT e.community_id, e.geom FROM sg_track_edges(p_communities, p_from, p_to) e
  ), edge_buildings AS MATERIALIZED (
    SELECT DISTINCT b.id FROM edge e
    JOIN buildings b ON b.community_id = e.community_id AND ST_DWithin(b.footprint_utm, e.geom, p_radius)
  ), edge_places AS MATERIALIZED (
    SELECT DISTINCT k.id FROM edge e
    JOIN key_places k ON k.community_id = e.community_id AND ST_DWithin(k.geom_utm, e.geom, p_radius)
  ), checked AS MATERIALIZED (
    SELECT DISTINCT ci.key_place_id AS id
    FROM checkins ci
    WHERE ci.community_id = any(p_communities) AND ci.t >= p_from AND ci.t < p_to
  ), checked_buildings AS MATERIALIZED (
    SELECT DISTINCT k.building_id AS id FROM checked c JOIN key_places k ON k.id = c.id WHERE k.building_id IS NOT NULL
  )
  SELECT b.community_id, 'building'::text, b.id,
         eb.id IS NOT NULL
           OR EXISTS (SELECT 1 FROM track_pieces p
                      WHERE p.geom && ST_Expand(b.footprint_utm, p_radius) AND p.t_from >= p_from AND p.t_from < p_to
                        AND p.t_to < p_to AND p.community_id = b.community_id
                        AND ST_DWithin(p.geom, b.footprint_utm, p_radius)),
         cb.id IS NOT NULL
  FROM buildings b
  LEFT JOIN edge_buildings eb ON eb.id = b.id
  LEFT JOIN checked_buildings cb ON cb.id = b.id
  WHERE b.community_id = any(p_communities)
  UNION ALL
  SELECT k.community_id, 'key_place'::text, k.id,
         ep.id IS NOT NULL
           OR EXISTS (SELECT 1 FROM track_pieces p
                      WHERE p.geom && ST_Expand(k.geom_utm, p_radius) AND p.t_from >= p_from AND p.t_from < p_to
                        AND p.t_to < p_to AND p.community_id = k.community_id
                        AND ST_DWithin(p.geom, k.geom_utm, p_radius)),
         ck.id IS NOT NULL
  FROM key_places k
  LEFT JOIN edge_places ep ON ep.id = k.id
  LEFT JOIN checked ck ON ck.id = k.id
  WHERE k.community_id = any(p_communities)
$$;

COMMENT ON FUNCTION sg_coverage_visits(bigint[], timestamptz, timestamptz, double precision) IS
  'Each building and key place of the communities, visited in [from, to) by a track within radius metres (UTM; plausible points, '
  'segments joined at most 120 s and 200 m apart) and/or by a check-in (a check-in at a key place also counts for its building).';

-- For each compound of the communities and each Asia/Shanghai day from p_first_day for p_days days:
-- whether it was patrolled — a track piece of that day within p_radius metres of one of its
-- buildings (a segment counts for the day it starts in), or a check-in at one of its key places (a
-- key place of one of its buildings, or lying inside it). One probe per compound and day, against
-- all its buildings at once.
CREATE OR REPLACE FUNCTION sg_compound_days(
  p_communities bigint[],
  p_first_day date,
  p_days integer,
  p_radius double precision DEFAULT 30
) RETURNS TABLE (community_id bigint, compound_id bigint, day date, by_track boolean, by_checkin boolean)
LANGUAGE sql STABLE SET jit = off AS $$
  WITH span AS (
    SELECT (p_first_day::timestamp) AT TIME ZONE 'Asia/Shanghai' AS t0,
           ((p_first_day + p_days)::timestamp) AT TIME ZONE 'Asia/Shanghai' AS t1
  ), days AS (
    SELECT (p_first_day + i) AS day,
           ((p_first_day + i)::timestamp) AT TIME ZONE 'Asia/Shanghai' AS d0,
           ((p_first_day + i + 1)::timestamp) AT TIME ZONE 'Asia/Shanghai' AS d1
    FROM generate_series(0, p_days - 1) AS i
  ), cb AS MATERIALIZED (
    SELECT b.community_id, b.compound_id, ST_Collect(b.footprint_utm) AS g
    FROM buildings b
    WHERE b.community_id = any(p_communities) AND b.compound_id IS NOT NULL
    GROUP BY b.community_id, b.compound_id
  ), edge AS MATERIALIZED (
    SELECT e.community_id, e.day, e.geom FROM span, sg_track_edges(p_communities, span.t0, span.t1) e
  ), tracked AS MATERIALIZED (
    SELECT cb.compound_id, d.day
    FROM cb CROSS JOIN days d CROSS JOIN span
    WHERE EXISTS (SELECT 1 FROM track_pieces p
                  WHERE p.geom && ST_Expand(cb.g, p_radius) AND p.t_from >= d.d0 AND p.t_from < d.d1
                    AND p.t_to < span.t1 AND p.community_id = cb.community_id
                    AND ST_DWithin(p.geom, cb.g, p_radius))
    UNION
    SELECT cb.compound_id, e.day
    FROM edge e JOIN cb ON cb.community_id = e.community_id AND ST_DWithin(cb.g, e.geom, p_radius)
  ), place_compound AS (
    SELECT k.id, coalesce(b.compound_id, (
             SELECT cp.id FROM compounds cp
             WHERE cp.community_id = k.community_id AND ST_Covers(cp.geom, k.geom)
             ORDER BY cp.id LIMIT 1)) AS compound_id
    FROM key_places k LEFT JOIN buildings b ON b.id = k.building_id
    WHERE k.community_id = any(p_communities)
  ), checked AS MATERIALIZED (
    SELECT DISTINCT pc.compound_id, (ci.t AT TIME ZONE 'Asia/Shanghai')::date AS day
    FROM checkins ci JOIN place_compound pc ON pc.id = ci.key_place_id, span
    WHERE ci.community_id = any(p_communities) AND pc.compound_id IS NOT NULL
      AND ci.t >= span.t0 AND ci.t < span.t1
  )
  SELECT cp.community_id, cp.id, d.day, t.compound_id IS NOT NULL, k.compound_id IS NOT NULL
  FROM compounds cp
  CROSS JOIN days d
  LEFT JOIN tracked t ON t.compound_id = cp.id AND t.day = d.day
  LEFT JOIN checked k ON k.compound_id = cp.id AND k.day = d.day
  WHERE cp.community_id = any(p_communities)
$$;

COMMENT ON FUNCTION sg_compound_days(bigint[], date, integer, double precision) IS
  'Per compound of the communities and Asia/Shanghai day: patrolled by a track piece of that day within radius metres of one of its buildings, '
  'and/or by a check-in at one of its key places.';
