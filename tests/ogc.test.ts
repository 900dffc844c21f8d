import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { startTestServer, type Client, type TestServer } from './helpers/server.ts'

const run = promisify(execFile)

interface Link {
  href: string
  rel: string
  type?: string
}
interface Items {
  type: 'FeatureCollection'
  numberMatched: number
  numberReturned: number
  links: Link[]
  features: { id: number; geometry: { type: string }; properties: Record<string, unknown> }[]
}

/** The collections and the SQL counting each one's rows. */
const COLLECTIONS = ['communities', 'compounds', 'buildings', 'key-places', 'zones', 'roads', 'hazards'] as const
const TABLES: Record<(typeof COLLECTIONS)[number], string> = {
  communities: 'communities',
  compounds: 'compounds',
  buildings: 'buildings',
  'key-places': 'key_places',
  zones: 'zones',
  roads: 'roads',
  hazards: 'hazards',
}

let server: TestServer
let command: Client

/** Run ogrinfo against the service with the Bearer token in GDAL_HTTP_HEADERS. */
async function ogrinfo(...args: string[]): Promise<string> {
  const { stdout } = await run('ogrinfo', ['-ro', ...args], {
    env: { ...process.env, GDAL_HTTP_HEADERS: `Authorization: Bearer ${command.token}`, GDAL_HTTP_TIMEOUT: '60', CPL_DEBUG: 'OFF' },
    maxBuffer: 32 * 1024 * 1024,
    timeout: 120_000,
  })
  return stdout
}

async function count(table: string): Promise<number> {
  // Leads (治安线索) are served by no OGC collection (core/matters.ts seesLeads).
  const [row] = await server.db.sql<{ n: number }[]>`
    select count(*)::int as n from ${server.db.sql(table)} x where ${table === 'hazards' ? server.db.sql`x.type <> 'lead'` : server.db.sql`true`}`
  return row!.n
}

beforeAll(async () => {
  server = await startTestServer()
  command = await server.login('command')
})
afterAll(async () => {
  await server?.close()
})

describe('documents', () => {
  test('the landing page links to itself, the conformance and the collections', async () => {
    const res = await command.get('/ogc')
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toContain('application/json')
    const body = (await res.json()) as { links: Link[] }
    const rels = body.links.map((l) => l.rel)
    expect(rels).toEqual(expect.arrayContaining(['self', 'conformance', 'data']))
    expect(body.links.every((l) => l.href.startsWith(server.url))).toBe(true)
  })

  test('conformance declares Core, GeoJSON and OpenAPI 3.0', async () => {
    const body = (await (await command.get('/ogc/conformance')).json()) as { conformsTo: string[] }
    expect(body.conformsTo).toEqual([
      'http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core',
      'http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson',
      'http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30',
    ])
  })

  test('the landing page links the OpenAPI document (service-desc) and the reference page (service-doc)', async () => {
    const body = (await (await command.get('/ogc')).json()) as { links: Link[] }
    const desc = body.links.find((l) => l.rel === 'service-desc')!
    expect(desc.href).toBe(`${server.url}/api/openapi.json`)
    expect(desc.type).toBe('application/vnd.oai.openapi+json;version=3.0')
    const doc = (await (await server.get('/api/openapi.json')).json()) as { openapi: string; paths: Record<string, unknown> }
    expect(doc.openapi).toMatch(/^3\.0\./)
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/ogc/collections/{collectionId}/items']))
    expect(body.links.find((l) => l.rel === 'service-doc')?.href).toBe(`${server.url}/api/docs`)
  })

  test('collections list all seven with CRS84 extents, hazards with a temporal extent', async () => {
    const body = (await (await command.get('/ogc/collections')).json()) as {
      collections: { id: string; crs: string[]; extent: { spatial: { bbox: number[][] }; temporal?: { interval: string[][] } }; links: Link[] }[]
    }
    expect(body.collections.map((c) => c.id)).toEqual([...COLLECTIONS])
    for (const c of body.collections) {
      expect(c.crs).toEqual(['http://www.opengis.net/def/crs/OGC/1.3/CRS84'])
      const [minLon, minLat, maxLon, maxLat] = c.extent.spatial.bbox[0]!
      expect(minLon!).toBeGreaterThan(114.3)
      expect(maxLon!).toBeLessThan(114.5)
      expect(minLat!).toBeLessThan(maxLat!)
      expect(c.links.some((l) => l.rel === 'items' && l.type === 'application/geo+json')).toBe(true)
    }
    const hazards = body.collections.find((c) => c.id === 'hazards')!
    const [min] = await server.db.sql<{ t: Date }[]>`select min(reported_at) as t from hazards`
    expect(Date.parse(hazards.extent.temporal!.interval[0]![0]!)).toBe(min!.t.getTime())
  })

  test('one item by id, and 404 for an unknown one', async () => {
    const [b] = await server.db.sql<{ id: number }[]>`select id from buildings order by id limit 1`
    const res = await command.get(`/ogc/collections/buildings/items/${b!.id}`)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toContain('application/geo+json')
    const f = (await res.json()) as { id: number; type: string; links: Link[] }
    expect(f).toMatchObject({ type: 'Feature', id: b!.id })
    expect((await command.get('/ogc/collections/buildings/items/99999999')).status).toBe(404)
  })

  test('an unknown collection is 404', async () => {
    expect((await command.get('/ogc/collections/parks')).status).toBe(404)
  })

  test('an unknown query parameter is 400', async () => {
    expect((await command.get('/ogc/collections/buildings/items?colour=red')).status).toBe(400)
  })

  test('the service needs a token', async () => {
    expect((await server.get('/ogc/collections')).status).toBe(401)
  })
})

describe('paging, bbox and datetime', () => {
  test('limit defaults to 10; numberMatched counts all, next pages on', async () => {
    const total = await count('buildings')
    const first = (await (await command.get('/ogc/collections/buildings/items')).json()) as Items
    expect(first.numberReturned).toBe(10)
    expect(first.numberMatched).toBe(total)
    const next = first.links.find((l) => l.rel === 'next')!
    expect(first.links.some((l) => l.rel === 'prev')).toBe(false)
    const second = (await (await command.get(next.href.replace(server.url, ''))).json()) as Items
    expect(second.features[0]!.id).toBeGreaterThan(first.features.at(-1)!.id)
    expect(second.links.some((l) => l.rel === 'prev')).toBe(true)
  })

  test('following next links returns every feature exactly once', async () => {
    const total = await count('compounds')
    const ids: number[] = []
    let href: string | undefined = '/ogc/collections/compounds/items?limit=4'
    while (href) {
      const page = (await (await command.get(href)).json()) as Items
      ids.push(...page.features.map((f) => f.id))
      href = page.links.find((l) => l.rel === 'next')?.href.replace(server.url, '')
    }
    expect(ids).toHaveLength(total)
    expect(new Set(ids).size).toBe(total)
  })

  test('a limit above 10000 is cut to 10000', async () => {
    const page = (await (await command.get('/ogc/collections/buildings/items?limit=50000')).json()) as Items
    const self = page.links.find((l) => l.rel === 'self')!
    expect(new URL(self.href).searchParams.get('limit')).toBe('10000')
    expect(page.numberReturned).toBe(page.numberMatched)
  })

  test('bbox keeps what intersects it', async () => {
    const bbox = [114.3833, 30.5008, 114.395, 30.508]
    const [r] = await server.db.sql<{ n: number }[]>`
      select count(*)::int as n from buildings where footprint && ST_MakeEnvelope(${bbox[0]!}, ${bbox[1]!}, ${bbox[2]!}, ${bbox[3]!}, 4326)`
    const page = (await (await command.get(`/ogc/collections/buildings/items?bbox=${bbox.join(',')}&limit=1000`)).json()) as Items
    expect(page.numberMatched).toBe(r!.n)
    expect(page.numberReturned).toBe(r!.n)
    expect(r!.n).toBeLessThan(await count('buildings'))
  })

  test('datetime filters hazards by reportedAt (closed interval)', async () => {
    const from = new Date(server.seededAt.getTime() - 7 * 86_400_000).toISOString()
    const to = server.seededAt.toISOString()
    const [r] = await server.db.sql<{ n: number }[]>`
      select count(*)::int as n from hazards where type <> 'lead' and reported_at >= ${from}::timestamptz and reported_at <= ${to}::timestamptz`
    const page = (await (await command.get(`/ogc/collections/hazards/items?datetime=${from}/${to}&limit=1`)).json()) as Items
    expect(page.numberMatched).toBe(r!.n)
    const open = (await (await command.get(`/ogc/collections/hazards/items?datetime=../${to}&limit=1`)).json()) as Items
    expect(open.numberMatched).toBeGreaterThan(r!.n)
  })

  test('a malformed bbox is 400', async () => {
    expect((await command.get('/ogc/collections/buildings/items?bbox=1,2,3')).status).toBe(400)
  })
})

describe('GDAL (OAPIF driver)', () => {
  test('ogrinfo lists every collection', async () => {
    const out = await ogrinfo('-so', `OAPIF:${server.url}/ogc`)
    for (const id of COLLECTIONS) expect(out).toMatch(new RegExp(`^\\d+: ${id} \\(`, 'm'))
  })

  test.each(COLLECTIONS)('ogrinfo reads %s with the feature count of the database', async (id) => {
    const out = await ogrinfo('-al', '-so', `OAPIF:${server.url}/ogc`, id)
    expect(out).toMatch(new RegExp(`Feature Count: ${await count(TABLES[id])}\\b`))
  })

  test('ogrinfo reads every building feature, page after page', async () => {
    const out = await ogrinfo('-al', '-q', `OAPIF:${server.url}/ogc`, 'buildings')
    const ids = (out.match(/^OGRFeature\(buildings\):\d+$/gm) ?? []).map((l) => Number(l.split(':')[1]))
    expect(ids).toHaveLength(await count('buildings'))
    expect(new Set(ids).size).toBe(ids.length)
  })

  test('ogrinfo applies a spatial filter through bbox', async () => {
    const bbox = [114.3833, 30.5008, 114.395, 30.508]
    const [r] = await server.db.sql<{ n: number }[]>`
      select count(*)::int as n from buildings where footprint && ST_MakeEnvelope(${bbox[0]!}, ${bbox[1]!}, ${bbox[2]!}, ${bbox[3]!}, 4326)`
    const out = await ogrinfo('-al', '-q', '-spat', ...bbox.map(String), `OAPIF:${server.url}/ogc`, 'buildings')
    const features = out.match(/^OGRFeature\(buildings\):\d+$/gm) ?? []
    // GDAL refines the bbox on the geometry itself; it can only drop envelope-only matches.
    expect(features.length).toBeGreaterThan(0)
    expect(features.length).toBeLessThanOrEqual(r!.n)
  })
})
