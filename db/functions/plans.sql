-- Patrol plans and duty (issue 17): what a plan's people covered in its windows, and how far a device
-- walked. Reloaded at every start (server/db/migrate.ts); the same on PostgreSQL 15 / PostGIS 3.3 and PGlite.
-- A track is joined as in the coverage (db/functions/coverage.sql): plausible points only (flag IS NULL),
-- two consecutive points joined when at most 120 s and 200 m apart (UTM), otherwise each stands alone.

-- The segments (and lone points) of the given devices' plausible points inside the windows
-- [p_froms[i], p_tos[i]), in the community's UTM zone, with each segment's length (0 for a point).
CREATE OR REPLACE FUNCTION sg_window_segments(p_community bigint, p_froms timestamptz[], p_tos timestamptz[], p_devices text[])
RETURNS TABLE (device_id text, w integer, geom geometry, length_m double precision)
LANGUAGE sql STABLE SET jit = off AS $$
  WITH win AS (
    SELECT f, t, ord::int AS w FROM unnest(p_froms, p_tos) WITH ORDINALITY AS x(f, t, ord)
  ), pts AS (
    SELECT tp.device_id, win.w, tp.t, ST_Transform(tp.geom, c.utm_srid) AS g
    FROM win
    JOIN track_points tp ON tp.device_id = any(p_devices) AND tp.t >= win.f AND tp.t < win.t AND tp.flag IS NULL
    JOIN communities c ON c.id = tp.community_id
    WHERE tp.community_id = p_community
  ), seq AS (
    SELECT pts.*, lag(pts.t) OVER o AS prev_t, lag(pts.g) OVER o AS prev_g
    FROM pts WINDOW o AS (PARTITION BY pts.device_id, pts.w ORDER BY pts.t)
  ), joined AS (
    SELECT seq.device_id, seq.w, seq.g, seq.prev_g,
           seq.prev_t IS NOT NULL AND seq.t - seq.prev_t <= interval '120 seconds' AND ST_Distance(seq.prev_g, seq.g) <= 200 AS j
    FROM seq
  )
  SELECT joined.device_id, joined.w,
         CASE WHEN joined.j THEN ST_MakeLine(joined.prev_g, joined.g) ELSE joined.g END,
         CASE WHEN joined.j THEN ST_Distance(joined.prev_g, joined.g) ELSE 0 END
  FROM joined
$$;

COMMENT ON FUNCTION sg_window_segments(bigint, timestamptz[], timestamptz[], text[]) IS
  'Joined segments (or lone points) of the devices'' plausible track points inside the windows, UTM, with their lengths in metres.';

-- Each building and key place of the community, visited in one of the windows by the given devices
-- (a track within p_radius metres) or by a check-in of the given people (or devices) at it (a key
-- place) or at one of its key places (a building).
CREATE OR REPLACE FUNCTION sg_plan_visits(
  p_community bigint, p_froms timestamptz[], p_tos timestamptz[], p_radius double precision,
  p_devices text[], p_people bigint[]
) RETURNS TABLE (kind text, id bigint, by_track boolean, by_checkin boolean)
LANGUAGE sql STABLE SET jit = off AS $$
  WITH seg AS MATERIALIZED (
    SELECT s.geom FROM sg_window_segments(p_community, p_froms, p_tos, p_devices) s
  ), near_buildings AS MATERIALIZED (
    -- one index probe per segment (buildings.footprint_utm is GiST-indexed)
    SELECT DISTINCT b.id FROM seg JOIN buildings b ON b.community_id = p_community AND ST_DWithin(b.footprint_utm, seg.geom, p_radius)
  ), near_places AS MATERIALIZED (
    SELECT DISTINCT k.id FROM seg JOIN key_places k ON k.community_id = p_community AND ST_DWithin(k.geom_utm, seg.geom, p_radius)
  ), checked AS MATERIALIZED (
    SELECT DISTINCT ci.key_place_id AS id
    FROM checkins ci JOIN unnest(p_froms, p_tos) AS win(f, t) ON ci.t >= win.f AND ci.t < win.t
    WHERE ci.community_id = p_community AND (ci.person_id = any(p_people) OR ci.device_id = any(p_devices))
  ), checked_buildings AS MATERIALIZED (
    SELECT DISTINCT k.building_id AS id FROM checked JOIN key_places k ON k.id = checked.id WHERE k.building_id IS NOT NULL
  )
  SELECT 'building'::text, b.id, nb.id IS NOT NULL, cb.id IS NOT NULL
  FROM buildings b
  LEFT JOIN near_buildings nb ON nb.id = b.id
  LEFT JOIN checked_buildings cb ON cb.id = b.id
  WHERE b.community_id = p_community
  UNION ALL
  SELECT 'key_place'::text, k.id, np.id IS NOT NULL, ck.id IS NOT NULL
  FROM key_places k
  LEFT JOIN near_places np ON np.id = k.id
  LEFT JOIN checked ck ON ck.id = k.id
  WHERE k.community_id = p_community
$$;

COMMENT ON FUNCTION sg_plan_visits(bigint, timestamptz[], timestamptz[], double precision, text[], bigint[]) IS
  'Each building and key place of the community, visited in the windows by the devices'' tracks (within radius metres, UTM) and/or by check-ins of the people or devices.';

-- Metres walked by a device in [p_from, p_to): the length of its joined plausible segments.
CREATE OR REPLACE FUNCTION sg_device_distance(p_device text, p_from timestamptz, p_to timestamptz)
RETURNS double precision
LANGUAGE sql STABLE SET jit = off AS $$
  SELECT coalesce(sum(s.length_m), 0)::float8
  FROM devices d
  CROSS JOIN LATERAL sg_window_segments(d.community_id, array[p_from], array[p_to], array[p_device]) s
  WHERE d.id = p_device
$$;

COMMENT ON FUNCTION sg_device_distance(text, timestamptz, timestamptz) IS
  'Metres a device walked in [from, to): the summed length of its joined plausible track segments (UTM).';
