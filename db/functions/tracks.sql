-- Patrol tracks at ingest (issue #18 item 6, #21): which points are physically impossible
-- (track_points.flag), and the pieces coverage reads (track_pieces), both kept up to date by
-- statement-level triggers on track_points, so every writer — the API, the seeds, a bulk COPY — gets
-- them. Reloaded at every start (CREATE OR REPLACE); server/domain/tracks.ts holds the same numbers.
--
-- The joining rule (the contract's): two consecutive plausible points of a device are joined into a
-- segment when at most 120 s and 200 m (community UTM zone) apart; a point joined to neither
-- neighbour stands alone. Flagged points are left out, as if never sent.

-- The rule's numbers, for the application to check that it agrees (tests/tracks-pieces.test.ts).
CREATE OR REPLACE FUNCTION sg_track_rule()
RETURNS TABLE (max_gap_s double precision, max_gap_m double precision, noise_m double precision, max_speed_ms double precision,
               chunk_m double precision, chunk_vertices integer, max_piece_span interval)
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT 120::float8, 200::float8, 20::float8, 10::float8, 100::float8, 30, interval '1 hour'
$$;

COMMENT ON FUNCTION sg_track_rule() IS
  'The track rule: join at most max_gap_s seconds and max_gap_m metres apart; a hop is impossible when (distance - noise_m) / seconds > max_speed_ms; '
  'pieces are cut after chunk_m metres or chunk_vertices vertices and never span more than max_piece_span.';

-- Per device, the flag each point in [p_from, p_to] should carry, from its two neighbours each way
-- (any flag). A hop is impossible when it needs more than 36 km/h beyond 20 m of GPS error.
--   'speed N km/h'       the hop in and the hop out are both impossible: a spike, or moving too fast;
--   'teleport D m in S s' the hop in is impossible, the hop out is not, and the point is not back near
--                        where the track was before the hop (a jump that stays).
-- The point after a spike (back where the track was) is plausible.
CREATE OR REPLACE FUNCTION sg_track_flags(p_device text, p_from timestamptz, p_to timestamptz)
RETURNS TABLE (t timestamptz, flag text)
LANGUAGE sql STABLE SET jit = off AS $$
  WITH r AS (SELECT * FROM sg_track_rule()),
  bounds AS (
    SELECT coalesce((SELECT min(x.t) FROM (SELECT tp.t FROM track_points tp WHERE tp.device_id = p_device AND tp.t < p_from ORDER BY tp.t DESC LIMIT 2) x), p_from) AS a,
           coalesce((SELECT max(x.t) FROM (SELECT tp.t FROM track_points tp WHERE tp.device_id = p_device AND tp.t > p_to ORDER BY tp.t LIMIT 2) x), p_to) AS b
  ), pts AS (
    SELECT tp.t, ST_X(u.g) AS x, ST_Y(u.g) AS y
    FROM bounds, track_points tp
    JOIN communities c ON c.id = tp.community_id
    CROSS JOIN LATERAL (SELECT ST_Transform(tp.geom, c.utm_srid) AS g OFFSET 0) u
    WHERE tp.device_id = p_device AND tp.t >= bounds.a AND tp.t <= bounds.b
  ), hops AS (
    SELECT p.t,
           sqrt((p.x - lag(p.x) OVER w) ^ 2 + (p.y - lag(p.y) OVER w) ^ 2) AS d_in,
           greatest(extract(epoch FROM p.t - lag(p.t) OVER w), 0.001) AS s_in,
           sqrt((lead(p.x) OVER w - p.x) ^ 2 + (lead(p.y) OVER w - p.y) ^ 2) AS d_out,
           greatest(extract(epoch FROM lead(p.t) OVER w - p.t), 0.001) AS s_out,
           sqrt((p.x - lag(p.x, 2) OVER w) ^ 2 + (p.y - lag(p.y, 2) OVER w) ^ 2) AS d_back,
           greatest(extract(epoch FROM p.t - lag(p.t, 2) OVER w), 0.001) AS s_back
    FROM pts p
    WINDOW w AS (ORDER BY p.t)
  ), judged AS (
    SELECT h.*,
           coalesce(h.d_in > r.noise_m AND (h.d_in - r.noise_m) / h.s_in > r.max_speed_ms, false) AS bad_in,
           coalesce(h.d_out > r.noise_m AND (h.d_out - r.noise_m) / h.s_out > r.max_speed_ms, false) AS bad_out,
           coalesce(NOT (h.d_back > r.noise_m AND (h.d_back - r.noise_m) / h.s_back > r.max_speed_ms), false) AS back_ok
    FROM hops h, r
  )
  SELECT j.t,
         CASE
           WHEN j.bad_in AND j.bad_out THEN 'speed ' || round(j.d_in / j.s_in * 3.6)::bigint || ' km/h'
           WHEN j.bad_in AND NOT j.back_ok THEN 'teleport ' || round(j.d_in)::bigint || ' m in ' || round(j.s_in)::bigint || ' s'
         END
  FROM judged j
  WHERE j.t >= p_from AND j.t <= p_to
  ORDER BY j.t
$$;

COMMENT ON FUNCTION sg_track_flags(text, timestamptz, timestamptz) IS
  'The flag (NULL = plausible) each point of a device in [from, to] should carry: ''speed N km/h'' when the hops in and out both need more than '
  'max_speed_ms beyond noise_m of GPS error, ''teleport D m in S s'' when only the hop in does and the point is not back near the point before it.';

-- The pieces of one device's plausible points in [p_from, p_to]: each joined segment with both ends in
-- the range, chunked, and each point in the range joined to neither neighbour. The neighbours just
-- outside the range decide whether its first and last points are joined, so a range rebuilt next to
-- kept pieces fits them exactly. Single pass in time order (the primary key): window functions for
-- the neighbours, running sums (ROWS frames) for the chunks, one ordered aggregate per chunk. A chunk
-- is cut at a run break, at local midnight (Asia/Shanghai: a segment belongs to the day it starts in),
-- every chunk_m metres of length, and every chunk_vertices vertices.
CREATE OR REPLACE FUNCTION sg_build_track_pieces(p_device text, p_from timestamptz, p_to timestamptz)
RETURNS TABLE (community_id bigint, device_id text, t_from timestamptz, t_to timestamptz, day date, n integer, geom geometry)
LANGUAGE sql STABLE SET jit = off AS $$
  WITH r AS (SELECT * FROM sg_track_rule()),
  bounds AS (
    SELECT coalesce((SELECT max(tp.t) FROM track_points tp WHERE tp.device_id = p_device AND tp.t < p_from AND tp.flag IS NULL), p_from) AS a,
           coalesce((SELECT min(tp.t) FROM track_points tp WHERE tp.device_id = p_device AND tp.t > p_to AND tp.flag IS NULL), p_to) AS b
  ), pts AS (
    SELECT tp.community_id AS cid, c.utm_srid AS srid, tp.t, ST_X(u.g) AS x, ST_Y(u.g) AS y, extract(epoch FROM tp.t) AS z
    FROM bounds, track_points tp
    JOIN communities c ON c.id = tp.community_id
    CROSS JOIN LATERAL (SELECT ST_Transform(tp.geom, c.utm_srid) AS g OFFSET 0) u
    WHERE tp.device_id = p_device AND tp.t >= bounds.a AND tp.t <= bounds.b AND tp.flag IS NULL
  ), nb AS (
    SELECT p.*,
           lag(p.t) OVER w AS pt, lag(p.x) OVER w AS px, lag(p.y) OVER w AS py, lag(p.z) OVER w AS pz, lag(p.cid) OVER w AS pcid,
           lead(p.t) OVER w AS nt, lead(p.x) OVER w AS nx, lead(p.y) OVER w AS ny, lead(p.cid) OVER w AS ncid
    FROM pts p
    WINDOW w AS (ORDER BY p.t)
  ), joined AS (
    SELECT nb.*,
           coalesce(nb.pcid = nb.cid AND nb.t - nb.pt <= make_interval(secs => r.max_gap_s)
                    AND (nb.x - nb.px) ^ 2 + (nb.y - nb.py) ^ 2 <= r.max_gap_m ^ 2, false) AS jp,
           coalesce(nb.ncid = nb.cid AND nb.nt - nb.t <= make_interval(secs => r.max_gap_s)
                    AND (nb.nx - nb.x) ^ 2 + (nb.ny - nb.y) ^ 2 <= r.max_gap_m ^ 2, false) AS jn
    FROM nb, r
  ), segs AS (
    -- A joined segment, named by its end point; day = the local day of its start.
    SELECT j.cid, j.srid, j.pt, j.px, j.py, j.pz, j.t, j.x, j.y, j.z,
           (j.pt AT TIME ZONE 'Asia/Shanghai')::date AS day,
           sqrt((j.x - j.px) ^ 2 + (j.y - j.py) ^ 2) AS len,
           lag(j.t) OVER w AS prev_end
    FROM joined j
    WHERE j.jp AND j.pt >= p_from AND j.t <= p_to
    WINDOW w AS (ORDER BY j.t)
  ), measured AS (
    SELECT s.*,
           sum(s.len) OVER w - s.len AS len_before,
           row_number() OVER w AS k
    FROM segs s
    WINDOW w AS (ORDER BY s.t ROWS UNBOUNDED PRECEDING)
  ), cut AS (
    SELECT m.*,
           coalesce(m.prev_end IS DISTINCT FROM m.pt
                    OR lag(m.day) OVER w <> m.day
                    OR lag(floor(m.len_before / r.chunk_m)) OVER w <> floor(m.len_before / r.chunk_m)
                    OR (m.k - 1) % (r.chunk_vertices - 1) = 0, true) AS first
    FROM measured m, r
    WINDOW w AS (ORDER BY m.t)
  ), chunked AS (
    SELECT c.*, sum(CASE WHEN c.first THEN 1 ELSE 0 END) OVER (ORDER BY c.t ROWS UNBOUNDED PRECEDING) AS chunk
    FROM cut c
  )
  SELECT min(ch.cid), p_device, min(ch.pt), max(ch.t), min(ch.day), count(*)::int + 1,
         ST_SetSRID(ST_MakeLine(array_agg(v.g ORDER BY v.t)), min(ch.srid))
  FROM chunked ch
  CROSS JOIN LATERAL (
    SELECT ST_MakePoint(ch.x, ch.y, ch.z) AS g, ch.t
    UNION ALL
    SELECT ST_MakePoint(ch.px, ch.py, ch.pz), ch.pt WHERE ch.first
  ) v
  GROUP BY ch.chunk
  UNION ALL
  SELECT j.cid, p_device, j.t, j.t, (j.t AT TIME ZONE 'Asia/Shanghai')::date, 1, ST_SetSRID(ST_MakePoint(j.x, j.y, j.z), j.srid)
  FROM joined j
  WHERE NOT j.jp AND NOT j.jn AND j.t >= p_from AND j.t <= p_to
$$;

COMMENT ON FUNCTION sg_build_track_pieces(text, timestamptz, timestamptz) IS
  'The track pieces of a device''s plausible points in [from, to] (see track_pieces): chunked joined segments with both ends in the range, '
  'and the points joined to neither neighbour (the points just outside the range count as neighbours). Geometry in the community''s UTM zone, Z = epoch seconds.';

-- Bring a device's flags and pieces up to date after points in [p_lo, p_hi] were added or removed.
--   1. Flags: the points from two before p_lo to two after p_hi (their neighbours changed).
--   2. Pieces: every piece touching the stretch between the plausible points just outside what
--      changed is dropped and that stretch rebuilt; the pieces around it stay as they are.
-- A transaction-scoped advisory lock per device keeps two uploads of one device from interleaving.
CREATE OR REPLACE FUNCTION sg_track_refresh(p_device text, p_lo timestamptz, p_hi timestamptz)
RETURNS void
LANGUAGE plpgsql SET jit = off AS $$
DECLARE
  a0 timestamptz;
  b0 timestamptz;
  a1 timestamptz;
  b1 timestamptz;
  lo timestamptz;
  hi timestamptz;
BEGIN
  PERFORM pg_advisory_xact_lock(hashtextextended('sg_track:' || p_device, 0));
  a0 := coalesce((SELECT min(x.t) FROM (SELECT tp.t FROM track_points tp WHERE tp.device_id = p_device AND tp.t < p_lo ORDER BY tp.t DESC LIMIT 2) x), p_lo);
  b0 := coalesce((SELECT max(x.t) FROM (SELECT tp.t FROM track_points tp WHERE tp.device_id = p_device AND tp.t > p_hi ORDER BY tp.t LIMIT 2) x), p_hi);
  UPDATE track_points tp SET flag = f.flag
  FROM sg_track_flags(p_device, a0, b0) f
  WHERE tp.device_id = p_device AND tp.t = f.t AND tp.flag IS DISTINCT FROM f.flag;

  a1 := coalesce((SELECT max(tp.t) FROM track_points tp WHERE tp.device_id = p_device AND tp.t < a0 AND tp.flag IS NULL), '-infinity');
  b1 := coalesce((SELECT min(tp.t) FROM track_points tp WHERE tp.device_id = p_device AND tp.t > b0 AND tp.flag IS NULL), 'infinity');
  WITH gone AS (
    DELETE FROM track_pieces p WHERE p.device_id = p_device AND p.t_to >= a1 AND p.t_from <= b1
    RETURNING p.t_from, p.t_to
  )
  SELECT least(a1, min(gone.t_from)), greatest(b1, max(gone.t_to)) INTO lo, hi FROM gone;
  INSERT INTO track_pieces (community_id, device_id, t_from, t_to, day, n, geom)
  SELECT * FROM sg_build_track_pieces(p_device, lo, hi);
END
$$;

COMMENT ON FUNCTION sg_track_refresh(text, timestamptz, timestamptz) IS
  'Recompute the flags and rebuild the pieces of a device around points added or removed in [lo, hi] (late and out-of-order points re-judge their neighbours).';

CREATE OR REPLACE FUNCTION sg_track_points_inserted() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  d record;
BEGIN
  FOR d IN SELECT n.device_id, min(n.t) AS lo, max(n.t) AS hi FROM sg_new n GROUP BY n.device_id ORDER BY n.device_id LOOP
    PERFORM sg_track_refresh(d.device_id, d.lo, d.hi);
  END LOOP;
  RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION sg_track_points_deleted() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  d record;
BEGIN
  FOR d IN SELECT o.device_id, min(o.t) AS lo, max(o.t) AS hi FROM sg_old o GROUP BY o.device_id ORDER BY o.device_id LOOP
    PERFORM sg_track_refresh(d.device_id, d.lo, d.hi);
  END LOOP;
  RETURN NULL;
END
$$;

COMMENT ON FUNCTION sg_track_points_inserted() IS 'After an INSERT into track_points: sg_track_refresh per device over the new points'' times.';
COMMENT ON FUNCTION sg_track_points_deleted() IS 'After a DELETE from track_points: sg_track_refresh per device over the removed points'' times.';

-- Buildings and key places keep their geometry in the community's UTM zone.
CREATE OR REPLACE FUNCTION sg_set_footprint_utm() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  NEW.footprint_utm := ST_Transform(NEW.footprint, (SELECT c.utm_srid FROM communities c WHERE c.id = NEW.community_id));
  RETURN NEW;
END
$$;

CREATE OR REPLACE FUNCTION sg_set_key_place_utm() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  NEW.geom_utm := ST_Transform(NEW.geom, (SELECT c.utm_srid FROM communities c WHERE c.id = NEW.community_id));
  RETURN NEW;
END
$$;

COMMENT ON FUNCTION sg_set_footprint_utm() IS 'Before a building is written: footprint_utm = footprint in the community''s UTM zone.';
COMMENT ON FUNCTION sg_set_key_place_utm() IS 'Before a key place is written: geom_utm = geom in the community''s UTM zone.';

-- Rebuild every flag and piece (a new database, or a new version of the rule above).
CREATE OR REPLACE FUNCTION sg_track_rebuild_all() RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  d record;
BEGIN
  TRUNCATE track_pieces;
  FOR d IN SELECT DISTINCT tp.device_id FROM track_points tp ORDER BY 1 LOOP
    PERFORM sg_track_refresh(d.device_id, '-infinity', 'infinity');
  END LOOP;
END
$$;

COMMENT ON FUNCTION sg_track_rebuild_all() IS 'Recompute every track point''s flag and rebuild all track pieces.';

-- Pieces built by an older rule (or none yet, after migration 040): rebuild once.
DO $$
BEGIN
  IF (SELECT s.value FROM settings s WHERE s.key = 'track_pieces_rule') IS DISTINCT FROM '"1"'::jsonb THEN
    PERFORM sg_track_rebuild_all();
    INSERT INTO settings (key, value) VALUES ('track_pieces_rule', '"1"'::jsonb)
    ON CONFLICT (key) DO UPDATE SET value = excluded.value;
  END IF;
END
$$;
