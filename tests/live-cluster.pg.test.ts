import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest'
import { startServer, type RunningServer } from '../server/start.ts'
import { freshDatabase, type FreshDatabase } from './helpers/backend.ts'
import { openSse, type SseEvent } from './helpers/sse.ts'

// Two server processes behind one database hear each other's live events (LISTEN/NOTIFY).
// A real PostgreSQL only (a *.pg.test.ts file runs in the postgres project only): the embedded database serves one process.
describe('live events across server processes', () => {
  let fresh: FreshDatabase
  let a: RunningServer
  let b: RunningServer
  let token: string
  let spot: { lon: number; lat: number }

  const isHazard = (id: number) => (e: SseEvent) => e.event === 'hazard' && (JSON.parse(e.data) as { id: number }).id === id

  async function report(server: RunningServer): Promise<number> {
    const res = await fetch(`${server.url}/api/hazards`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ category: 'poor_lighting', severity: 'minor', location: spot }),
    })
    expect(res.status).toBe(201)
    return ((await res.json()) as { id: number }).id
  }

  beforeAll(async () => {
    fresh = await freshDatabase(inject('template'))
    a = await startServer({ port: 0, databaseUrl: fresh.databaseUrl, dataDir: fresh.dataDir, seedDemo: false })
    b = await startServer({ port: 0, databaseUrl: fresh.databaseUrl, dataDir: fresh.dataDir, seedDemo: false })
    // One session works on both: sessions live in the shared database.
    const res = await fetch(`${a.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'leader', password: 'demo' }),
    })
    token = ((await res.json()) as { token: string }).token
    const [p] = await a.db.sql<{ lon: number; lat: number }[]>`
      select ST_X(ST_PointOnSurface(boundary)) as lon, ST_Y(ST_PointOnSurface(boundary)) as lat from communities order by id limit 1`
    spot = p!
  })
  afterAll(async () => {
    await a?.close()
    await b?.close()
    await fresh?.drop()
  })

  test('a hazard created through process B reaches a stream on process A', async () => {
    const stream = await openSse(a.url, token)
    const id = await report(b)
    const e = await stream.until(isHazard(id), 3000)
    stream.close()
    expect(e).toBeDefined()
  })

  test('a hazard created through process A reaches a stream on process B', async () => {
    const stream = await openSse(b.url, token)
    const id = await report(a)
    const e = await stream.until(isHazard(id), 3000)
    stream.close()
    expect(e).toBeDefined()
  })

  test('the process that wrote the event sends it once, though it hears its own notification', async () => {
    const stream = await openSse(a.url, token)
    const id = await report(a)
    const later = await report(b) // arrives after the first one's notification has certainly been handled
    const got: number[] = []
    for (;;) {
      const e = await stream.next(3000)
      if (!e) break
      const hazard = (JSON.parse(e.data) as { id: number }).id
      got.push(hazard)
      if (hazard === later) break
    }
    stream.close()
    expect(got.filter((h) => h === id)).toEqual([id])
    expect(got).toContain(later)
  })
})
