-- Readable building labels for the vector tiles (issue 19.2): the same rule as core/address.ts
-- `buildingLabel` (the GeoJSON map and every list use that one), so a building reads "3栋" or its short
-- name whether the map is drawn from GeoJSON or from tiles. tests/address-sql.test.ts holds the two
-- equal on the tricky names. Reloaded at every start (server/db/migrate.ts); PostgreSQL 15 and PGlite.

CREATE OR REPLACE FUNCTION sg_half_width(p text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT translate(p,
    '０１２３４５６７８９ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺａｂｃｄｅｆｇｈｉｊｋｌｍｎｏｐｑｒｓｔｕｖｗｘｙｚ',
    '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz')
$$;
COMMENT ON FUNCTION sg_half_width(text) IS 'Full-width digits and Latin letters as ASCII (core/address.ts toHalfWidth).';

CREATE OR REPLACE FUNCTION sg_clean_place_name(p_name text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT nullif(btrim(regexp_replace(regexp_replace(p_name, '[(（][\s\u00a0\u3000]*[?？]*[\s\u00a0\u3000]*[)）]|[?？]+', '', 'g'), '[\s\u00a0\u3000]+', ' ', 'g')), '')
$$;
COMMENT ON FUNCTION sg_clean_place_name(text) IS
  'A name without the mapper''s doubt marks ("烟草(?)" → "烟草") and stray spaces; NULL when nothing is left (core/address.ts cleanPlaceName).';

CREATE OR REPLACE FUNCTION sg_building_label(p_name text, p_compound text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  WITH c AS (SELECT sg_clean_place_name(p_name) AS n, sg_clean_place_name(p_compound) AS cp),
  m AS (SELECT n, cp, regexp_match(n, '([0-9０-９]+|[A-Za-zＡ-Ｚａ-ｚ])[\s\u00a0\u3000]*(栋|幢|号楼|座|号|单元楼)$') AS mm FROM c)
  SELECT CASE
    WHEN n IS NULL THEN NULL
    WHEN n ~ '^[0-9０-９]+$' THEN sg_half_width(n) || '栋'
    WHEN mm IS NOT NULL THEN upper(sg_half_width(mm[1])) || mm[2]
    WHEN cp IS NOT NULL AND left(n, length(cp)) = cp AND length(n) > length(cp) THEN btrim(substr(n, length(cp) + 1))
    ELSE n
  END
  FROM m
$$;
COMMENT ON FUNCTION sg_building_label(text, text) IS
  'A building''s short map label: its number ("3栋", "12号楼", "A座") when its name has one, else its cleaned name without the compound''s name in front (core/address.ts buildingLabel).';
