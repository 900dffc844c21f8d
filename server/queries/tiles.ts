/**
 * Vector tiles (`GET /api/tiles/:layer/:z/:x/:y.mvt`). One query selects a layer's features in a
 * tile — geometry in tile coordinates by `safegrid_tile_geom` (db/functions/tiles.sql), properties
 * as typed columns — and one of two encoders turns them into the tile: PostGIS's ST_AsMVT on a real
 * server, or {@link encodeMvt} in Node where PostGIS has no protobuf (the embedded PGlite). Both read
 * the same rows in the same order, so both backends serve the same tile. Each layer's SQL text is
 * built once and prepared (a tile costs one round trip and no query building).
 */
import type { TrackedTable } from '../cache/data-version.ts'
import type { DatabaseKind, Queryable, Sql } from '../db/connect.ts'
import { NOT_OPEN_STATUSES, OPEN_STATUSES, type Category, type Severity, type Status } from '../../core/matters.ts'
import { encodeMvt, MVT_EXTENT, type TileFeature, type TileGeometry, type TileValue } from '../domain/mvt.ts'

/** The layers served as vector tiles; each tile holds one MVT layer of the same name. */
export const TILE_LAYERS = ['buildings', 'zones', 'key-places', 'hazards', 'roads', 'compounds', 'compound-labels', 'communities'] as const
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

/** Where a layer's features come from (SQL text over alias `x`). */
interface TileSource {
  from: string
  geom: string
  community: string
  /** Property name → SQL expression, in the order they go into the tile. */
  props: [string, string][]
  where?: string
}

const quoteList = (values: readonly string[]): string => `array[${values.map((v) => `'${v.replace(/'/g, "''")}'`).join(', ')}]::text[]`

/**
 * The layers' SQL. Parameters: $1 z, $2 x, $3 y, $4 the caller's communities (bigint[], NULL = all);
 * hazards also $5 statuses, $6 categories (NULL = any), $7 severities (NULL = any).
 */
const SOURCES: Record<TileLayer, TileSource> = {
  buildings: {
    from: 'buildings x',
    geom: 'x.footprint',
    community: 'x.community_id',
    props: [
      ['id', 'x.id'],
      ['name', 'x.name'],
      // The readable label (db/functions/address.sql, the rule of core/address.ts).
      ['label', 'sg_building_label(x.name, (select c.name from compounds c where c.id = x.compound_id))'],
      ['floors', 'x.floors'],
      ['households', 'x.households'],
      ['compoundId', 'x.compound_id'],
    ],
  },
  zones: {
    from: 'zones x',
    geom: 'x.geom',
    community: 'x.community_id',
    props: [['id', 'x.id'], ['name', 'x.name'], ['assigneeId', 'x.assignee_id'], ['communityId', 'x.community_id']],
  },
  'key-places': {
    from: 'key_places x',
    geom: 'x.geom',
    community: 'x.community_id',
    props: [['id', 'x.id'], ['kind', 'x.kind'], ['name', 'x.name']],
  },
  hazards: {
    from: 'hazards x',
    geom: 'x.geom',
    community: 'x.community_id',
    props: [
      ['id', 'x.id'],
      ['status', 'x.status'],
      ['category', 'x.category'],
      ['severity', 'x.severity'],
      ['overdue', `(x.status <> all(${quoteList(NOT_OPEN_STATUSES)}) and x.due_at < now())`],
    ],
    // Leads (治安线索) are never drawn in tiles: a tile is cached per community scope, not per role (see core/matters.ts seesLeads).
    where: "x.type <> 'lead' and x.status = any($5::text[]) and ($6::text[] is null or x.category = any($6::text[])) and ($7::text[] is null or x.severity = any($7::text[]))",
  },
  roads: {
    from: 'roads x',
    geom: 'x.geom',
    community: 'x.community_id',
    props: [['kind', 'x.kind'], ['kindDetail', 'x.kind_detail'], ['name', 'x.name']],
  },
  compounds: {
    from: 'compounds x',
    geom: 'x.geom',
    community: 'x.community_id',
    props: [['id', 'x.id'], ['name', 'x.name']],
  },
  // One point inside each compound, for its name: a polygon's label would repeat in every tile it crosses.
  'compound-labels': {
    from: 'compounds x',
    geom: 'ST_PointOnSurface(x.geom)',
    community: 'x.community_id',
    props: [['id', 'x.id'], ['name', 'x.name']],
  },
  communities: {
    from: 'communities x',
    geom: 'x.boundary',
    community: 'x.id',
    props: [['id', 'x.id'], ['name', 'x.name']],
  },
}

/** The table a layer is read from (its changes invalidate cached tiles). */
export const TILE_TABLES: Record<TileLayer, TrackedTable> = {
  buildings: 'buildings',
  zones: 'zones',
  'key-places': 'key_places',
  hazards: 'hazards',
  roads: 'roads',
  compounds: 'compounds',
  'compound-labels': 'compounds',
  communities: 'communities',
}

const texts = new Map<string, string>()

/**
 * The SQL text of a layer's tile, built once per layer, output and scope shape (all communities or
 * some) and then prepared by the database: `mvt` the tile by ST_AsMVT, `rows` its features with
 * GeoJSON geometry in tile coordinates, ordered by feature id (`fid`, one column per property).
 */
export function tileSql(layer: TileLayer, output: 'mvt' | 'rows', scoped: boolean): string {
  const key = `${layer}:${output}:${scoped}`
  let text = texts.get(key)
  if (text === undefined) {
    const src = SOURCES[layer]
    const cols = src.props.map(([name, expr]) => `${expr} as "${name}"`).join(', ')
    const geom = `safegrid_tile_geom(${src.geom}, $1::int, $2::int, $3::int, ${MVT_EXTENT}, ${TILE_BUFFER})`
    const rows = `
      select * from (
        select x.id as fid, ${cols}, ${output === 'rows' ? `ST_AsGeoJSON(${geom}, 0)` : geom} as geom
        from ${src.from}
        where ${src.geom} && (select ST_Transform(ST_TileEnvelope($1::int, $2::int, $3::int, margin => ${TILE_BUFFER / MVT_EXTENT}), 4326))
          and ${scoped ? `${src.community} = any($4::bigint[])` : '$4::bigint[] is null'}
          and ${src.where ?? 'true'}
      ) r
      where geom is not null
      order by fid`
    text = output === 'rows' ? rows : `select ST_AsMVT(t, '${layer}', ${MVT_EXTENT}, 'geom', 'fid') as tile from (${rows}) t`
    texts.set(key, text)
  }
  return text
}

/** The parameters of {@link tileSql} for a request. */
function tileParams(req: TileRequest): (number | number[] | string[] | null)[] {
  const params: (number | number[] | string[] | null)[] = [req.z, req.x, req.y, req.communityIds]
  if (req.layer === 'hazards') {
    params.push([...(req.status ?? OPEN_STATUSES)], req.category?.length ? [...req.category] : null, req.severity?.length ? [...req.severity] : null)
  }
  return params
}

/** The features of a tile as the Node encoder takes them (also what tests compare tiles with). */
export async function tileFeatures(sql: Queryable, req: TileRequest): Promise<TileFeature[]> {
  const names = SOURCES[req.layer].props.map(([name]) => name)
  const rows = await sql.unsafe<Record<string, TileValue>[]>(tileSql(req.layer, 'rows', req.communityIds !== null), tileParams(req) as never[], { prepare: true })
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
  const [row] = await sql.unsafe<{ tile: Uint8Array | null }[]>(tileSql(req.layer, 'mvt', req.communityIds !== null), tileParams(req) as never[], { prepare: true })
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
