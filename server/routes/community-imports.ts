import { Hono } from 'hono'
import { z } from 'zod'
import { requirePermission } from '../auth/middleware.ts'
import type { AppEnv } from '../context.ts'
import { MAP_LIMITS } from '../domain/map-files.ts'
import type { JobFile } from '../jobs/community-import.ts'
import { problems } from '../problem.ts'
import { createJob, getJob, jobFeatures, listJobs } from '../queries/community-imports.ts'
import { readUpload, uploadLimit } from '../uploads.ts'
import { enumList, idParam, validate } from '../validate.ts'

const idParams = z.object({ id: idParam })
const ROLES = ['boundary', 'data', 'buildings', 'roads'] as const
const fields = z.object({
  name: z.string().trim().min(1, 'name is required').max(100),
  nameEn: z.string().trim().max(100).optional(),
  crs: z.enum(['wgs84', 'gcj02']).default('wgs84'),
  /** A drawn boundary: a GeoJSON Polygon/MultiPolygon geometry or Feature. */
  boundary: z.string().max(1_000_000).optional(),
})
const featuresQuery = z.object({
  status: enumList(['pending', 'accepted', 'straddling', 'refused', 'merged'] as const).optional(),
  layer: z.enum(['buildings', 'roads', 'other']).optional(),
  limit: z.coerce.number().int().min(1).max(20_000).default(5_000),
  offset: z.coerce.number().int().min(0).max(10_000_000).default(0),
})
const commitBody = z.object({ name: z.string().trim().min(1).max(100).optional(), nameEn: z.string().trim().max(100).optional() }).strict()

/** The drawn boundary's geometry: a Polygon or MultiPolygon, bare or in a Feature; 422 otherwise. */
function drawnGeometry(text: string | undefined): string | null {
  if (!text || !text.trim()) return null
  let doc: unknown
  try {
    doc = JSON.parse(text)
  } catch {
    throw problems.unprocessable('The drawn boundary is not JSON.', [{ path: 'boundary', message: 'must be GeoJSON' }])
  }
  const g = (doc as { type?: string; geometry?: unknown }).type === 'Feature' ? (doc as { geometry: unknown }).geometry : doc
  const type = (g as { type?: unknown } | null)?.type
  if (type !== 'Polygon' && type !== 'MultiPolygon') throw problems.unprocessable('The drawn boundary is not a polygon.', [{ path: 'boundary', message: 'must be a Polygon or MultiPolygon' }])
  return JSON.stringify(g)
}

/**
 * A new community from its own data (admin): `POST /api/community-imports` (multipart: `name`, `nameEn?`,
 * `crs=wgs84|gcj02`, a drawn `boundary` GeoJSON or a `boundary` file, and `data` / `buildings` / `roads` files:
 * OSM XML, GeoJSON, KML or a zipped Shapefile) → 202 job; `GET /api/community-imports/:id` → progress, counts,
 * every refusal by reason; `GET …/:id/features?status=&layer=` → the preview as GeoJSON;
 * `POST …/:id/commit` → 202, the community is created in the background.
 */
export const communityImports = new Hono<AppEnv>()
  .use('*', requirePermission('manageCommunities'))
  .get('/', async (c) => c.json({ items: await listJobs(c.get('sql'), c.get('user'), c.get('communityIds')) }))
  .post('/', uploadLimit(MAP_LIMITS.maxBytes + 2 * 1024 * 1024, 'upload'), async (c) => {
    const upload = await readUpload(c, MAP_LIMITS.maxBytes)
    const parsed = fields.safeParse(upload.fields)
    if (!parsed.success) throw problems.badRequest('The form is invalid.', parsed.error.issues.map((i) => ({ path: i.path.join('.') || '(root)', message: i.message })))
    const files: JobFile[] = upload.files.map((f) => {
      if (!(ROLES as readonly string[]).includes(f.field)) throw problems.badRequest('The form is invalid.', [{ path: f.field, message: `a file field must be one of ${ROLES.join(', ')}` }])
      const field = f.field as (typeof ROLES)[number]
      const role: JobFile['role'] = field === 'data' ? 'auto' : field
      return { name: f.name, role, bytes: f.bytes }
    })
    if (!files.some((f) => f.role !== 'boundary')) throw problems.badRequest('The form is invalid.', [{ path: 'data', message: 'upload the buildings and roads' }])
    const drawn = drawnGeometry(parsed.data.boundary)
    const { name, nameEn, crs } = parsed.data
    const sql = c.get('sql')
    const id = await createJob(sql, c.get('user').id, { name, ...(nameEn ? { nameEn } : {}), crs, files: files.map((f) => ({ name: f.name, field: f.role })) })
    c.get('jobs').check(id, { files, drawnBoundary: drawn, crs })
    c.header('location', `/api/community-imports/${id}`)
    return c.json(await getJob(sql, id, c.get('user'), null), 202)
  })
  .get('/:id', validate('param', idParams), async (c) => c.json(await getJob(c.get('sql'), c.req.valid('param').id, c.get('user'), c.get('communityIds'))))
  .get('/:id/features', validate('param', idParams), validate('query', featuresQuery), async (c) => {
    const sql = c.get('sql')
    const job = await getJob(sql, c.req.valid('param').id, c.get('user'), c.get('communityIds'))
    const body = await jobFeatures(sql, job.id, c.req.valid('query'))
    return c.body(body, 200, { 'content-type': 'application/geo+json; charset=utf-8' })
  })
  .post('/:id/commit', validate('param', idParams), validate('json', commitBody), async (c) => {
    const sql = c.get('sql')
    const job = await getJob(sql, c.req.valid('param').id, c.get('user'), c.get('communityIds'))
    if (job.status !== 'ready' || c.get('jobs').busy(job.id)) throw problems.conflict(`The job is ${job.status}; only a checked (ready) job can be committed.`)
    const body = c.req.valid('json')
    await sql`update import_jobs set status = 'committing', stage = 'queued', updated_at = now() where id = ${job.id} and status = 'ready'`
    c.get('jobs').commit(job.id, body.name ?? job.params.name ?? `社区 ${job.id}`, body.nameEn ?? job.params.nameEn ?? null, c.get('user'))
    return c.json(await getJob(sql, job.id, c.get('user'), null), 202)
  })
