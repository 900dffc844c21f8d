-- Vector tiles (GET /api/tiles/:layer/:z/:x/:y.mvt): the geometry half of a tile.
-- Reloaded at every start (CREATE OR REPLACE); see server/queries/tiles.ts.
--
-- Why not ST_AsMVTGeom: PGlite's PostGIS is built without protobuf-c, and there ST_AsMVTGeom fails
-- like ST_AsMVT ('Compiled without protobuf-c support'). This function does the same work with
-- functions both backends have, so the embedded database (which encodes the tile in Node) and a
-- real PostGIS (which encodes it with ST_AsMVT) put exactly the same geometry into the tile.

CREATE OR REPLACE FUNCTION safegrid_tile_geom(
  g geometry, z integer, x integer, y integer, extent integer DEFAULT 4096, buffer integer DEFAULT 64)
RETURNS geometry
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
AS $$
DECLARE
  -- The Web Mercator square (EPSG:3857) and the tile's place in it, as ST_TileEnvelope has them.
  size  float8 := 40075016.685578488 / (2.0::float8 ^ z);
  xmin  float8 := -20037508.342789244 + x * size;
  ymax  float8 := 20037508.342789244 - y * size;
  f     float8 := extent / size;
  dim   integer := ST_Dimension(g);
  lo    float8 := -buffer;
  hi    float8 := extent + buffer;
  t     geometry;
BEGIN
  -- Into tile space: x right, y down, 0..extent across the tile.
  t := ST_TransScale(ST_Transform(g, 3857), -xmin, -ymax, f, -f);
  -- Drop the detail under half a pixel, then snap to the integer grid.
  IF dim > 0 THEN
    t := ST_Simplify(t, 0.5, false);
    IF t IS NULL THEN RETURN NULL; END IF;
  END IF;
  t := ST_SnapToGrid(t, 1);
  IF t IS NULL OR ST_IsEmpty(t) THEN RETURN NULL; END IF;
  -- Nothing in the tile and its buffer: gone. Reaching out of it: clipped.
  IF ST_XMax(t) < lo OR ST_YMax(t) < lo OR ST_XMin(t) > hi OR ST_YMin(t) > hi THEN RETURN NULL; END IF;
  IF ST_XMin(t) < lo OR ST_YMin(t) < lo OR ST_XMax(t) > hi OR ST_YMax(t) > hi THEN
    t := ST_SnapToGrid(ST_ClipByBox2D(t, ST_MakeBox2D(ST_Point(lo, lo), ST_Point(hi, hi))), 1);
  END IF;
  t := ST_CollectionExtract(t, dim + 1);
  IF t IS NULL OR ST_IsEmpty(t) THEN RETURN NULL; END IF;
  IF dim = 2 THEN
    -- Snapping can make a polygon self-touch: repair it, and keep the polygon part.
    IF NOT ST_IsValid(t) THEN
      t := ST_CollectionExtract(ST_SnapToGrid(ST_CollectionExtract(ST_MakeValid(t), 3), 1), 3);
      IF t IS NULL OR ST_IsEmpty(t) THEN RETURN NULL; END IF;
    END IF;
    -- MVT wants exterior rings clockwise on screen (y down): counter-clockwise in these numbers.
    t := ST_ForcePolygonCCW(t);
  END IF;
  RETURN ST_SetSRID(t, 0);
END
$$;

COMMENT ON FUNCTION safegrid_tile_geom(geometry, integer, integer, integer, integer, integer) IS
  'Geometry g (any SRID PostGIS can project to EPSG:3857) in the coordinates of vector tile z/x/y: '
  'integers 0..extent, y down, simplified under half a pixel, clipped to the tile plus buffer, polygons '
  'valid with exterior rings as MVT wants them; SRID 0. NULL when nothing of it is left in the tile. '
  'The portable stand-in for ST_AsMVTGeom(ST_Transform(g, 3857), ST_TileEnvelope(z, x, y), extent, buffer): '
  'the same on PGlite (no protobuf-c) and on a real PostGIS, so both backends serve identical tiles.';

-- After any write to a table the tiles read (triggers of migration 041): a NOTICE to the writing
-- connection (its server process drops the table's cached tiles before the statement returns) and
-- NOTIFY safegrid_data at commit (every process sharing the database does). server/cache/data-version.ts.
CREATE OR REPLACE FUNCTION sg_data_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE NOTICE USING MESSAGE = 'safegrid data changed: ' || TG_TABLE_NAME;
  PERFORM pg_notify('safegrid_data', TG_TABLE_NAME);
  RETURN NULL;
END
$$;

COMMENT ON FUNCTION sg_data_changed() IS
  'Statement trigger: announces a change of a tile table (NOTICE now, NOTIFY safegrid_data at commit) so tile caches drop what they hold of it.';
