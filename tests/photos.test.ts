import sharp, { type Sharp } from 'sharp'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { startTestServer, type Client, type TestServer } from './helpers/server.ts'

let server: TestServer
let patrol: Client
let command: Client
let hazardId: number
let otherHazard: number

/** A solid test image of this size and format. */
function image(format: 'jpeg' | 'png' | 'webp', width = 800, height = 600): Sharp {
  const base = sharp({ create: { width, height, channels: 3, background: { r: 200, g: 120, b: 40 } } })
  return format === 'jpeg' ? base.jpeg() : format === 'png' ? base.png() : base.webp()
}

/** A phone-like JPEG: 2400 × 1800, rotated by EXIF orientation 6, with the camera and a GPS position in EXIF. */
async function phoneJpeg(): Promise<Buffer> {
  return image('jpeg', 2400, 1800)
    .withMetadata({ orientation: 6 })
    .withExifMerge({
      IFD0: { Make: 'TestPhone', Model: 'Leaky 1' },
      IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '30/1 30/1 1234/100', GPSLongitudeRef: 'E', GPSLongitude: '114/1 23/1 4567/100' },
    })
    .toBuffer()
}

function form(bytes: Uint8Array, name: string, type: string): FormData {
  const fd = new FormData()
  fd.append('photo', new Blob([new Uint8Array(bytes)], { type }), name)
  return fd
}

async function upload(client: Client, id: number, bytes: Uint8Array, name = 'photo.jpg', type = 'image/jpeg'): Promise<Response> {
  return client.send('POST', `/api/hazards/${id}/photos`, form(bytes, name, type))
}

async function expectProblem(res: Response, status: number): Promise<void> {
  expect(res.status).toBe(status)
  expect(res.headers.get('content-type')).toContain('application/problem+json')
  const body = (await res.json()) as { status: number }
  expect(body.status).toBe(status)
}

async function countPhotos(): Promise<number> {
  const [row] = await server.db.sql<{ n: number }[]>`select count(*)::int as n from hazard_photos`
  return row!.n
}

beforeAll(async () => {
  server = await startTestServer()
  patrol = await server.login('patrol')
  command = await server.login('command')
  const [h] = await server.db.sql<{ id: number }[]>`select id from hazards order by id limit 1`
  hazardId = h!.id
  const [c] = await server.db.sql<{ id: number }[]>`
    insert into communities (name, utm_srid, boundary)
    values ('测试社区B', 32650, ST_Multi(ST_MakeEnvelope(114.50, 30.60, 114.51, 30.61, 4326))) returning id`
  const [o] = await server.db.sql<{ id: number }[]>`
    insert into hazards (community_id, category, severity, status, geom, reported_at, due_at)
    values (${c!.id}, 'other', 'minor', 'reported', ST_SetSRID(ST_MakePoint(114.505, 30.605), 4326), now(), now() + interval '1 day')
    returning id`
  otherHazard = o!.id
})
afterAll(async () => {
  await server?.close()
})

test('a phone JPEG is stored upright, at most 1600 px, without EXIF or GPS', async () => {
  const input = await phoneJpeg()
  const meta = await sharp(input).metadata()
  expect(meta.exif?.toString('latin1')).toContain('TestPhone')
  expect(meta.exif?.indexOf(Buffer.from([0x25, 0x88]))).toBeGreaterThan(0) // the GPS IFD pointer tag (0x8825)

  const res = await upload(patrol, hazardId, input)
  expect(res.status).toBe(201)
  const body = (await res.json()) as { id: number; url: string; width: number; height: number; mime: string }
  expect(body).toMatchObject({ url: `/api/hazards/${hazardId}/photos/${body.id}`, mime: 'image/jpeg', width: 1200, height: 1600 })

  const full = await patrol.get(body.url)
  expect(full.status).toBe(200)
  expect(full.headers.get('content-type')).toBe('image/jpeg')
  const bytes = Buffer.from(await full.arrayBuffer())
  const out = await sharp(bytes).metadata()
  expect(out.format).toBe('jpeg')
  expect([out.width, out.height]).toEqual([1200, 1600])
  expect(out.exif).toBeUndefined()
  expect(out.xmp).toBeUndefined()
  expect(out.orientation ?? 1).toBe(1)
  expect(bytes.includes('TestPhone')).toBe(false)
})

test.each([
  ['png', 'image/png'],
  ['webp', 'image/webp'],
] as const)('a %s photo is accepted and kept in its format', async (format, mime) => {
  const res = await upload(patrol, hazardId, await image(format).toBuffer(), `p.${format}`, mime)
  expect(res.status).toBe(201)
  const { url } = (await res.json()) as { url: string }
  const full = await patrol.get(url)
  expect(full.headers.get('content-type')).toBe(mime)
  expect((await sharp(Buffer.from(await full.arrayBuffer())).metadata()).format).toBe(format)
})

test('the type is sniffed from the bytes, not the declared type', async () => {
  const res = await upload(patrol, hazardId, await image('png').toBuffer(), 'looks.jpg', 'image/jpeg')
  expect(res.status).toBe(201)
  expect(((await res.json()) as { mime: string }).mime).toBe('image/png')
})

test('a thumbnail fits in 320 px', async () => {
  const res = await upload(patrol, hazardId, await image('jpeg', 1000, 500).toBuffer())
  const { url } = (await res.json()) as { url: string }
  const thumb = await patrol.get(`${url}?size=thumb`)
  expect(thumb.status).toBe(200)
  const meta = await sharp(Buffer.from(await thumb.arrayBuffer())).metadata()
  expect([meta.width, meta.height]).toEqual([320, 160])
})

test('the hazard lists its photos', async () => {
  const f = (await (await command.get(`/api/hazards/${hazardId}`)).json()) as { properties: { photos: { id: number; url: string }[] } }
  expect(f.properties.photos.length).toBeGreaterThan(0)
  expect(f.properties.photos.every((p) => p.url === `/api/hazards/${hazardId}/photos/${p.id}`)).toBe(true)
})

test('a text file renamed .jpg is refused (415) and nothing is stored', async () => {
  const before = await countPhotos()
  await expectProblem(await upload(patrol, hazardId, new TextEncoder().encode('just some text, not a picture\n'.repeat(20)), 'fake.jpg'), 415)
  expect(await countPhotos()).toBe(before)
})

test('a damaged JPEG is refused (422)', async () => {
  const bytes = new Uint8Array(4096)
  bytes.set([0xff, 0xd8, 0xff, 0xe0])
  await expectProblem(await upload(patrol, hazardId, bytes), 422)
})

test('a photo over 10 MB is refused with a 413 problem', async () => {
  const before = await countPhotos()
  const big = new Uint8Array(10 * 1024 * 1024 + 100_000)
  big.set([0xff, 0xd8, 0xff, 0xe0])
  await expectProblem(await upload(patrol, hazardId, big), 413)
  expect(await countPhotos()).toBe(before)
})

test('a photo of 1.5 MB passes the app-wide 1 MB body limit', async () => {
  // Random noise does not compress, so the PNG is large.
  const noise = Buffer.alloc(900 * 600 * 3)
  for (let i = 0; i < noise.length; i++) noise[i] = (i * 2654435761) >>> 24
  const png = await sharp(noise, { raw: { width: 900, height: 600, channels: 3 } }).png({ compressionLevel: 0 }).toBuffer()
  expect(png.length).toBeGreaterThan(1024 * 1024)
  expect((await upload(patrol, hazardId, png, 'big.png', 'image/png')).status).toBe(201)
})

test('no photo field is a 400 problem', async () => {
  const fd = new FormData()
  fd.append('file', 'nothing')
  await expectProblem(await patrol.send('POST', `/api/hazards/${hazardId}/photos`, fd), 400)
})

test('another community’s hazard takes no photos and shows none (404)', async () => {
  await expectProblem(await upload(patrol, otherHazard, await image('jpeg').toBuffer()), 404)
  const [row] = await server.db.sql<{ id: number }[]>`
    insert into hazard_photos (community_id, hazard_id, mime, bytes)
    select community_id, id, 'image/jpeg', '\\xffd8ff'::bytea from hazards where id = ${otherHazard} returning id`
  await expectProblem(await patrol.get(`/api/hazards/${otherHazard}/photos/${row!.id}`), 404)
})

test('a photo id of another hazard is a 404 problem', async () => {
  const res = await upload(patrol, hazardId, await image('jpeg').toBuffer())
  const { id } = (await res.json()) as { id: number }
  const [other] = await server.db.sql<{ id: number }[]>`select id from hazards where id <> ${hazardId} and community_id = (select community_id from hazards where id = ${hazardId}) limit 1`
  await expectProblem(await patrol.get(`/api/hazards/${other!.id}/photos/${id}`), 404)
})

test('the same upload sent again with its Idempotency-Key returns the first photo (200) and stores nothing new', async () => {
  const bytes = await image('jpeg', 400, 300).toBuffer()
  const headers = { 'idempotency-key': 'phone-7:photo-1' }
  const first = await patrol.send('POST', `/api/hazards/${hazardId}/photos`, form(bytes, 'a.jpg', 'image/jpeg'), headers)
  expect(first.status).toBe(201)
  const before = await countPhotos()
  const again = await patrol.send('POST', `/api/hazards/${hazardId}/photos`, form(bytes, 'a.jpg', 'image/jpeg'), headers)
  expect(again.status).toBe(200)
  expect(((await again.json()) as { id: number }).id).toBe(((await first.json()) as { id: number }).id)
  expect(await countPhotos()).toBe(before)
})

test('a clientId form field makes the upload idempotent too', async () => {
  const bytes = await image('png', 200, 200).toBuffer()
  const withId = () => {
    const f = form(bytes, 'b.png', 'image/png')
    f.append('clientId', 'form-photo-1')
    return f
  }
  expect((await patrol.send('POST', `/api/hazards/${hazardId}/photos`, withId())).status).toBe(201)
  const before = await countPhotos()
  expect((await patrol.send('POST', `/api/hazards/${hazardId}/photos`, withId())).status).toBe(200)
  expect(await countPhotos()).toBe(before)
})

test('an empty Idempotency-Key is a 400 problem and stores nothing', async () => {
  const before = await countPhotos()
  const res = await patrol.send('POST', `/api/hazards/${hazardId}/photos`, form(await image('png', 50, 50).toBuffer(), 'c.png', 'image/png'), { 'idempotency-key': ' ' })
  await expectProblem(res, 400)
  expect(await countPhotos()).toBe(before)
})
