/**
 * The first gate for a zone's geometry, in TypeScript before PostGIS sees it: a GeoJSON Polygon or
 * MultiPolygon of finite, in-range lon/lat positions, every ring closed with at least 4 positions, at
 * most {@link MAX_ZONE_VERTICES} positions in all. PostGIS then checks validity (self-intersections,
 * holes outside shells, …) in server/queries/zones.ts.
 */
import { z } from 'zod'
import { Problem, type ProblemFieldError } from '../problem.ts'

/** Most positions a zone may have (a hand-drawn grid has a few dozen). */
export const MAX_ZONE_VERTICES = 10_000

/** Most field errors reported for one geometry (the first ones; the rest are alike). */
const MAX_ERRORS = 20

/** A GeoJSON position: lon, lat (a third ordinate, altitude, is allowed and dropped by PostGIS 2D). */
export type Position = number[]

/** A zone geometry that passed {@link parseZoneGeometry}. */
export type ZoneGeometry = { type: 'Polygon'; coordinates: Position[][] } | { type: 'MultiPolygon'; coordinates: Position[][][] }

const finiteNumber = z
  .number({ error: (issue) => (typeof issue.input === 'number' ? `must be a finite number, not ${String(issue.input)}` : 'must be a number') })
  .refine(Number.isFinite, 'must be a finite number')

const position = z
  .array(finiteNumber, { error: 'a position must be an array of numbers [lon, lat]' })
  .min(2, 'a position needs lon and lat')
  .max(3, 'a position has at most 3 numbers [lon, lat, altitude]')
  .superRefine((p, ctx) => {
    const [lon, lat] = p as [number, number]
    if (!Number.isFinite(lon) || !Number.isFinite(lat)) return
    if (lon < -180 || lon > 180) ctx.addIssue({ code: 'custom', path: [0], message: `longitude ${lon} is outside -180..180` })
    if (lat < -90 || lat > 90) ctx.addIssue({ code: 'custom', path: [1], message: `latitude ${lat} is outside -90..90` })
  })

const ring = z.array(position, { error: 'a ring must be an array of positions' }).superRefine((r, ctx) => {
  if (r.length < 4) {
    ctx.addIssue({ code: 'custom', message: `a ring needs at least 4 positions (a closed triangle); this one has ${r.length}` })
    return
  }
  const first = r[0]!
  const last = r[r.length - 1]!
  if (first[0] !== last[0] || first[1] !== last[1]) {
    ctx.addIssue({ code: 'custom', message: `the ring is not closed: its last position [${last.join(', ')}] differs from its first [${first.join(', ')}]` })
  }
})

const polygon = z.array(ring, { error: 'a polygon must be an array of rings' }).min(1, 'a polygon needs an exterior ring')

const geometry = z.discriminatedUnion(
  'type',
  [
    z.object({ type: z.literal('Polygon'), coordinates: polygon }),
    z.object({ type: z.literal('MultiPolygon'), coordinates: z.array(polygon, { error: 'a MultiPolygon must be an array of polygons' }).min(1, 'a MultiPolygon needs a polygon') }),
  ],
  { error: (issue) => (issue.code === 'invalid_union' ? `a zone must be a Polygon or MultiPolygon, not ${describeType(issue.input)}` : undefined) },
)

function describeType(input: unknown): string {
  if (input === null || input === undefined) return 'nothing'
  if (typeof input === 'object' && 'type' in input && typeof input.type === 'string') return `a ${input.type}`
  return `a ${typeof input}`
}

/** Count the positions in nested coordinate arrays (stops counting past `limit`). */
export function countPositions(coordinates: unknown, limit = Number.POSITIVE_INFINITY): number {
  let n = 0
  const walk = (c: unknown): void => {
    if (n > limit || !Array.isArray(c)) return
    if (c.length > 0 && !Array.isArray(c[0])) {
      n++
      return
    }
    for (const x of c) walk(x)
  }
  walk(coordinates)
  return n
}

/**
 * Check a zone geometry; returns it typed, or throws a 422 {@link Problem} naming each reason and its path
 * (e.g. `geometry.coordinates.0.3.0: longitude 200 is outside -180..180`). `path` prefixes the paths.
 */
export function parseZoneGeometry(input: unknown, path = 'geometry'): ZoneGeometry {
  if (input === null || typeof input !== 'object') {
    throw new Problem(422, 'The zone has no geometry.', { errors: [{ path, message: 'a Polygon or MultiPolygon geometry is required' }] })
  }
  const coordinates = (input as { coordinates?: unknown }).coordinates
  const vertices = countPositions(coordinates, MAX_ZONE_VERTICES)
  if (vertices > MAX_ZONE_VERTICES) {
    throw new Problem(422, `The zone has more than ${MAX_ZONE_VERTICES} vertices; simplify it.`, {
      errors: [{ path: `${path}.coordinates`, message: `at most ${MAX_ZONE_VERTICES} positions` }],
    })
  }
  const result = geometry.safeParse(input)
  if (result.success) return result.data as ZoneGeometry
  const errors: ProblemFieldError[] = result.error.issues.slice(0, MAX_ERRORS).map((issue) => ({
    path: [path, ...issue.path.map(String)].join('.'),
    message: issue.message,
  }))
  throw new Problem(422, `The zone geometry is invalid: ${errors[0]?.message ?? 'unknown reason'}.`, { errors })
}
