import { execFileSync } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import ExcelJS from 'exceljs'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { parseGpx } from '../server/domain/tracks.ts'
import { parseCsv } from './helpers/csv.ts'
import { startTestServer, type Client, type TestServer } from './helpers/server.ts'

interface Fc {
  type: 'FeatureCollection'
  features: { id: number | string; geometry: { type: string } | null; properties: Record<string, unknown> }[]
}


/** CSV rows as objects by header, BOM checked and dropped. */
async function csvObjects(res: Response): Promise<Record<string, string>[]> {
  const bytes = new Uint8Array(await res.arrayBuffer())
  expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf])
  const [header, ...rows] = parseCsv(new TextDecoder().decode(bytes.slice(3)))
  return rows.map((r) => Object.fromEntries(header!.map((h, i) => [h, r[i] ?? ''])))
}

/** The first sheet of an XLSX answer as objects by header. */
async function xlsxObjects(res: Response): Promise<{ rows: Record<string, unknown>[]; sheet: ExcelJS.Worksheet }> {
  const wb = new ExcelJS.Workbook()
  await wb.xlsx.load(await res.arrayBuffer())
  const sheet = wb.worksheets[0]!
  const header = (sheet.getRow(1).values as unknown[]).slice(1).map(String)
  const rows: Record<string, unknown>[] = []
  for (let r = 2; r <= sheet.rowCount; r++) {
    const values = (sheet.getRow(r).values as unknown[]).slice(1)
    rows.push(Object.fromEntries(header.map((h, i) => [h, values[i] ?? null])))
  }
  return { rows, sheet }
}

let server: TestServer
let command: Client
/** A filter that selects some but not all hazards. */
const FILTER = 'category=ebike_indoor,corridor_clutter&status=verified'
let expectedIds: number[]

beforeAll(async () => {
  server = await startTestServer()
  command = await server.login('command')
  const rows = await server.db.sql<{ id: number }[]>`
    select id from hazards where category in ('ebike_indoor', 'corridor_clutter') and status = 'verified' order by id`
  expectedIds = rows.map((r) => r.id)
})
afterAll(async () => {
  await server?.close()
})

describe('hazards', () => {
  test('the filter selects some but not all hazards (the fixture)', async () => {
    const [all] = await server.db.sql<{ n: number }[]>`select count(*)::int as n from hazards`
    expect(expectedIds.length).toBeGreaterThan(10)
    expect(expectedIds.length).toBeLessThan(all!.n)
  })

  test('geojson holds exactly the filtered hazards, as a download', async () => {
    const res = await command.get(`/api/hazards?${FILTER}&format=geojson`)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toContain('application/geo+json')
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="hazards\.geojson"; filename\*=UTF-8''%E9%9A%90%E6%82%A3-\d{4}-\d{2}-\d{2}\.geojson$/)
    const fc = (await res.json()) as Fc
    expect(fc.features.map((f) => Number(f.id)).sort((a, b) => a - b)).toEqual(expectedIds)
  })

  test('csv holds exactly the filtered hazards, with lon/lat columns', async () => {
    const res = await command.get(`/api/hazards?${FILTER}&format=csv`)
    expect(res.headers.get('content-type')).toContain('text/csv')
    const rows = await csvObjects(res)
    expect(rows.map((r) => Number(r.id)).sort((a, b) => a - b)).toEqual(expectedIds)
    expect(rows.every((r) => r.status === 'verified' && Number.isFinite(Number(r.lon)) && Number.isFinite(Number(r.lat)))).toBe(true)
    expect(rows[0]!.reportedAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+08:00$/)
  })

  test('xlsx holds exactly the filtered hazards, numbers as numbers and times as dates', async () => {
    const res = await command.get(`/api/hazards?${FILTER}&format=xlsx`)
    expect(res.headers.get('content-type')).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
    const { rows, sheet } = await xlsxObjects(res)
    expect(rows.map((r) => r.id as number).sort((a, b) => a - b)).toEqual(expectedIds)
    expect(typeof rows[0]!.lon).toBe('number')
    expect(rows[0]!.reportedAt).toBeInstanceOf(Date)
    expect(sheet.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 })
  })

  test('the list’s SLA-warning filter is applied to the download', async () => {
    const all = (await (await command.get('/api/hazards?format=geojson')).json()) as Fc
    const warned = (await (await command.get('/api/hazards?format=geojson&warning=true')).json()) as Fc
    expect(warned.features.map((f) => f.id)).toEqual(all.features.filter((f) => f.properties.warning === true).map((f) => f.id))
  })

  test('an unknown format is 400', async () => {
    const res = await command.get('/api/hazards?format=pdf')
    expect(res.status).toBe(400)
    expect(res.headers.get('content-type')).toContain('problem+json')
  })

  test('gpx is for tracks only', async () => {
    expect((await command.get('/api/hazards?format=gpx')).status).toBe(400)
  })

  test('a bad filter stays a 400 problem with format', async () => {
    const res = await command.get('/api/hazards?format=csv&category=nope')
    expect(res.status).toBe(400)
    expect(res.headers.get('content-type')).toContain('problem+json')
  })

  test('exports need a signed-in user', async () => {
    expect((await server.get('/api/hazards?format=csv')).status).toBe(401)
  })
})

describe('other lists', () => {
  test('zones xlsx has one row per zone with the assignee', async () => {
    const [z] = await server.db.sql<{ n: number }[]>`select count(*)::int as n from zones`
    const res = await command.get('/api/zones?format=xlsx')
    expect(res.status).toBe(200)
    const { rows } = await xlsxObjects(res)
    expect(rows).toHaveLength(z!.n)
    expect(rows.every((r) => typeof r.wkt === 'string' && (r.wkt as string).startsWith('MULTIPOLYGON'))).toBe(true)
    expect(rows.some((r) => typeof r.assigneeName === 'string')).toBe(true)
  })

  test('a layer csv keeps the bbox filter', async () => {
    const bbox = [114.3833, 30.5008, 114.395, 30.508]
    const [b] = await server.db.sql<{ n: number }[]>`
      select count(*)::int as n from buildings where footprint && ST_MakeEnvelope(${bbox[0]!}, ${bbox[1]!}, ${bbox[2]!}, ${bbox[3]!}, 4326)`
    const rows = await csvObjects(await command.get(`/api/layers/buildings?bbox=${bbox.join(',')}&format=csv`))
    expect(rows).toHaveLength(b!.n)
  })

  test('people are exported masked as the viewer sees them, in the roster template columns', async () => {
    const listed = (await (await command.get('/api/people')).json()) as { items: { id: number; phone: string | null }[] }
    const rows = await csvObjects(await command.get('/api/people?format=csv'))
    expect(rows.map((r) => [Number(r['编号 ID']), r['手机 Phone']])).toEqual(listed.items.map((p) => [p.id, p.phone ?? '']))
    expect(rows.some((r) => r['手机 Phone']!.includes('****'))).toBe(true)
  })

  test('coverage exports the unvisited buildings and key places', async () => {
    const to = new Date(server.seededAt.getTime() + 60_000).toISOString()
    const from = new Date(server.seededAt.getTime() - 12 * 3_600_000).toISOString()
    const q = `from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`
    const report = (await (await command.get(`/api/analysis/coverage?${q}`)).json()) as { unvisited: Fc }
    const res = await command.get(`/api/analysis/coverage?${q}&format=geojson`)
    expect(res.headers.get('content-disposition')).toContain('filename="unvisited.geojson"')
    const fc = (await res.json()) as Fc
    expect(fc.features.map((f) => f.id)).toEqual(report.unvisited.features.map((f) => f.id))
    expect(fc.features.length).toBeGreaterThan(0)
  })

  test('tracks as GPX 1.1: one trk per run, every point with its time', async () => {
    const to = new Date(server.seededAt.getTime() + 60_000).toISOString()
    const from = new Date(server.seededAt.getTime() - 12 * 3_600_000).toISOString()
    const q = `from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`
    const fc = (await (await command.get(`/api/tracks?${q}`)).json()) as Fc
    const res = await command.get(`/api/tracks?${q}&format=gpx`)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toContain('application/gpx+xml')
    const gpx = await res.text()
    expect(gpx).toContain('xmlns="http://www.topografix.com/GPX/1/1"')
    expect(gpx.match(/<trk>/g)?.length).toBe(fc.features.length)
    const parsed = parseGpx(gpx, 1_000_000)
    const vertices = fc.features.reduce((s, f) => s + (f.geometry as unknown as { coordinates: unknown[] }).coordinates.length, 0)
    expect(parsed.points.length).toBe(vertices)
    expect(parsed.points.every((p) => typeof p.t === 'string' && !Number.isNaN(Date.parse(p.t)))).toBe(true)
  })

  test('the GPX opens in GDAL with the same number of tracks', async () => {
    const to = new Date(server.seededAt.getTime() + 60_000).toISOString()
    const from = new Date(server.seededAt.getTime() - 12 * 3_600_000).toISOString()
    const q = `from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`
    const fc = (await (await command.get(`/api/tracks?${q}`)).json()) as Fc
    const dir = await mkdtemp(join(tmpdir(), 'sg-gpx-'))
    try {
      await writeFile(join(dir, 'tracks.gpx'), await (await command.get(`/api/tracks?${q}&format=gpx`)).text())
      const out = execFileSync('ogrinfo', ['-ro', '-so', join(dir, 'tracks.gpx'), 'tracks'], { encoding: 'utf8' })
      expect(out).toMatch(new RegExp(`Feature Count: ${fc.features.length}\\b`))
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})
