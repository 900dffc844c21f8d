/**
 * Key places (重点部位): unit entrances on residential buildings' road-facing walls, garage
 * entrances and e-bike charging sheds in each compound, fire lanes along the compound roads and
 * service roads, and shops around commercial buildings. Each gets a random QR code `KP-3F9A1C0B7E2D`.
 */
import { allocateIds, json, type BuildingInfo, type CompoundInfo, type KeyPlaceInfo, type MultiPolygonXY, type SeedContext } from './context.ts'
import { closestOnSegment, distance, distanceToPolygons, lerp, lineLength, lineSubstring, pointAlong, pointInPolygons, ringArea, type XY } from './geo.ts'
import type { WalkLine } from './network.ts'
import { SHOP_NAMES } from './names.ts'
import type { Random } from './random.ts'
import { newKeyPlaceCode } from '../domain/evidence.ts'

/** The QR code printed for a key place: random, never sequential (server/domain/evidence.ts). */
export function keyPlaceCode(): string {
  return newKeyPlaceCode()
}

type Draft = Omit<KeyPlaceInfo, 'id'>

/** Insert the key places; returns them with ids (metric geometry). */
export async function makeKeyPlaces(
  ctx: SeedContext,
  buildings: BuildingInfo[],
  compounds: CompoundInfo[],
  walk: WalkLine[],
  boundary: MultiPolygonXY,
): Promise<KeyPlaceInfo[]> {
  const { tx, utm, communityId } = ctx
  const rng = ctx.rng.fork('key-places')
  const segments = segmentIndex(walk.map((w) => w.line))
  const drafts: Draft[] = []
  for (const b of buildings) if (b.residential) drafts.push(...entrances(b, segments))
  for (const c of compounds) {
    const members = buildings.filter((b) => b.compoundId === c.id)
    drafts.push(...garages(c, members, walk, buildings, rng))
    drafts.push(...chargingSheds(c, members, buildings, rng))
    drafts.push(...compoundFireLanes(c, walk, rng))
  }
  drafts.push(...serviceFireLanes(walk, compounds, buildings, boundary))
  for (const b of buildings) if (b.commercial) drafts.push(...shops(b, segments, rng))

  const ids = await allocateIds(tx, 'key_places', drafts.length)
  const places: KeyPlaceInfo[] = drafts.map((d, i) => ({ ...d, id: ids[i] as number }))
  const rows = places.map((p) => ({
    id: p.id,
    kind: p.kind,
    name: p.name,
    code: keyPlaceCode(),
    building_id: p.buildingId,
    geom: p.points.length === 1 ? { type: 'Point', coordinates: p.points[0] } : { type: 'LineString', coordinates: p.points },
  }))
  await tx`
    insert into key_places (id, community_id, building_id, kind, name, code, geom)
    select id, ${communityId}, building_id, kind, name, code,
           ST_Transform(ST_SetSRID(ST_GeomFromGeoJSON(geom::text), ${utm}::int), 4326)
    from jsonb_to_recordset(${json(rows)}::text::jsonb)
      as r(id bigint, kind text, name text, code text, building_id bigint, geom jsonb)
    order by id`
  ctx.summary.keyPlaces = places.length
  return places
}

/** A coarse grid of walkable segments for nearest-road look-ups. */
interface SegmentIndex {
  cell: number
  grid: Map<string, [XY, XY][]>
}

function segmentIndex(lines: readonly XY[][]): SegmentIndex {
  const cell = 50
  const grid = new Map<string, [XY, XY][]>()
  for (const line of lines) {
    for (let i = 1; i < line.length; i++) {
      const a = line[i - 1] as XY
      const b = line[i] as XY
      const steps = Math.max(1, Math.ceil(distance(a, b) / cell))
      const keys = new Set<string>()
      for (let s = 0; s <= steps; s++) {
        const p = lerp(a, b, s / steps)
        keys.add(`${Math.floor(p[0] / cell)},${Math.floor(p[1] / cell)}`)
      }
      for (const key of keys) {
        const list = grid.get(key) ?? []
        list.push([a, b])
        grid.set(key, list)
      }
    }
  }
  return { cell, grid }
}

/** Distance from p to the nearest walkable segment (searching up to ~150 m around). */
function distanceToWalk(p: XY, index: SegmentIndex): number {
  const cx = Math.floor(p[0] / index.cell)
  const cy = Math.floor(p[1] / index.cell)
  let best = Infinity
  for (let dx = -3; dx <= 3; dx++) {
    for (let dy = -3; dy <= 3; dy++) {
      for (const [a, b] of index.grid.get(`${cx + dx},${cy + dy}`) ?? []) best = Math.min(best, closestOnSegment(p, a, b).distance)
    }
  }
  return best
}

/** The exterior ring of the largest polygon, counter-clockwise, without the closing point. */
function mainRing(footprint: MultiPolygonXY): XY[] {
  let best: XY[] = []
  let bestArea = -1
  for (const polygon of footprint) {
    const ring = polygon[0] ?? []
    const area = Math.abs(ringArea(ring))
    if (area > bestArea) {
      bestArea = area
      best = ring
    }
  }
  const open = best.slice(0, best.length > 1 && distance(best[0] as XY, best[best.length - 1] as XY) === 0 ? -1 : undefined)
  return ringArea(open) < 0 ? open.reverse() : open
}

interface Wall {
  a: XY
  b: XY
  length: number
  /** Unit normal pointing out of the building. */
  out: XY
}

function walls(footprint: MultiPolygonXY): Wall[] {
  const ring = mainRing(footprint)
  const result: Wall[] = []
  for (let i = 0; i < ring.length; i++) {
    const a = ring[i] as XY
    const b = ring[(i + 1) % ring.length] as XY
    const length = distance(a, b)
    if (length < 0.5) continue
    // Counter-clockwise ring: the outside is on the right of a → b.
    result.push({ a, b, length, out: [(b[1] - a[1]) / length, -(b[0] - a[0]) / length] })
  }
  return result
}

/** The long wall that faces the nearest walkable line (where the unit doors are). */
function frontWall(b: BuildingInfo, index: SegmentIndex): Wall | null {
  const all = walls(b.footprint)
  if (all.length === 0) return null
  const longest = Math.max(...all.map((w) => w.length))
  let best: Wall | null = null
  let bestScore = Infinity
  for (const w of all) {
    if (w.length < 0.5 * longest) continue
    const mid = lerp(w.a, w.b, 0.5)
    const probe: XY = [mid[0] + w.out[0] * 3, mid[1] + w.out[1] * 3]
    const score = distanceToWalk(probe, index) - 0.05 * w.length
    if (score < bestScore) {
      bestScore = score
      best = w
    }
  }
  return best
}

/** One or two unit entrances (单元入口) on the road-facing wall of a residential building. */
function entrances(b: BuildingInfo, index: SegmentIndex): Draft[] {
  const wall = frontWall(b, index)
  if (!wall) return []
  const count = Math.min(2, Math.max(1, b.units))
  const spacing = Math.max(1, b.units)
  const result: Draft[] = []
  for (let k = 1; k <= count; k++) {
    // Unit k's door sits in the middle of its share of the wall.
    const t = count === 1 && b.units <= 1 ? 0.5 : (k - 0.5) / spacing
    result.push({
      kind: 'entrance',
      name: `${b.label}${k}单元入口`,
      compoundId: b.compoundId,
      buildingId: b.id,
      points: [lerp(wall.a, wall.b, t)],
    })
  }
  return result
}

/** Walkable vertices (densified every 10 m) inside a polygon and clear of buildings. */
function walkPointsInside(polygon: MultiPolygonXY, walk: WalkLine[], buildings: BuildingInfo[], clearance: number): XY[] {
  const points: XY[] = []
  const near = buildings.filter((b) => polygon.some((p) => (p[0] ?? []).some((q) => distance(q, b.centroid) < 400)))
  for (const { line, connector } of walk) {
    if (connector) continue
    const length = lineLength(line)
    for (let s = 0; s <= length; s += 10) {
      const p = pointAlong(line, s)
      if (!pointInPolygons(p, polygon)) continue
      if (near.some((b) => distance(p, b.centroid) < 150 && distanceToPolygons(p, b.footprint) < clearance)) continue
      points.push(p)
    }
  }
  return points
}

/** Underground garage entrances (地下车库入口) on compound roads: one, or two in big compounds. */
function garages(c: CompoundInfo, members: BuildingInfo[], walk: WalkLine[], buildings: BuildingInfo[], rng: Random): Draft[] {
  const candidates = walkPointsInside(c.geom, walk, buildings, 4)
  const count = members.length >= 10 ? 2 : 1
  const chosen: XY[] = []
  for (const p of rng.shuffle(candidates)) {
    if (chosen.length >= count) break
    if (chosen.some((q) => distance(p, q) < 60)) continue
    chosen.push(p)
  }
  return chosen.map((p, i) => ({
    kind: 'garage',
    name: count === 1 ? `${c.name}地下车库入口` : `${c.name}地下车库${i + 1}号入口`,
    compoundId: c.id,
    buildingId: null,
    points: [p],
  }))
}

/** E-bike charging sheds (电动车充电棚) a few metres out from a residential block. */
function chargingSheds(c: CompoundInfo, members: BuildingInfo[], buildings: BuildingInfo[], rng: Random): Draft[] {
  const homes = members.filter((b) => b.residential)
  if (homes.length === 0) return []
  const count = members.length >= 8 ? 2 : 1
  const result: Draft[] = []
  for (let attempt = 0; attempt < 60 && result.length < count; attempt++) {
    const b = rng.pick(homes)
    const wall = rng.pick(walls(b.footprint))
    const base = lerp(wall.a, wall.b, rng.float(0.2, 0.8))
    const offset = rng.float(6, 10)
    const p: XY = [base[0] + wall.out[0] * offset, base[1] + wall.out[1] * offset]
    if (!pointInPolygons(p, c.geom)) continue
    if (buildings.some((o) => distance(p, o.centroid) < 200 && distanceToPolygons(p, o.footprint) < 3)) continue
    if (result.some((r) => distance(r.points[0] as XY, p) < 50)) continue
    result.push({ kind: 'charging_shed', name: `${c.name}电动车充电棚${result.length + 1}`, compoundId: c.id, buildingId: b.id, points: [p] })
  }
  return result
}

/** Runs of a line that lie inside a polygon (sampled every 2 m). */
function clipInside(line: XY[], polygon: MultiPolygonXY): XY[][] {
  const runs: XY[][] = []
  const length = lineLength(line)
  let start: number | null = null
  const step = 2
  for (let s = 0; s <= length + step; s += step) {
    const at = Math.min(s, length)
    const inside = s <= length && pointInPolygons(pointAlong(line, at), polygon)
    if (inside && start === null) start = at
    if (!inside && start !== null) {
      runs.push(lineSubstring(line, start, Math.max(start, at - step)))
      start = null
    }
  }
  return runs.filter((r) => r.length >= 2)
}

/** Keep at most `max` metres from the middle of a line. */
function middle(line: XY[], max: number): XY[] {
  const length = lineLength(line)
  if (length <= max) return line
  const from = (length - max) / 2
  return lineSubstring(line, from, from + max)
}

/** Fire lanes (消防通道) along the compound's residential/service roads: the longest one or two runs. */
function compoundFireLanes(c: CompoundInfo, walk: WalkLine[], rng: Random): Draft[] {
  const runs = walk
    .filter((w) => w.kind === 'residential' || w.kind === 'service' || w.kind === 'living_street')
    .flatMap((w) => clipInside(w.line, c.geom))
    .map((line) => ({ line, length: lineLength(line) }))
    .filter((r) => r.length >= 40)
    .sort((a, b) => b.length - a.length)
  const count = Math.min(runs.length, c.buildingIds.length >= 10 ? 2 : 1)
  return runs.slice(0, count).map((r, i) => ({
    kind: 'fire_lane' as const,
    name: `${c.name}消防通道${count > 1 ? i + 1 : ''}`,
    compoundId: c.id,
    buildingId: null,
    points: middle(r.line, rng.float(90, 160)).map(round),
  }))
}

/** Fire lanes along service roads outside the compounds (behind malls and offices). */
function serviceFireLanes(walk: WalkLine[], compounds: CompoundInfo[], buildings: BuildingInfo[], boundary: MultiPolygonXY): Draft[] {
  const result: Draft[] = []
  for (const w of walk) {
    if (w.kind !== 'service') continue
    for (const run of clipInside(w.line, boundary)) {
      if (lineLength(run) < 30) continue
      const mid = pointAlong(run, lineLength(run) / 2)
      if (compounds.some((c) => pointInPolygons(mid, c.geom))) continue
      // Named after the nearest named building, as people would say "behind the mall".
      let nearest: BuildingInfo | null = null
      for (const b of buildings) {
        if (b.name !== null && (!nearest || distance(b.centroid, mid) < distance(nearest.centroid, mid))) nearest = b
      }
      const near = nearest && distance(nearest.centroid, mid) < 300 ? nearest.name : null
      result.push({
        kind: 'fire_lane',
        name: near ? `${near}消防通道` : `消防通道${result.length + 1}`,
        compoundId: null,
        buildingId: null,
        points: middle(run, 160).map(round),
      })
    }
  }
  return result
}

/** Ground-floor shops (底商) on the road-facing wall of a commercial building. */
function shops(b: BuildingInfo, index: SegmentIndex, rng: Random): Draft[] {
  const wall = frontWall(b, index)
  if (!wall) return []
  const count = b.areaM2 > 5000 ? 3 : b.areaM2 > 1500 ? 2 : 1
  const names = rng.sample(SHOP_NAMES, count)
  return names.map((shop, i) => ({
    kind: 'shop' as const,
    name: `${b.label}${shop}`,
    compoundId: b.compoundId,
    buildingId: b.id,
    points: [lerp(wall.a, wall.b, (i + 0.5) / count)],
  }))
}

function round(p: XY): XY {
  return [Math.round(p[0] * 100) / 100, Math.round(p[1] * 100) / 100]
}
