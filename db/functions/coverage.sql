-- Patrol coverage (巡逻覆盖): which buildings and key places a patrol came near, from the track
-- points and the check-ins. Reloaded at every start (server/db/migrate.ts); plain SQL functions, so
-- the planner inlines nothing away and they run the same on PostgreSQL 15 / PostGIS 3.3 and PGlite.
--
-- A track is a device's points in time order joined into segments: two consecutive points are
-- joined only if they are at most p_max_gap_s seconds and p_max_gap_m metres apart; a point joined
-- to neither neighbour stands alone. Distances are metres in the community's UTM zone.

-- The pieces of the tracks of a community's devices in [p_from, p_to), in lon/lat and in the
-- community's UTM zone: the joined segments, p_chunk consecutive ones of a run at a time as one
-- polyline (one index probe serves many segments, and the polyline is exactly those segments:
-- nothing is joined that the rule does not join), and the lone points. With p_day_zone,
-- no piece spans a local midnight in that time zone (a segment belongs to the day it starts in).
-- Signature changes need a DROP FUNCTION first (CREATE OR REPLACE cannot change the result type).
DROP FUNCTION IF EXISTS sg_track_pieces(bigint, timestamptz, timestamptz, double precision, double precision);
CREATE OR REPLACE FUNCTION sg_track_pieces(
  p_community bigint,
  p_from timestamptz,
  p_to timestamptz,
  p_max_gap_s double precision DEFAULT 120,
  p_max_gap_m double precision DEFAULT 200,
  p_chunk integer DEFAULT 16,
  p_day_zone text DEFAULT NULL
) RETURNS TABLE (device_id text, t_from timestamptz, t_to timestamptz, geom geometry, geom_utm geometry)
LANGUAGE sql STABLE PARALLEL SAFE
-- The planner's cost guesses for these window queries are huge; compiling them (JIT) costs more than it saves.
SET jit = off
AS $$
  -- Points travel through the window functions as plain UTM coordinates (no geometry copies):
  -- the planar distance of two points is hypot(dx, dy), exactly ST_Distance in the UTM zone.
  WITH srid AS (
    SELECT utm_srid FROM communities WHERE id = p_community
  ), pts AS (
    SELECT u.device_id, u.t, ST_X(u.g) AS x, ST_Y(u.g) AS y
    FROM (SELECT tp.device_id, tp.t, ST_Transform(tp.geom, (SELECT utm_srid FROM srid)) AS g
          FROM track_points tp
          WHERE tp.community_id = p_community AND tp.t >= p_from AND tp.t < p_to
          OFFSET 0) u  -- a fence: project each point once, not once for x and again for y
  ), ordered AS (
    SELECT pts.*,
           lag(pts.t) OVER w AS prev_t, lag(pts.x) OVER w AS prev_x, lag(pts.y) OVER w AS prev_y,
           lead(pts.t) OVER w AS next_t, lead(pts.x) OVER w AS next_x, lead(pts.y) OVER w AS next_y
    FROM pts
    WINDOW w AS (PARTITION BY pts.device_id ORDER BY pts.t)
  ), flagged AS (
    SELECT o.*,
           coalesce(extract(epoch FROM o.t - o.prev_t) <= p_max_gap_s AND sqrt((o.x - o.prev_x) ^ 2 + (o.y - o.prev_y) ^ 2) <= p_max_gap_m, false) AS joined_prev,
           coalesce(extract(epoch FROM o.next_t - o.t) <= p_max_gap_s AND sqrt((o.next_x - o.x) ^ 2 + (o.next_y - o.y) ^ 2) <= p_max_gap_m, false) AS joined_next
    FROM ordered o
  ), runs AS (
    SELECT f.*, sum(CASE WHEN f.joined_prev THEN 0 ELSE 1 END) OVER (PARTITION BY f.device_id ORDER BY f.t) AS run,
           CASE WHEN p_day_zone IS NULL THEN NULL ELSE (f.prev_t AT TIME ZONE p_day_zone)::date END AS day
    FROM flagged f
  ), segs AS (
    SELECT r.device_id, r.run, r.day, r.prev_t, r.prev_x, r.prev_y, r.t, r.x, r.y,
           (row_number() OVER (PARTITION BY r.device_id, r.run, r.day ORDER BY r.t) - 1) / greatest(p_chunk, 1) AS chunk
    FROM runs r WHERE r.joined_prev
  ), chunks AS (
    -- Consecutive joined segments of one run: one polyline, the first segment's start, then every end.
    SELECT s.device_id, min(s.prev_t) AS t_from, max(s.t) AS t_to,
           ST_SetSRID(ST_MakeLine(array_prepend(
             ST_MakePoint((array_agg(s.prev_x ORDER BY s.t))[1], (array_agg(s.prev_y ORDER BY s.t))[1]),
             array_agg(ST_MakePoint(s.x, s.y) ORDER BY s.t))), (SELECT utm_srid FROM srid)) AS g
    FROM segs s
    GROUP BY s.device_id, s.run, s.day, s.chunk
  )
  SELECT ch.device_id, ch.t_from, ch.t_to, ST_Transform(ch.g, 4326), ch.g
  FROM chunks ch
  UNION ALL
  SELECT f.device_id, f.t, f.t, ST_Transform(u.g, 4326), u.g
  FROM flagged f
  CROSS JOIN LATERAL (SELECT ST_SetSRID(ST_MakePoint(f.x, f.y), (SELECT utm_srid FROM srid)) AS g) u
  WHERE NOT f.joined_prev AND NOT f.joined_next
$$;

COMMENT ON FUNCTION sg_track_pieces(bigint, timestamptz, timestamptz, double precision, double precision, integer, text) IS
  'Track pieces of a community''s devices in [from, to): the segments joining consecutive points at most max_gap_s seconds and max_gap_m metres (UTM) apart, p_chunk consecutive ones of a run at a time as one polyline, and the lone points. geom is lon/lat, geom_utm the community''s UTM zone; with p_day_zone no piece spans a local midnight.';

-- Half-sizes (degrees of lon, lat) of a box that holds every point within p_radius metres of a
-- point of the community: the prefilter that lets the GiST indexes on lon/lat geometry work
-- before the exact test in metres. 2 % margin for the UTM scale error and rounding.
CREATE OR REPLACE FUNCTION sg_metres_to_degrees(p_community bigint, p_radius double precision)
RETURNS TABLE (dx double precision, dy double precision)
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT p_radius * 1.02 / (111320.0 * greatest(cos(radians(least(89.0, greatest(abs(ST_YMin(c.boundary)), abs(ST_YMax(c.boundary))) + 0.01))), 0.01)),
         p_radius * 1.02 / 110574.0
  FROM communities c WHERE c.id = p_community
$$;

COMMENT ON FUNCTION sg_metres_to_degrees(bigint, double precision) IS
  'Degrees of longitude and latitude that surely cover p_radius metres anywhere in the community (bbox prefilter before the metric test).';

-- Every building and key place of a community with whether it was visited in [p_from, p_to):
-- by_track when a track piece passes within p_radius metres of it (UTM), by_checkin when a
-- check-in at it (a key place) or at one of its key places (a building, via key_places.building_id)
-- falls in the window.
CREATE OR REPLACE FUNCTION sg_coverage_visits(
  p_community bigint,
  p_from timestamptz,
  p_to timestamptz,
  p_radius double precision DEFAULT 30,
  p_max_gap_s double precision DEFAULT 120,
  p_max_gap_m double precision DEFAULT 200
) RETURNS TABLE (kind text, id bigint, by_track boolean, by_checkin boolean)
LANGUAGE sql STABLE SET jit = off AS $$
  WITH c AS (
    SELECT cc.utm_srid, d.dx, d.dy
    FROM communities cc, sg_metres_to_degrees(p_community, p_radius) d
    WHERE cc.id = p_community
  ), pieces AS MATERIALIZED (
    SELECT p.geom, p.geom_utm FROM sg_track_pieces(p_community, p_from, p_to, p_max_gap_s, p_max_gap_m) p
  ), building_pairs AS MATERIALIZED (
    -- Candidates: an index probe on buildings.footprint per piece (lon/lat box grown by the radius).
    SELECT b.id, p.geom_utm
    FROM pieces p CROSS JOIN c
    JOIN buildings b ON b.community_id = p_community AND b.footprint && ST_Expand(p.geom, c.dx, c.dy)
  ), place_pairs AS MATERIALIZED (
    SELECT k.id, p.geom_utm
    FROM pieces p CROSS JOIN c
    JOIN key_places k ON k.community_id = p_community AND k.geom && ST_Expand(p.geom, c.dx, c.dy)
  ), near_buildings AS (
    -- The exact test in metres, on footprints projected once; a semi join stops at a building's first hit.
    SELECT b.id
    FROM (SELECT b0.id, ST_Transform(b0.footprint, c.utm_srid) AS g
          FROM buildings b0 CROSS JOIN c
          WHERE b0.community_id = p_community AND b0.id IN (SELECT bp.id FROM building_pairs bp)) b
    WHERE EXISTS (SELECT 1 FROM building_pairs bp WHERE bp.id = b.id AND ST_DWithin(bp.geom_utm, b.g, p_radius))
  ), near_places AS (
    SELECT k.id
    FROM (SELECT k0.id, ST_Transform(k0.geom, c.utm_srid) AS g
          FROM key_places k0 CROSS JOIN c
          WHERE k0.community_id = p_community AND k0.id IN (SELECT pp.id FROM place_pairs pp)) k
    WHERE EXISTS (SELECT 1 FROM place_pairs pp WHERE pp.id = k.id AND ST_DWithin(pp.geom_utm, k.g, p_radius))
  ), checked_places AS (
    SELECT DISTINCT ci.key_place_id AS id
    FROM checkins ci
    WHERE ci.community_id = p_community AND ci.t >= p_from AND ci.t < p_to
  )
  SELECT 'building'::text, b.id,
         EXISTS (SELECT 1 FROM near_buildings n WHERE n.id = b.id),
         EXISTS (SELECT 1 FROM checked_places cp JOIN key_places k ON k.id = cp.id WHERE k.building_id = b.id)
  FROM buildings b WHERE b.community_id = p_community
  UNION ALL
  SELECT 'key_place'::text, k.id,
         EXISTS (SELECT 1 FROM near_places n WHERE n.id = k.id),
         EXISTS (SELECT 1 FROM checked_places cp WHERE cp.id = k.id)
  FROM key_places k WHERE k.community_id = p_community
$$;

COMMENT ON FUNCTION sg_coverage_visits(bigint, timestamptz, timestamptz, double precision, double precision, double precision) IS
  'Each building and key place of a community, visited in [from, to) by a track piece within radius metres (UTM) and/or by a check-in (a check-in at a key place also counts for its building).';

-- For each compound of a community and each Asia/Shanghai day from p_first_day for p_days days:
-- whether it was patrolled — a track piece within p_radius metres of one of its buildings, or a
-- check-in at one of its key places (a key place of one of its buildings, or lying inside it).
-- A segment counts for the day its first point falls in.
CREATE OR REPLACE FUNCTION sg_compound_days(
  p_community bigint,
  p_first_day date,
  p_days integer,
  p_radius double precision DEFAULT 30,
  p_time_zone text DEFAULT 'Asia/Shanghai',
  p_max_gap_s double precision DEFAULT 120,
  p_max_gap_m double precision DEFAULT 200
) RETURNS TABLE (compound_id bigint, day date, by_track boolean, by_checkin boolean)
LANGUAGE sql STABLE SET jit = off AS $$
  WITH c AS (
    SELECT cc.utm_srid, d.dx, d.dy
    FROM communities cc, sg_metres_to_degrees(p_community, p_radius) d
    WHERE cc.id = p_community
  ), pieces AS MATERIALIZED (
    SELECT (p.t_from AT TIME ZONE p_time_zone)::date AS day, p.geom, p.geom_utm
    FROM sg_track_pieces(p_community,
                         (p_first_day::timestamp) AT TIME ZONE p_time_zone,
                         ((p_first_day + p_days)::timestamp) AT TIME ZONE p_time_zone,
                         p_max_gap_s, p_max_gap_m, 16, p_time_zone) p
  ), pairs AS MATERIALIZED (
    SELECT b.id, b.compound_id, p.day, p.geom_utm
    FROM pieces p
    CROSS JOIN c
    JOIN buildings b ON b.community_id = p_community AND b.compound_id IS NOT NULL
                    AND b.footprint && ST_Expand(p.geom, c.dx, c.dy)
  ), projected AS MATERIALIZED (
    SELECT b.id, ST_Transform(b.footprint, c.utm_srid) AS g
    FROM buildings b CROSS JOIN c
    WHERE b.community_id = p_community AND b.id IN (SELECT pr.id FROM pairs pr)
  ), tracked AS (
    -- Per (compound, day), stop at the first piece within the radius of one of its buildings.
    SELECT cd.compound_id, cd.day
    FROM (SELECT DISTINCT pr.compound_id, pr.day FROM pairs pr) cd
    WHERE EXISTS (SELECT 1 FROM pairs pr JOIN projected pj ON pj.id = pr.id
                  WHERE pr.compound_id = cd.compound_id AND pr.day = cd.day AND ST_DWithin(pr.geom_utm, pj.g, p_radius))
  ), place_compound AS (
    SELECT k.id, coalesce(b.compound_id, (
             SELECT cp.id FROM compounds cp
             WHERE cp.community_id = p_community AND ST_Covers(cp.geom, k.geom)
             ORDER BY cp.id LIMIT 1)) AS compound_id
    FROM key_places k LEFT JOIN buildings b ON b.id = k.building_id
    WHERE k.community_id = p_community
  ), checked AS (
    SELECT DISTINCT pc.compound_id, (ci.t AT TIME ZONE p_time_zone)::date AS day
    FROM checkins ci JOIN place_compound pc ON pc.id = ci.key_place_id
    WHERE ci.community_id = p_community AND pc.compound_id IS NOT NULL
      AND ci.t >= (p_first_day::timestamp) AT TIME ZONE p_time_zone
      AND ci.t < ((p_first_day + p_days)::timestamp) AT TIME ZONE p_time_zone
  ), days AS (
    SELECT (p_first_day + i)::date AS day FROM generate_series(0, p_days - 1) AS i
  )
  SELECT cp.id, d.day,
         EXISTS (SELECT 1 FROM tracked t WHERE t.compound_id = cp.id AND t.day = d.day),
         EXISTS (SELECT 1 FROM checked k WHERE k.compound_id = cp.id AND k.day = d.day)
  FROM compounds cp CROSS JOIN days d
  WHERE cp.community_id = p_community
$$;

COMMENT ON FUNCTION sg_compound_days(bigint, date, integer, double precision, text, double precision, double precision) IS
  'Per compound and local day (time zone, default Asia/Shanghai): patrolled by a track piece within radius metres of one of its buildings, and/or by a check-in at one of its key places.';
