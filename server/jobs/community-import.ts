/**
 * A new community from its own map files, as a background job: parse → stage → check → (preview) → commit.
 * One job runs at a time per server process; every step is a short statement on one batch and the loop yields
 * between batches, so other requests (on the embedded database's one connection too) go on meanwhile.
 * Progress lands in `import_jobs` for the web app to poll.
 */
import { setImmediate as tick } from 'node:timers/promises'
import type { Sql } from '../db/connect.ts'
import { classifyFeature, type LayerHint } from '../domain/community-import.ts'
import { MapFileError, readMapFile } from '../domain/map-files.ts'
import {
  CHECK_BATCH,
  checkInside,
  checkValidity,
  commitBuildings,
  commitRoads,
  createCommunityFromJob,
  mergeKeys,
  mergePieces,
  seqEnd,
  setBoundary,
  setHullBoundary,
  setJob,
  STAGE_BATCH,
  stageFeatures,
  summarise,
  type ImportJob,
  type StagedFeature,
} from '../queries/community-imports.ts'
import type { SessionUser } from '../queries/users.ts'

/** One uploaded file of a job and what it is for. */
export interface JobFile {
  name: string
  /** `boundary`, or a data file: `data` (work out each feature), `buildings` or `roads`. */
  role: 'boundary' | LayerHint
  bytes: Uint8Array
}

/** What a new job was asked to do. */
export interface CommunityJobInput {
  files: JobFile[]
  /** A drawn boundary (GeoJSON geometry text), used when no boundary file is given. */
  drawnBoundary: string | null
  crs: 'wgs84' | 'gcj02'
}

/** Runs the jobs of one server process, one at a time, in the order asked. */
export class JobRunner {
  private chain: Promise<void> = Promise.resolve()
  private readonly running = new Set<number>()

  constructor(private readonly sql: Sql) {}

  /** Queue the checking of a new job (files parsed and checked; the job ends `ready` or `failed`). */
  check(jobId: number, input: CommunityJobInput): void {
    this.enqueue(jobId, () => runCheck(this.sql, jobId, input))
  }

  /** Queue the commit of a `ready` job into a new community. */
  commit(jobId: number, name: string, nameEn: string | null, actor: SessionUser): void {
    this.enqueue(jobId, () => runCommit(this.sql, jobId, name, nameEn, actor))
  }

  /** Whether a job is queued or running here. */
  busy(jobId: number): boolean {
    return this.running.has(jobId)
  }

  /** Wait until every queued job has finished (tests, shutdown). */
  async idle(): Promise<void> {
    await this.chain
  }

  private enqueue(jobId: number, work: () => Promise<void>): void {
    this.running.add(jobId)
    this.chain = this.chain
      .then(work)
      .catch(async (error: unknown) => {
        const message = error instanceof MapFileError ? error.message : 'the job failed on the server'
        if (!(error instanceof MapFileError)) console.error(`[import job ${jobId}]`, error)
        await setJob(this.sql, jobId, { status: 'failed', error: message }).catch(() => {})
      })
      .finally(() => this.running.delete(jobId))
  }
}

const ms = (since: number) => Date.now() - since

async function runCheck(sql: Sql, jobId: number, input: CommunityJobInput): Promise<void> {
  const timings: Record<string, number> = {}
  const [job] = await sql<{ params: ImportJob['params'] }[]>`select params from import_jobs where id = ${jobId}`
  const params = job!.params
  const files: NonNullable<ImportJob['params']['files']> = []
  // 1. Parse each file and sort its features; refusals made here travel with their reason.
  let t = Date.now()
  await setJob(sql, jobId, { status: 'parsing', stage: 'parsing', done: 0, total: input.files.length })
  const staged: StagedFeature[] = []
  const boundaries: string[] = []
  for (const [i, file] of input.files.entries()) {
    await tick()
    let parsed
    try {
      parsed = readMapFile(file.name, file.bytes)
    } catch (error) {
      if (!(error instanceof MapFileError)) throw error
      throw new MapFileError(`${file.name}: ${error.message}`)
    }
    files.push({ name: file.name, field: file.role, format: parsed.format, features: parsed.features.length })
    if (file.role === 'boundary') {
      for (const f of parsed.features) {
        const g = f.geometry
        if (g && (g.type === 'Polygon' || g.type === 'MultiPolygon')) {
          const checked = classifyFeature({ geometry: g, properties: {} }, 'buildings', input.crs)
          if ('reason' in checked) throw new MapFileError(`${file.name}: the boundary ${checked.reason}`)
          boundaries.push(JSON.stringify(checked.geometry))
        }
      }
      if (boundaries.length === 0) throw new MapFileError(`${file.name}: holds no polygon to use as the boundary`)
    } else {
      parsed.features.forEach((feature, index) => {
        const c = classifyFeature(feature, file.role as LayerHint, input.crs)
        staged.push({
          seq: staged.length,
          layer: c.layer,
          file: file.name,
          sourceIndex: index,
          key: 'geometry' in c ? c.key : null,
          props: c.props,
          geometry: 'geometry' in c ? JSON.stringify(c.geometry) : null,
          reason: 'reason' in c ? c.reason : null,
        })
      })
    }
    await setJob(sql, jobId, { done: i + 1 })
  }
  // Refusals made in TypeScript keep only a few properties (what names the feature), not every tag.
  for (const s of staged) {
    if (s.reason) s.props = pick(s.props, ['id', '@id', 'name', 'kind', 'layer', 'building', 'highway'])
  }
  timings.parseMs = ms(t)
  if (staged.length === 0) throw new MapFileError('no features to import: upload the buildings and roads (OSM XML, GeoJSON, KML or a zipped Shapefile)')
  // 2. Stage in batches.
  t = Date.now()
  await setJob(sql, jobId, { status: 'checking', stage: 'staging', done: 0, total: staged.length, params: { ...params, files } })
  for (let i = 0; i < staged.length; i += STAGE_BATCH) {
    await stageFeatures(sql, jobId, staged.slice(i, i + STAGE_BATCH))
    await setJob(sql, jobId, { done: Math.min(staged.length, i + STAGE_BATCH) })
    await tick()
  }
  timings.stageMs = ms(t)
  const end = await seqEnd(sql, jobId)
  // 3. Validity, batch by batch.
  t = Date.now()
  await setJob(sql, jobId, { stage: 'validity', done: 0, total: end })
  for (let from = 0; from < end; from += CHECK_BATCH) {
    await checkValidity(sql, jobId, from, from + CHECK_BATCH)
    await setJob(sql, jobId, { done: Math.min(end, from + CHECK_BATCH) })
    await tick()
  }
  timings.validityMs = ms(t)
  // 4. Merge pieces that share an id (tile-cut buildings and roads).
  t = Date.now()
  const keys = await mergeKeys(sql, jobId)
  await setJob(sql, jobId, { stage: 'merging', done: 0, total: keys.length })
  for (let i = 0; i < keys.length; i += 100) {
    await mergePieces(sql, jobId, keys.slice(i, i + 100))
    await setJob(sql, jobId, { done: Math.min(keys.length, i + 100) })
    await tick()
  }
  timings.mergeMs = ms(t)
  // 5. The boundary: uploaded, drawn, or around the buildings.
  t = Date.now()
  let boundaryFrom: string
  let problem: string | null
  if (boundaries.length > 0) {
    boundaryFrom = 'file'
    problem = await setBoundary(sql, jobId, boundaries)
  } else if (input.drawnBoundary) {
    boundaryFrom = 'drawn'
    problem = await setBoundary(sql, jobId, [input.drawnBoundary])
  } else {
    boundaryFrom = 'hull'
    problem = await setHullBoundary(sql, jobId)
  }
  if (problem) throw new MapFileError(problem)
  // 6. Inside or outside, batch by batch.
  await setJob(sql, jobId, { stage: 'boundary', done: 0, total: end })
  for (let from = 0; from < end; from += CHECK_BATCH) {
    await checkInside(sql, jobId, from, from + CHECK_BATCH)
    await setJob(sql, jobId, { done: Math.min(end, from + CHECK_BATCH) })
    await tick()
  }
  timings.boundaryMs = ms(t)
  const summary = await summarise(sql, jobId)
  await setJob(sql, jobId, { status: 'ready', stage: 'ready', done: end, total: end, summary, params: { ...params, files, boundaryFrom, timings } })
}

async function runCommit(sql: Sql, jobId: number, name: string, nameEn: string | null, actor: SessionUser): Promise<void> {
  const t = Date.now()
  const end = await seqEnd(sql, jobId)
  await setJob(sql, jobId, { status: 'committing', stage: 'community', done: 0, total: end * 2 })
  const communityId = await createCommunityFromJob(sql, jobId, name, nameEn, actor)
  try {
    let buildings = 0
    let roads = 0
    for (let from = 0; from < end; from += CHECK_BATCH) {
      buildings += await commitBuildings(sql, jobId, communityId, from, from + CHECK_BATCH)
      await setJob(sql, jobId, { stage: 'buildings', done: Math.min(end, from + CHECK_BATCH) })
      await tick()
    }
    for (let from = 0; from < end; from += CHECK_BATCH) {
      roads += await commitRoads(sql, jobId, communityId, from, from + CHECK_BATCH)
      await setJob(sql, jobId, { stage: 'roads', done: end + Math.min(end, from + CHECK_BATCH) })
      await tick()
    }
    const [job] = await sql<{ params: ImportJob['params'] }[]>`select params from import_jobs where id = ${jobId}`
    const params = { ...job!.params, timings: { ...job!.params.timings, commitMs: ms(t) }, committed: { buildings, roads } }
    await sql`insert into audit_log (user_id, community_id, action, entity, entity_id, after)
              values (${actor.id}, ${communityId}, 'import', 'community', ${String(communityId)}, ${sql.json({ jobId, buildings, roads } as never)})`
    await setJob(sql, jobId, { status: 'done', stage: 'done', done: end * 2, communityId, params: params as ImportJob['params'] })
  } catch (error) {
    // A commit that fails part-way leaves nothing behind: the new community goes with what it had.
    await sql`delete from communities where id = ${communityId}`.catch(() => {})
    throw error
  }
}

function pick(props: Record<string, unknown>, keys: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const k of keys) if (props[k] !== undefined) out[k] = typeof props[k] === 'string' ? (props[k] as string).slice(0, 100) : props[k]
  return out
}
