/**
 * Vector tiles (`GET /api/tiles/:layer/:z/:x/:y.mvt`). One query selects a layer's features in a
 * tile — geometry in tile coordinates by `safegrid_tile_geom` (db/functions/tiles.sql), properties
 * as typed columns — and one of two encoders turns them into the tile: PostGIS's ST_AsMVT on a real
 * server, or {@link encodeMvt} in Node where PostGIS has no protobuf (the embedded PGlite). Both read
 * the same rows in the same order, so both backends serve the same tile.
 */
import type postgres from 'postgres'
import type { DatabaseKind, Queryable, Sql } from '../db/connect.ts'
import { CLOSED_STATUSES, OPEN_STATUSES, type Category, type Severity, type Status } from '../../core/matters.ts'
import { encodeMvt, MVT_EXTENT, type TileFeature, type TileGeometry, type TileValue } from '../domain/mvt.ts'

/** The layers served as vector tiles; each tile holds one MVT layer of the same name. */
export const TILE_LAYERS = ['buildings', 'zones', 'key-places', 'hazards', 'roads', 'compounds', 'communities'] as const
export type TileLayer = (typeof TILE_LAYERS)[number]

/** Pixels of buffer around a tile that features are kept in (clipped there, so lines and outlines join up). */
export const TILE_BUFFER = 64

/** Highest zoom served. */
export const MAX_TILE_ZOOM = 22

/** Which tile, of which layer, for whom. */
export interface TileRequest {
  layer: TileLayer
  z: number
  x: number
  y: number
  /** Communities the caller may see; null = all. */
  communityIds: number[] | null
  /** Hazards only: which to show (default: the open ones). */
  status?: readonly Status[] | undefined
  category?: readonly Category[] | undefined
  severity?: readonly Severity[] | undefined
}

/** Who encodes tiles on a database: PostGIS (ST_AsMVT) or Node ({@link encodeMvt}). */
export type TileEncoder = 'postgis' | 'node'

type Fragment = postgres.Fragment

interface TileSource {
  from: Fragment
  geom: Fragment
  community: Fragment
  /** Property name → SQL expression, in the order they go into the tile. */
  props: [string, Fragment][]
  where?: Fragment
}

const CLOSED = CLOSED_STATUSES as string[]

function tileSource(sql: Queryable, req: TileRequest): TileSource {
  switch (req.layer) {
    case 'buildings':
      return {
        from: sql`buildings x`,
        geom: sql`x.footprint`,
        community: sql`x.community_id`,
        props: [
          ['id', sql`x.id`],
          ['name', sql`x.name`],
          ['floors', sql`x.floors`],
          ['households', sql`x.households`],
          ['compoundId', sql`x.compound_id`],
        ],
      }
    case 'zones':
      return {
        from: sql`zones x`,
        geom: sql`x.geom`,
        community: sql`x.community_id`,
        props: [
          ['id', sql`x.id`],
          ['name', sql`x.name`],
          ['assigneeId', sql`x.assignee_id`],
          ['communityId', sql`x.community_id`],
        ],
      }
    case 'key-places':
      return {
        from: sql`key_places x`,
        geom: sql`x.geom`,
        community: sql`x.community_id`,
        props: [
          ['id', sql`x.id`],
          ['kind', sql`x.kind`],
          ['name', sql`x.name`],
        ],
      }
    case 'hazards': {
      const status = req.status ?? OPEN_STATUSES
      const parts = [sql`x.status = any(${status as string[]}::text[])`]
      if (req.category?.length) parts.push(sql`x.category = any(${req.category as string[]}::text[])`)
      if (req.severity?.length) parts.push(sql`x.severity = any(${req.severity as string[]}::text[])`)
      return {
        from: sql`hazards x`,
        geom: sql`x.geom`,
        community: sql`x.community_id`,
        props: [
          ['id', sql`x.id`],
          ['status', sql`x.status`],
          ['category', sql`x.category`],
          ['severity', sql`x.severity`],
          ['overdue', sql`(x.status <> all(${CLOSED}::text[]) and x.due_at < now())`],
        ],
        where: parts.reduce((a, b) => sql`${a} and ${b}`),
      }
    }
    case 'roads':
      return {
        from: sql`roads x`,
        geom: sql`x.geom`,
        community: sql`x.community_id`,
        props: [
          ['kind', sql`x.kind`],
          ['kindDetail', sql`x.kind_detail`],
          ['name', sql`x.name`],
        ],
      }
    case 'compounds':
      return {
        from: sql`compounds x`,
        geom: sql`x.geom`,
        community: sql`x.community_id`,
        props: [
          ['id', sql`x.id`],
          ['name', sql`x.name`],
        ],
      }
    case 'communities':
      return {
        from: sql`communities x`,
        geom: sql`x.boundary`,
        community: sql`x.id`,
        props: [
          ['id', sql`x.id`],
          ['name', sql`x.name`],
        ],
      }
  }
}

/**
 * The rows of a tile, ordered by feature id: `fid` (the database id), one column per property, and
 * `geom` in tile coordinates (never NULL). `geometry` decides how the geometry column is selected.
 */
function tileRows(sql: Queryable, req: TileRequest, geometry: 'geometry' | 'geojson'): Fragment {
  const src = tileSource(sql, req)
  const { z, x, y } = req
  const scope = req.communityIds === null ? sql`true` : sql`${src.community} = any(${req.communityIds}::bigint[])`
  const cols = src.props.map(([name, expr]) => sql`${expr} as ${sql(name)}`).reduce((a, b) => sql`${a}, ${b}`)
  const geom = sql`safegrid_tile_geom(${src.geom}, ${z}::int, ${x}::int, ${y}::int, ${MVT_EXTENT}::int, ${TILE_BUFFER}::int)`
  return sql`
    select * from (
      select x.id as fid, ${cols}, ${geometry === 'geojson' ? sql`ST_AsGeoJSON(${geom}, 0)` : geom} as geom
      from ${src.from}
      where ${src.geom} && (select ST_Transform(ST_TileEnvelope(${z}::int, ${x}::int, ${y}::int, margin => ${TILE_BUFFER / MVT_EXTENT}::float8), 4326))
        and ${scope}
        and ${src.where ?? sql`true`}
    ) r
    where geom is not null
    order by fid`
}

/** The features of a tile as the Node encoder takes them (also what tests compare tiles with). */
export async function tileFeatures(sql: Queryable, req: TileRequest): Promise<TileFeature[]> {
  const names = tileSource(sql, req).props.map(([name]) => name)
  const rows = await sql<Record<string, TileValue>[]>`${tileRows(sql, req, 'geojson')}`
  return rows.map((row) => ({
    id: row.fid as number,
    properties: names.map((name): [string, TileValue] => [name, row[name] ?? null]),
    geometry: JSON.parse(row.geom as string) as TileGeometry,
  }))
}

/** A tile encoded in Node from {@link tileFeatures}; empty when the tile has no features. */
export async function tileWithNode(sql: Queryable, req: TileRequest): Promise<Uint8Array> {
  return encodeMvt(req.layer, await tileFeatures(sql, req))
}

/** A tile encoded by PostGIS (ST_AsMVT over the same rows); empty when the tile has no features. */
export async function tileWithPostgis(sql: Queryable, req: TileRequest): Promise<Uint8Array> {
  const [row] = await sql<{ tile: Uint8Array | null }[]>`
    select ST_AsMVT(t, ${req.layer}, ${MVT_EXTENT}::int, 'geom', 'fid') as tile
    from (${tileRows(sql, req, 'geometry')}) t`
  return row?.tile ?? new Uint8Array(0)
}

const encoders = new WeakMap<Sql, Promise<TileEncoder>>()

/**
 * Which encoder a database gets, decided once per client: Node on the embedded database; on a real
 * server ST_AsMVT when PostGIS was built with protobuf-c (tried once), else Node.
 */
export function tileEncoder(sql: Sql, kind: DatabaseKind): Promise<TileEncoder> {
  if (kind === 'embedded') return Promise.resolve('node')
  let found = encoders.get(sql)
  if (!found) {
    found = sql`select ST_AsMVT(t) as tile from (select 1 as id, ST_Point(1, 1) as geom) t`.then(
      () => 'postgis' as const,
      (error: unknown) => {
        if (/protobuf/i.test(String((error as Error)?.message))) return 'node' as const
        encoders.delete(sql) // another failure (the connection?): try again next time
        throw error
      },
    )
    encoders.set(sql, found)
  }
  return found
}

/** A tile with the encoder the database gets. */
export async function renderTile(sql: Sql, kind: DatabaseKind, req: TileRequest): Promise<Uint8Array> {
  return (await tileEncoder(sql, kind)) === 'postgis' ? tileWithPostgis(sql, req) : tileWithNode(sql, req)
}
