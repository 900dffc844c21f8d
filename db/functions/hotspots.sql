-- Hot spots and recurrences (热点分析、防反弹). Reloaded at every start (server/db/migrate.ts); plain SQL
-- functions that run the same on PostgreSQL 15 / PostGIS 3.3 and PGlite.
--
-- The hexagons are those of ST_HexagonGrid(edge, bounds) (PostGIS ≥ 3.1): flat-topped (vertices at
-- the left and right), column i centred at x = 1.5·edge·i, row j at y = √3·edge·(j + ½·(|i| mod 2)),
-- so odd columns sit half a row higher. The grid is anchored at the projection's origin, so the
-- same (i, j) is the same hexagon in every query of the same edge. Coordinates are metres in the
-- community's UTM zone.

-- Row of the hexagon of column p_col nearest to northing p_y.
CREATE OR REPLACE FUNCTION sg_hex_row(p_y double precision, p_edge double precision, p_col integer)
RETURNS integer LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT floor(p_y / (sqrt(3.0) * p_edge) - 0.5 * (abs(p_col) % 2)::double precision + 0.5)::integer
$$;

COMMENT ON FUNCTION sg_hex_row(double precision, double precision, integer) IS
  'Row j of the ST_HexagonGrid(edge) hexagon of column p_col whose centre is nearest to northing p_y.';

-- Squared distance from (p_x, p_y) to the nearest hexagon centre of column p_col.
CREATE OR REPLACE FUNCTION sg_hex_dist2(p_x double precision, p_y double precision, p_edge double precision, p_col integer)
RETURNS double precision LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT (p_x - 1.5 * p_edge * p_col) ^ 2
       + (p_y - sqrt(3.0) * p_edge * (sg_hex_row(p_y, p_edge, p_col) + 0.5 * (abs(p_col) % 2)::double precision)) ^ 2
$$;

COMMENT ON FUNCTION sg_hex_dist2(double precision, double precision, double precision, integer) IS
  'Squared distance (m²) from a point to the nearest ST_HexagonGrid(edge) hexagon centre of column p_col.';

-- Column of the ST_HexagonGrid(p_edge) hexagon holding (p_x, p_y): of the two columns around p_x,
-- the one with the nearer centre (hexagons are the Voronoi cells of their centres). A point on an
-- edge goes to the lower column. The TypeScript twin is hexCellOf in server/domain/gistar.ts.
CREATE OR REPLACE FUNCTION sg_hex_col(p_x double precision, p_y double precision, p_edge double precision)
RETURNS integer LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE
    WHEN sg_hex_dist2(p_x, p_y, p_edge, floor(p_x / (1.5 * p_edge))::integer)
      <= sg_hex_dist2(p_x, p_y, p_edge, floor(p_x / (1.5 * p_edge))::integer + 1)
    THEN floor(p_x / (1.5 * p_edge))::integer
    ELSE floor(p_x / (1.5 * p_edge))::integer + 1
  END
$$;

COMMENT ON FUNCTION sg_hex_col(double precision, double precision, double precision) IS
  'Column i of the ST_HexagonGrid(edge) hexagon holding the point (x, y) in metres; with sg_hex_row(y, edge, i) its row.';

-- The hexagons of edge p_edge (metres) that intersect the community's boundary, in its UTM zone.
CREATE OR REPLACE FUNCTION sg_hex_cells(p_community bigint, p_edge double precision)
RETURNS TABLE (i integer, j integer, geom geometry)
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  WITH b AS MATERIALIZED (
    SELECT ST_Transform(c.boundary, c.utm_srid) AS g FROM communities c WHERE c.id = p_community
  )
  SELECT h.i, h.j, h.geom
  FROM b CROSS JOIN LATERAL ST_HexagonGrid(p_edge, b.g) AS h
  WHERE ST_Intersects(h.geom, b.g)
$$;

COMMENT ON FUNCTION sg_hex_cells(bigint, double precision) IS
  'Flat-topped hexagons (ST_HexagonGrid) of edge p_edge metres covering the community boundary, in its UTM zone, with their column i and row j.';

-- The hazard a new one repeats (防反弹): the latest hazard of the same category in the same
-- community verified within p_radius metres in the p_days days before p_at. The same rule as
-- createHazard (server/queries/hazards.ts), so it can be worked out for any hazard afterwards,
-- the seeded history included.
CREATE OR REPLACE FUNCTION sg_recurrence_of(
  p_id bigint,
  p_community bigint,
  p_category text,
  p_geom geometry,
  p_at timestamptz,
  p_radius double precision DEFAULT 30,
  p_days integer DEFAULT 30
) RETURNS bigint
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT o.id FROM hazards o
  WHERE o.community_id = p_community AND o.category = p_category AND o.status = 'verified'
    AND o.id <> p_id
    AND o.closed_at <= p_at AND o.closed_at > p_at - make_interval(days => p_days)
    -- bbox prefilter in degrees (2 % margin) so the GiST index on geom helps, then the exact test
    AND o.geom && ST_Expand(p_geom, p_radius * 1.02 / (111320.0 * greatest(cos(radians(least(89.0, abs(ST_Y(p_geom)) + 0.01))), 0.01)),
                                    p_radius * 1.02 / 110574.0)
    AND ST_DWithin(o.geom::geography, p_geom::geography, p_radius)
  ORDER BY o.closed_at DESC, o.id DESC
  LIMIT 1
$$;

COMMENT ON FUNCTION sg_recurrence_of(bigint, bigint, text, geometry, timestamptz, double precision, integer) IS
  'The hazard that hazard p_id repeats: latest same-category hazard of the community verified within p_radius m in the p_days days before p_at (null when none).';
