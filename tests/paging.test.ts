import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { hashPassword } from '../server/domain/password.ts'
import { createUser } from '../server/queries/users.ts'
import { startTestServer, type Client, type TestServer } from './helpers/server.ts'

/**
 * Unbounded lists are paged or bounded (issue #21): `GET /api/hazards` by cursor, the large layers of
 * a caller who sees several communities only by community or a small bbox.
 */

interface Page {
  type: 'FeatureCollection'
  features: { id: number; properties: { reportedAt: string } }[]
  next: string | null
  limit: number
}

let server: TestServer
let admin: Client
let command: Client
/** An admin of no street office: sees every community. */
let cityAdmin: Client

beforeAll(async () => {
  server = await startTestServer()
  admin = await server.login('admin')
  command = await server.login('command')
  await createUser(server.db.sql, { username: 'pg-city', name: '全市管理员', role: 'admin', passwordHash: await hashPassword('pg-secret-1') })
  cityAdmin = await server.login('pg-city', 'pg-secret-1')
})
afterAll(async () => {
  await server?.close()
})

describe('GET /api/hazards', () => {
  test('pages of 100 by cursor hold every hazard once, newest first, as the whole download does', async () => {
    const all = (await (await admin.get('/api/hazards?status=verified&format=geojson')).json()) as Page
    expect(all.features.length).toBeGreaterThan(250)
    const seen: number[] = []
    let url: string | null = '/api/hazards?status=verified&limit=100'
    let pages = 0
    while (url) {
      const res = await admin.get(url)
      expect(res.status).toBe(200)
      const page = (await res.json()) as Page
      expect(page.type).toBe('FeatureCollection')
      expect(page.limit).toBe(100)
      expect(page.features.length).toBeLessThanOrEqual(100)
      seen.push(...page.features.map((f) => f.id))
      pages++
      if (page.next) {
        expect(res.headers.get('link')).toContain('rel="next"')
        url = `/api/hazards?status=verified&limit=100&cursor=${page.next}`
      } else url = null
    }
    expect(pages).toBe(Math.ceil(all.features.length / 100))
    expect(seen).toEqual(all.features.map((f) => f.id))
    expect(new Set(seen).size).toBe(seen.length)
  })

  test('without limit a page holds at most 1,000', async () => {
    const page = (await (await admin.get('/api/hazards')).json()) as Page
    expect(page.limit).toBe(1000)
    expect(page.features.length).toBeLessThanOrEqual(1000)
  })

  test('a hazard reported while paging does not shift the pages', async () => {
    const first = (await (await admin.get('/api/hazards?limit=20')).json()) as Page
    const [c] = await server.db.sql<{ lon: number; lat: number }[]>`select ST_X(ST_Centroid(boundary)) as lon, ST_Y(ST_Centroid(boundary)) as lat from communities order by id limit 1`
    expect((await admin.post('/api/hazards', { category: 'other', severity: 'minor', location: c })).status).toBe(201)
    const second = (await (await admin.get(`/api/hazards?limit=20&cursor=${first.next}`)).json()) as Page
    const ids = new Set(first.features.map((f) => f.id))
    expect(second.features.some((f) => ids.has(f.id))).toBe(false)
    expect(Date.parse(second.features[0]!.properties.reportedAt)).toBeLessThanOrEqual(Date.parse(first.features.at(-1)!.properties.reportedAt))
  })

  test('a forged cursor or a limit over 5,000 is a 400 problem', async () => {
    for (const q of ['cursor=abc', 'cursor=' + Buffer.from('["x",1]').toString('base64url'), 'limit=5001', 'limit=0']) {
      const res = await admin.get(`/api/hazards?${q}`)
      expect(res.status, q).toBe(400)
      expect(res.headers.get('content-type')).toContain('problem+json')
    }
  })
})

describe('GET /api/layers/buildings', () => {
  test('a caller who sees every community needs communityId or a bbox', async () => {
    const res = await cityAdmin.get('/api/layers/buildings')
    expect(res.status).toBe(400)
    expect(((await res.json()) as { detail: string }).detail).toContain('/api/tiles/buildings')
  })

  test('a bbox larger than 0.1° is refused; a smaller one or a community is answered', async () => {
    expect((await cityAdmin.get('/api/layers/buildings?bbox=114.0,30.0,114.5,30.5')).status).toBe(400)
    const small = await cityAdmin.get('/api/layers/buildings?bbox=114.3833,30.5008,114.3950,30.5080')
    expect(small.status).toBe(200)
    expect(((await small.json()) as Page).features.length).toBeGreaterThan(0)
    const [c] = await server.db.sql<{ id: number }[]>`select id from communities order by id limit 1`
    expect((await cityAdmin.get(`/api/layers/buildings?communityId=${c!.id}`)).status).toBe(200)
  })

  test('a caller of one community still gets its whole layer', async () => {
    expect((await command.get('/api/layers/buildings')).status).toBe(200)
  })
})

describe('GET /api/tracks', () => {
  interface TrackPage {
    features: { id: string; properties: { deviceId: string } }[]
    next: string | null
    limit: number
  }
  const window = () => {
    const to = new Date()
    return `from=${new Date(to.getTime() - 7 * 86_400_000).toISOString()}&to=${to.toISOString()}`
  }

  test('pages of two devices by cursor hold every run once, as the whole download does', async () => {
    const w = window()
    const all = (await (await admin.get(`/api/tracks?${w}&format=geojson`)).json()) as TrackPage
    const devices = [...new Set(all.features.map((f) => f.properties.deviceId))]
    expect(devices.length).toBeGreaterThan(2)
    const seen: string[] = []
    let cursor: string | null = null
    let pages = 0
    do {
      const res = await admin.get(`/api/tracks?${w}&limit=2${cursor ? `&cursor=${cursor}` : ''}`)
      expect(res.status).toBe(200)
      const page = (await res.json()) as TrackPage
      expect(page.limit).toBe(2)
      expect(new Set(page.features.map((f) => f.properties.deviceId)).size).toBeLessThanOrEqual(2)
      seen.push(...page.features.map((f) => f.id))
      if (page.next) expect(res.headers.get('link')).toContain('rel="next"')
      cursor = page.next
      pages++
    } while (cursor)
    expect(pages).toBe(Math.ceil(devices.length / 2))
    expect(seen).toEqual(all.features.map((f) => f.id))
  })

  test('a forged cursor or a limit over 1,000 devices is a 400 problem', async () => {
    for (const q of ['cursor=abc', 'limit=1001', 'limit=0']) {
      const res = await admin.get(`/api/tracks?${window()}&${q}`)
      expect(res.status, q).toBe(400)
      expect(res.headers.get('content-type')).toContain('problem+json')
    }
  })
})
