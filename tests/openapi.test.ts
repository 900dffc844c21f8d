import { readFile } from 'node:fs/promises'
import Ajv from 'ajv'
import draft4 from 'ajv/lib/refs/json-schema-draft-04.json' with { type: 'json' }
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { createApp } from '../server/app.ts'
import { LiveHub } from '../server/live/hub.ts'
import { openApiPath, type Json, type OpenApiDocument } from '../server/openapi/document.ts'
import { typesOf } from '../server/openapi/typescript.ts'
import { LAYERS } from '../server/queries/layers.ts'
import { heldOutExtract, rectangle, toKml, toOsmXml } from './helpers/map-files.ts'
import { startTestServer, type Client, type TestServer } from './helpers/server.ts'

/*
 * The OpenAPI document (GET /api/openapi.json, server/openapi/): it lists every route the app
 * registers, it is a structurally sound OpenAPI 3.0 document, the real answers of the seeded demo
 * match the response schemas it declares, and every endpoint docs/api.md names is in it.
 */

let server: TestServer
let admin: Client
let doc: OpenApiDocument
let live: LiveHub
let appRoutes: { method: string; path: string }[]

const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const

beforeAll(async () => {
  server = await startTestServer()
  admin = await server.login('admin')
  const res = await server.get('/api/openapi.json')
  expect(res.status).toBe(200)
  doc = (await res.json()) as OpenApiDocument
  // A second app over the same database, only to read what it registers (a web root adds the SPA fallback).
  live = new LiveHub()
  appRoutes = createApp({ sql: server.db.sql, live, webRoot: 'dist' }).routes.map((r) => ({ method: r.method, path: r.path }))
})
afterAll(async () => {
  live?.close()
  await server?.close()
})

/** Every operation of the document as `[METHOD, path, operation]`. */
function operations(): [string, string, Json][] {
  return Object.entries(doc.paths).flatMap(([path, item]) => METHODS.filter((m) => item[m]).map((m): [string, string, Json] => [m.toUpperCase(), path, item[m]!]))
}

describe('routes', () => {
  /**
   * Registered routes left out of the document on purpose, each with its reason. Routes of method
   * ALL are middleware mounted with `use()` (sign-in, body limits, exports, permissions of a whole
   * sub-app, the `/api/*` 404), not operations, and are not listed here.
   */
  const EXCLUDED = new Set([
    // The web app's pages (SPA fallback to index.html), not part of the API.
    'GET /*',
  ])

  test('every route the app registers is in the document', () => {
    const documented = new Set(operations().map(([m, p]) => `${m} ${p}`))
    const missing = appRoutes.filter((r) => r.method !== 'ALL' && !EXCLUDED.has(`${r.method} ${r.path}`) && !documented.has(`${r.method} ${openApiPath(r.path)}`))
    expect([...new Set(missing.map((r) => `${r.method} ${r.path}`))]).toEqual([])
    expect(documented.size).toBeGreaterThanOrEqual(80)
  })

  test('every operation of the document is a registered route', () => {
    const registered = new Set(appRoutes.map((r) => `${r.method} ${openApiPath(r.path)}`))
    expect(operations().map(([m, p]) => `${m} ${p}`).filter((k) => !registered.has(k))).toEqual([])
  })

  test('request schemas come from the routes’ own validators', () => {
    const list = doc.paths['/api/hazards']!.get!
    const names = (list.parameters as { name: string; in: string }[]).map((p) => `${p.in}:${p.name}`)
    expect(names).toEqual(expect.arrayContaining(['query:status', 'query:bbox', 'query:communityId', 'query:limit', 'query:cursor']))
    const create = doc.paths['/api/hazards']!.post!.requestBody as { content: Record<string, { schema: { required: string[] } }> }
    expect(create.content['application/json']!.schema.required).toEqual(expect.arrayContaining(['category', 'severity', 'location']))
    const photo = doc.paths['/api/hazards/{id}/photos']!.post!.requestBody as { content: Record<string, { schema: { properties: Record<string, Json> } }> }
    expect(photo.content['multipart/form-data']!.schema.properties.photo).toEqual({ type: 'string', format: 'binary' })
    // A whole sub-app's permission (users: manageUsers) reaches each of its operations.
    expect(doc.paths['/api/users']!.get!['x-permission']).toBe('manageUsers')
    expect(doc.paths['/api/zones']!.post!['x-roles']).toEqual(['admin', 'planner'])
  })
})

describe('structure', () => {
  test('web/api/openapi-types.ts is the TypeScript of this document (npm run openapi-types writes it)', async () => {
    expect(await readFile('web/api/openapi-types.ts', 'utf8')).toBe(typesOf(doc))
  })

  test('the required fields of OpenAPI 3.0 are there', () => {
    expect(doc.openapi).toMatch(/^3\.0\.\d+$/)
    expect(typeof doc.info.title).toBe('string')
    expect(typeof doc.info.version).toBe('string')
    const ids = new Set<string>()
    const tags = new Set(doc.tags.map((t) => t.name))
    for (const [method, path, op] of operations()) {
      const where = `${method} ${path}`
      expect(path, where).toMatch(/^\//)
      expect(typeof op.operationId, where).toBe('string')
      expect(ids.has(op.operationId as string), `${where}: operationId unique`).toBe(false)
      ids.add(op.operationId as string)
      expect(typeof op.summary, where).toBe('string')
      for (const tag of op.tags as string[]) expect(tags.has(tag), `${where}: tag ${tag}`).toBe(true)
      const responses = op.responses as Record<string, Json>
      expect(Object.keys(responses).length, where).toBeGreaterThan(0)
      for (const [status, r] of Object.entries(responses)) {
        expect(status, where).toMatch(/^([1-5]\d\d|default)$/)
        expect(typeof r.description, `${where} ${status}`).toBe('string')
      }
      const params = (op.parameters ?? []) as Json[]
      for (const p of params) {
        expect(typeof p.name, where).toBe('string')
        expect(['path', 'query', 'header', 'cookie'], where).toContain(p.in)
        expect(p.schema, `${where} ${String(p.name)}`).toBeTypeOf('object')
        if (p.in === 'path') expect(p.required, `${where} ${String(p.name)}`).toBe(true)
      }
      expect(new Set(params.map((p) => `${String(p.in)}:${String(p.name)}`)).size, `${where}: parameters unique`).toBe(params.length)
      // Each {name} of the path is a path parameter, and each path parameter is in the path.
      const inPath = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]).sort()
      expect(params.filter((p) => p.in === 'path').map((p) => p.name).sort(), where).toEqual(inPath)
      const security = (op.security ?? doc.security) as Record<string, string[]>[]
      for (const s of security) for (const name of Object.keys(s)) expect(doc.components.securitySchemes[name], `${where}: scheme ${name}`).toBeDefined()
    }
  })

  test('the official OpenAPI 3.0 schema accepts the document (and refuses a broken copy)', async () => {
    // tests/fixtures/openapi-3.0-schema.json: https://spec.openapis.org/oas/3.0/schema/2021-09-28 (OpenAPI Initiative,
    // Apache-2.0), as shipped by openapi-spec-validator; JSON Schema draft 4.
    const schema = JSON.parse(await readFile('tests/fixtures/openapi-3.0-schema.json', 'utf8')) as Json
    const ajv = new Ajv({ schemaId: 'auto', allErrors: true, unknownFormats: 'ignore' })
    ajv.addMetaSchema(draft4)
    const validate = ajv.compile(schema)
    const ok = validate(doc)
    expect(ok ? [] : validate.errors!.slice(0, 5).map((e) => `${e.dataPath} ${e.message}`)).toEqual([])
    const broken = structuredClone(doc)
    broken.paths['/api/health']!.get!.responses = {}
    expect(validate(broken)).toBe(false)
  })

  test('every $ref resolves', () => {
    const refs: string[] = []
    const walk = (node: unknown): void => {
      if (Array.isArray(node)) node.forEach(walk)
      else if (node && typeof node === 'object') {
        for (const [key, value] of Object.entries(node)) {
          if (key === '$ref' && typeof value === 'string') refs.push(value)
          else walk(value)
        }
      }
    }
    walk(doc)
    expect(refs.length).toBeGreaterThan(100)
    const unresolved = [...new Set(refs)].filter((ref) => {
      if (!ref.startsWith('#/')) return true
      let node: unknown = doc
      for (const part of ref.slice(2).split('/')) node = node && typeof node === 'object' ? (node as Record<string, unknown>)[part.replace(/~1/g, '/').replace(/~0/g, '~')] : undefined
      return node === undefined
    })
    expect(unresolved).toEqual([])
  })

  test('only keywords of the OpenAPI 3.0 Schema Object are used, and every schema compiles', () => {
    // OpenAPI 3.0 schemas are a subset of JSON Schema draft 4/5 plus nullable, discriminator, readOnly, …
    const ALLOWED = new Set([
      'title', 'multipleOf', 'maximum', 'exclusiveMaximum', 'minimum', 'exclusiveMinimum', 'maxLength', 'minLength', 'pattern',
      'maxItems', 'minItems', 'uniqueItems', 'maxProperties', 'minProperties', 'required', 'enum', 'type', 'allOf', 'oneOf',
      'anyOf', 'not', 'items', 'properties', 'additionalProperties', 'description', 'format', 'default', 'nullable',
      'discriminator', 'readOnly', 'writeOnly', 'xml', 'externalDocs', 'example', 'deprecated', '$ref',
    ])
    const bad: string[] = []
    const check = (schema: Json, where: string): void => {
      for (const [key, value] of Object.entries(schema)) {
        if (!ALLOWED.has(key) && !key.startsWith('x-')) bad.push(`${where}: ${key}`)
        if (key === 'properties') for (const [name, s] of Object.entries(value as Record<string, Json>)) check(s, `${where}.${name}`)
        else if (key === 'items' || key === 'not' || (key === 'additionalProperties' && typeof value === 'object')) check(value as Json, `${where}.${key}`)
        else if (key === 'allOf' || key === 'anyOf' || key === 'oneOf') (value as Json[]).forEach((s, i) => check(s, `${where}.${key}[${i}]`))
        else if (key === 'type') expect(['string', 'number', 'integer', 'boolean', 'array', 'object'], where).toContain(value)
      }
    }
    for (const [name, schema] of Object.entries(doc.components.schemas)) check(schema, name)
    for (const [method, path, op] of operations()) {
      for (const p of (op.parameters ?? []) as Json[]) check(p.schema as Json, `${method} ${path} ${String(p.name)}`)
      const body = op.requestBody as { content: Record<string, { schema: Json }> } | undefined
      for (const [type, c] of Object.entries(body?.content ?? {})) check(c.schema, `${method} ${path} ${type}`)
    }
    expect(bad).toEqual([])
    const ajv = validator()
    for (const name of Object.keys(doc.components.schemas)) expect(() => ajv.compile({ $ref: `openapi#/components/schemas/${name}` }), name).not.toThrow()
  })
})

/** A JSON-schema validator that knows the document's components (`nullable` as OpenAPI 3.0 means it). */
function validator(): Ajv.Ajv {
  const ajv = new Ajv({ nullable: true, unknownFormats: 'ignore', validateSchema: false, allErrors: true })
  ajv.addSchema({ components: doc.components }, 'openapi')
  return ajv
}

describe('responses', () => {
  /** The documented answer of `METHOD path` with this status: its media type and schema. */
  function documented(method: string, path: string, status: number): { type: string; schema: Json | undefined } {
    // A literal path first (/api/hazards/spot-checks before /api/hazards/{id}), then fewer parameters first.
    const params = (p: string) => (p.match(/\{/g) ?? []).length
    const template = Object.keys(doc.paths)
      .sort((a, b) => params(a) - params(b))
      .find((p) => new RegExp(`^${p.replace(/\{[^}]+\}/g, '[^/]+')}$`).test(path))
    expect(template, `${method} ${path} is documented`).toBeDefined()
    const op = doc.paths[template!]![method.toLowerCase()]!
    const responses = op.responses as Record<string, { content?: Record<string, { schema?: Json }> }>
    const response = responses[String(status)] ?? responses.default
    expect(response, `${method} ${path} ${status} is documented`).toBeDefined()
    const [type, content] = Object.entries(response!.content ?? {})[0] ?? ['', {}]
    return { type, schema: content.schema }
  }

  /** Fetch `path`, and check the answer's media type and body against the document. */
  async function conforms(path: string, status = 200, client: { get: (p: string) => Promise<Response> } = admin): Promise<unknown> {
    return check('GET', path, await client.get(path), status)
  }

  /** Send `METHOD path` with a body, and check the answer against the document. */
  async function sends(client: Client, method: string, path: string, body: unknown, status: number): Promise<unknown> {
    return check(method, path, await client.send(method, path, body), status)
  }

  async function check(method: string, path: string, res: Response, status: number): Promise<unknown> {
    const text = await res.text()
    expect(res.status, `${method} ${path}: ${res.status} ${text.slice(0, 300)}`).toBe(status)
    const { type, schema } = documented(method, path.split('?')[0]!, status)
    expect(res.headers.get('content-type') ?? '', path).toContain(type.split(';')[0])
    const body: unknown = JSON.parse(text)
    expect(schema, `${path}: a schema`).toBeDefined()
    const validate = validator().compile({ $ref: `openapi${schema!.$ref as string}` })
    const ok = validate(body)
    expect(ok ? [] : validate.errors!.slice(0, 5).map((e) => `${e.dataPath} ${e.message}`), `${method} ${path}`).toEqual([])
    return body
  }

  const window = () => {
    const to = new Date(server.seededAt.getTime() + 60_000)
    const from = new Date(to.getTime() - 7 * 86_400_000)
    return `from=${encodeURIComponent(from.toISOString())}&to=${encodeURIComponent(to.toISOString())}`
  }

  test('health and config (no sign-in) and the signed-in user', async () => {
    await conforms('/api/health', 200, server)
    await conforms('/api/config', 200, server)
    await conforms('/api/auth/me')
  })

  test('a new community', async () => {
    const square = [[114.6, 30.6], [114.602, 30.6], [114.602, 30.602], [114.6, 30.602], [114.6, 30.6]]
    const made = (await sends(admin, 'POST', '/api/communities', { type: 'Feature', geometry: { type: 'Polygon', coordinates: [square] }, properties: { name: 'OpenAPI 社区' } }, 201)) as { properties: { name: string } }
    expect(made.properties.name).toBe('OpenAPI 社区')
  })

  test('communities and a map layer', async () => {
    const body = (await conforms('/api/communities')) as { features: unknown[] }
    expect(body.features.length).toBeGreaterThan(0)
    await conforms('/api/layers/buildings?communityId=1')
  })

  test('every map layer matches the schema of its own layer', async () => {
    const SCHEMAS: Record<string, string> = {
      communities: 'CommunityLayer',
      compounds: 'CompoundLayer',
      buildings: 'BuildingLayer',
      'key-places': 'KeyPlaceLayer',
      zones: 'ZoneLayer',
      roads: 'RoadLayer',
      water: 'WaterLayer',
    }
    expect(Object.keys(SCHEMAS).sort()).toEqual([...LAYERS].sort())
    for (const [layer, name] of Object.entries(SCHEMAS)) {
      const body = (await conforms(`/api/layers/${layer}?communityId=1`)) as { features: unknown[] }
      if (layer !== 'water') expect(body.features.length, layer).toBeGreaterThan(0)
      const validate = validator().compile({ $ref: `openapi#/components/schemas/${name}` })
      const ok = validate(body)
      expect(ok ? [] : validate.errors!.slice(0, 5).map((e) => `${e.dataPath} ${e.message}`), layer).toEqual([])
    }
  })

  test('a community import job and the features it read', async () => {
    const part = heldOutExtract({ west: 114.392, east: 114.396, dx: 0.06, dy: 0.03 })
    const [minx, miny, maxx, maxy] = part.bbox
    const form = new FormData()
    form.append('name', 'OpenAPI 导入')
    form.append('boundary', new Blob([toKml(rectangle(minx - 0.0005, miny - 0.0005, maxx + 0.0005, maxy + 0.0005))]), 'boundary.kml')
    form.append('data', new Blob([toOsmXml(part)]), 'extract.osm')
    const queued = (await check('POST', '/api/community-imports', await admin.post('/api/community-imports', form), 202)) as { id: number }
    let status = ''
    for (let i = 0; i < 600 && !['ready', 'failed'].includes(status); i++) {
      status = ((await conforms(`/api/community-imports/${queued.id}`)) as { status: string }).status
      if (!['ready', 'failed'].includes(status)) await new Promise((r) => setTimeout(r, 100))
    }
    expect(status).toBe('ready')
    const features = (await conforms(`/api/community-imports/${queued.id}/features`)) as { features: { properties: { layer: string } }[] }
    expect(features.features.some((f) => f.properties.layer === 'buildings')).toBe(true)
    await conforms(`/api/community-imports/${queued.id}/features?status=refused&layer=other`)
  })

  test('hazards: a page, and one hazard with its events', async () => {
    const page = (await conforms('/api/hazards?limit=100')) as { features: { id: number }[] }
    expect(page.features.length).toBe(100)
    await conforms(`/api/hazards/${page.features[0]!.id}`)
    await conforms(`/api/hazards/${page.features[99]!.id}`)
  })

  test('zones: list, one zone, check and statistics', async () => {
    const zones = (await conforms('/api/zones')) as { features: { id: number }[] }
    await conforms(`/api/zones/${zones.features[0]!.id}`)
    await conforms(`/api/zones/${zones.features[0]!.id}/versions`)
    await conforms('/api/zones/check?communityId=1')
    await conforms('/api/zones/stats')
  })

  test('statistics and the trend', async () => {
    await conforms('/api/stats')
    await conforms('/api/stats/trend?days=14')
  })

  test('hot spots, clusters and recurrences', async () => {
    const hot = (await conforms('/api/analysis/hotspots?communityId=1&days=90')) as { features: unknown[] }
    expect(hot.features.length).toBeGreaterThan(0)
    await conforms('/api/analysis/clusters?communityId=1&days=90')
    await conforms('/api/analysis/recurrences?communityId=1&days=90')
  })

  test('coverage and its calendar', async () => {
    await conforms(`/api/analysis/coverage?${window()}`)
    await conforms('/api/analysis/coverage/calendar')
  })

  test('people, teams, users, devices, a building', async () => {
    const people = (await conforms('/api/people')) as { items: { id: number }[] }
    await conforms(`/api/people/${people.items[0]!.id}`)
    const teams = (await conforms('/api/teams')) as { items: { id: number }[] }
    await conforms(`/api/teams/${teams.items[0]!.id}`)
    const users = (await conforms('/api/users')) as { items: { id: number }[] }
    await conforms(`/api/users/${users.items[0]!.id}`)
    await conforms('/api/devices')
    await conforms('/api/buildings/1')
  })

  test('tracks, flags, check-ins, key places, the audit log', async () => {
    await conforms(`/api/tracks?${window()}`)
    await conforms(`/api/tracks/flags?${window()}`)
    await conforms(`/api/checkins?${window()}`)
    await conforms('/api/key-places')
    await conforms('/api/audit')
  })

  test('the OGC API – Features service', async () => {
    await conforms('/ogc')
    await conforms('/ogc/conformance')
    await conforms('/ogc/collections')
    const items = (await conforms('/ogc/collections/hazards/items?limit=5')) as { features: { id: number }[] }
    await conforms(`/ogc/collections/hazards/items/${items.features[0]!.id}`)
  })

  test('no answer is left undescribed (AnyObject/AnyList) but the document itself', () => {
    const loose: string[] = []
    for (const [method, path, op] of operations()) {
      for (const [status, r] of Object.entries(op.responses as Record<string, { content?: Record<string, { schema?: Json }> }>)) {
        for (const c of Object.values(r.content ?? {})) {
          if (/\/(AnyObject|AnyList)$/.test(String(c.schema?.$ref))) loose.push(`${method} ${path} ${status}`)
        }
      }
    }
    expect(loose).toEqual(['GET /api/openapi.json 200'])
  })

  test('setup, imports, the report, reset password, key place by code', async () => {
    await conforms('/api/setup', 200, server)
    await conforms('/api/community-imports')
    await conforms('/api/reports/week?format=json')
    const places = (await conforms('/api/key-places')) as { items: { code: string }[] }
    await conforms(`/api/key-places/by-code/${places.items[0]!.code}`)
    const users = (await conforms('/api/users')) as { items: { id: number; username: string }[] }
    const patrolUser = users.items.find((u) => u.username === 'patrol')!
    const planner = users.items.find((u) => u.username === 'planner')!
    await sends(admin, 'POST', `/api/users/${planner.id}/reset-password`, {}, 200)
    expect(patrolUser).toBeDefined()
  })

  test('matters: the list, one matter, spot checks, escalate, comment, remind', async () => {
    const page = (await conforms('/api/matters?limit=100')) as { features: { id: number; geometry: { coordinates: number[] }; properties: { status: string; type: string; level: string } }[] }
    await conforms(`/api/matters/${page.features[0]!.id}`)
    await conforms(`/api/hazards/spot-checks?${window()}`)
    const open = page.features.find((f) => f.properties.status === 'dispatched' && f.properties.type !== 'lead' && f.properties.level !== 'street')
    expect(open).toBeDefined()
    await sends(admin, 'POST', `/api/hazards/${open!.id}/comments`, { note: 'OpenAPI check' }, 201)
    await sends(admin, 'POST', `/api/hazards/${open!.id}/remind`, { note: 'OpenAPI check' }, 201)
    await sends(admin, 'POST', `/api/hazards/${open!.id}/escalate`, { level: 'street', reason: 'OpenAPI check' }, 200)
    const [lon, lat] = open!.geometry.coordinates
    await conforms(`/api/route/walk?from=${lon! + 0.001},${lat}&hazardId=${open!.id}`)
    const other = page.features.find((f) => f.properties.status === 'dispatched' && f.properties.type !== 'lead' && f.id !== open!.id)
    expect(other).toBeDefined()
    await sends(admin, 'POST', `/api/hazards/${other!.id}/rectify`, { note: 'OpenAPI check', clientId: 'openapi-rectify' }, 201)
  })

  test('partner units, posters, alert channels', async () => {
    const units = (await conforms('/api/units')) as { items: { id: number }[] }
    await conforms(`/api/units/${units.items[0]!.id}`)
    await conforms('/api/posters')
    const channels = (await conforms('/api/alert-channels')) as { items: { id: number }[] }
    if (channels.items.length === 0) {
      const made = (await sends(admin, 'POST', '/api/alert-channels', { communityId: 1, name: 'OpenAPI', provider: 'webhook', url: 'https://hooks.example.com/openapi', events: ['critical'] }, 201)) as { id: number }
      channels.items.push(made)
    }
    await conforms(`/api/alert-channels/${channels.items[0]!.id}`)
    await conforms(`/api/alert-channels/${channels.items[0]!.id}/deliveries`)
  })

  test('a resident’s report: the area, a poster’s place, the report, its tracking page', async () => {
    await conforms('/api/public/reports/area', 200, server)
    const posters = (await conforms('/api/posters')) as { items: { code: string }[] }
    const code = posters.items[0]!.code
    await conforms(`/api/public/reports/places/${code}`, 200, server)
    const made = (await check('POST', '/api/public/reports', await server.post('/api/public/reports', { type: 'request', placeCode: code, description: 'OpenAPI 检查：楼道灯坏了' }), 201)) as { trackingCode: string }
    await conforms(`/api/public/reports/${made.trackingCode}`, 200, server)
  })

  test('plans, duty, a person’s activity, the next round', async () => {
    const plans = (await conforms(`/api/patrol-plans?${window()}`)) as { items: { id: number }[] }
    expect(plans.items.length).toBeGreaterThan(0)
    await conforms(`/api/patrol-plans/${plans.items[0]!.id}`)
    await conforms(`/api/patrol-plans/${plans.items[0]!.id}/coverage`)
    await conforms(`/api/duty?${window()}`)
    const people = (await conforms('/api/people')) as { items: { id: number }[] }
    await conforms(`/api/people/${people.items[0]!.id}/activity?${window()}`)
    await conforms(`/api/coverage/route?communityId=1&${window()}`)
  })

  test('plans: one made and changed', async () => {
    const zones = (await conforms('/api/zones?communityId=1')) as { features: { id: number }[] }
    const people = (await conforms('/api/people?communityId=1')) as { items: { id: number }[] }
    const body = {
      communityId: 1,
      type: 'night_special',
      name: 'OpenAPI 夜查',
      from: new Date(server.seededAt.getTime()).toISOString(),
      to: new Date(server.seededAt.getTime() + 7 * 86_400_000).toISOString(),
      repeat: { weekdays: [1, 3, 5], start: '19:00', end: '22:00' },
      zoneIds: zones.features.slice(0, 2).map((z) => z.id),
      personIds: people.items.slice(0, 2).map((p) => p.id),
      leaderId: people.items[2]!.id,
    }
    const made = (await sends(admin, 'POST', '/api/patrol-plans', body, 201)) as { id: number }
    const changed = (await sends(admin, 'PUT', `/api/patrol-plans/${made.id}`, { name: 'OpenAPI 夜查（改）', repeat: null }, 200)) as { name: string }
    expect(changed.name).toBe('OpenAPI 夜查（改）')
  })

  test('duty: a start, the same start again, and the stop', async () => {
    const patrol = await server.login('patrol')
    const t = (minutesAgo: number) => new Date(Date.now() - minutesAgo * 60_000).toISOString()
    const start = { action: 'start', deviceId: 'openapi-phone', t: t(20), clientId: 'openapi-duty-start' }
    await sends(patrol, 'POST', '/api/duty', start, 201)
    await sends(patrol, 'POST', '/api/duty', start, 200)
    const stopped = (await sends(patrol, 'POST', '/api/duty', { action: 'stop', deviceId: 'openapi-phone', t: t(1), clientId: 'openapi-duty-stop' }, 201)) as { open: boolean }
    expect(stopped.open).toBe(false)
  })

  test('care: a household registered and changed, a visit at its door by its code', async () => {
    const [me] = await server.db.sql<{ personId: number }[]>`select person_id::int as "personId" from users where username = 'patrol'`
    const [door] = await server.db.sql<{ lon: number; lat: number }[]>`select ST_X(ST_PointOnSurface(boundary)) as lon, ST_Y(ST_PointOnSurface(boundary)) as lat from communities where id = 1`
    const resident = (await sends(admin, 'POST', '/api/care/residents', { communityId: 1, name: 'OpenAPI 关爱对象', group: 'elderly_alone', lon: door!.lon, lat: door!.lat, visitsPerWeek: 2, personIds: [me!.personId] }, 201)) as { id: number; doorCode: string }
    await sends(admin, 'PUT', `/api/care/residents/${resident.id}`, { visitsPerWeek: 3 }, 200)
    const patrol = await server.login('patrol')
    const visit = { residentId: resident.id, code: resident.doorCode, clientId: 'openapi-visit' }
    const first = (await sends(patrol, 'POST', '/api/care/visits', visit, 201)) as { id: number }
    const again = (await sends(patrol, 'POST', '/api/care/visits', visit, 200)) as { id: number }
    expect(again.id).toBe(first.id)
  })

  test('points: the rules set, a redemption and the same one again', async () => {
    const rules = (await conforms('/api/points/rules?communityId=1')) as { perCheckin: number }
    await sends(admin, 'PUT', '/api/points/rules', { communityId: 1, perCheckin: rules.perCheckin }, 200)
    const ranking = (await conforms('/api/points/ranking?communityId=1')) as { items: { personId: number; points: number }[] }
    const top = ranking.items[0]
    expect(top).toBeDefined()
    const mine = (await conforms(`/api/points?personId=${top!.personId}`)) as { balance: number }
    expect(mine.balance).toBeGreaterThanOrEqual(1)
    const body = { personId: top!.personId, points: 1, item: 'OpenAPI 兑换', clientId: 'openapi-redemption' }
    const first = (await sends(admin, 'POST', '/api/points/redemptions', body, 201)) as { id: number }
    const again = (await sends(admin, 'POST', '/api/points/redemptions', body, 200)) as { id: number }
    expect(again.id).toBe(first.id)
  })

  test('care and points', async () => {
    const residents = (await conforms('/api/care/residents')) as { items: { id: number }[] }
    expect(residents.items.length).toBeGreaterThan(0)
    await conforms(`/api/care/residents/${residents.items[0]!.id}`)
    await conforms('/api/care/calendar?days=14')
    const patrol = await server.login('patrol')
    await conforms('/api/care/today', 200, patrol)
    await conforms('/api/points/rules?communityId=1')
    const ranking = (await conforms('/api/points/ranking')) as { items: { personId: number }[] }
    await conforms('/api/points/redemptions')
    if (ranking.items[0]) await conforms(`/api/points?personId=${ranking.items[0].personId}`)
  })

  test('errors are problem+json as documented', async () => {
    await conforms('/api/hazards/999999999', 404)
    await conforms('/api/hazards?bbox=1,2,3', 400)
    await conforms('/api/stats', 401, server)
  })

  test('the reference page is self-contained and lists every operation', async () => {
    const res = await server.get('/api/docs')
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toContain('text/html')
    const html = await res.text()
    // Nothing from outside: no script, no stylesheet or image from another origin.
    expect(html).not.toMatch(/<script|<link|src=|@import|https?:\/\/(?!www\.opengis\.net)/i)
    for (const [, , op] of operations()) expect(html).toContain(`id="op-${String(op.operationId)}"`)
    for (const name of Object.keys(doc.components.schemas)) expect(html).toContain(`id="schema-${name}"`)
  })
})

describe('docs/api.md', () => {
  /**
   * Endpoints of contract version 2 ("Changes in version 2") that are being built and are not routes
   * yet. Remove a line when its route lands (the route must then be in server/openapi/operations.ts).
   */
  const NOT_YET = new Set([
    'POST /api/hazards/{}/escalate',
    'POST /api/hazards/{}/arrive',
    'GET /api/units',
    'POST /api/units',
    'PUT /api/units',
    'GET /api/matters',
    'POST /api/matters',
    'POST /api/public/reports',
    'GET /api/public/reports/{}',
    'POST /api/public/reports/{}/rating',
    'GET /api/patrol-plans',
    'POST /api/patrol-plans',
    'PUT /api/patrol-plans',
    'GET /api/patrol-plans/{}/coverage',
    'POST /api/duty',
    'GET /api/duty',
    'GET /api/people/{}/activity',
    'GET /api/care/residents',
    'POST /api/care/residents',
    'PUT /api/care/residents',
    'POST /api/care/visits',
    'GET /api/care/calendar',
  ])

  /** `/api/hazards/:id` and `/api/hazards/{id}` → `/api/hazards/{}` (a parameter's name, and `:y.mvt`, do not matter). */
  const shape = (path: string) =>
    path
      .split('/')
      .map((s) => (s.startsWith(':') || s.startsWith('{') ? '{}' : s))
      .join('/')

  test('every METHOD /path that docs/api.md names is in the document', async () => {
    const text = await readFile('docs/api.md', 'utf8')
    const mentioned = new Set<string>()
    // `GET /api/x`, and the shorthand `GET/POST/PUT /api/x`; a query string or trailing punctuation is not part of the path.
    for (const m of text.matchAll(/\b((?:GET|POST|PUT|PATCH|DELETE)(?:\/(?:GET|POST|PUT|PATCH|DELETE))*) +(\/[^\s`?,)]*)/g)) {
      for (const method of m[1]!.split('/')) mentioned.add(`${method} ${shape(m[2]!.replace(/[.:]+$/, ''))}`)
    }
    const documented = new Set(operations().map(([m, p]) => `${m} ${shape(p)}`))
    // `PUT /api/people` in the shorthand means `PUT /api/people/:id`.
    const has = (key: string) => documented.has(key) || (/^(PUT|PATCH|DELETE) /.test(key) && documented.has(`${key}/{}`))
    expect(mentioned.size).toBeGreaterThan(40)
    expect([...mentioned].filter((k) => !has(k) && !NOT_YET.has(k)).sort()).toEqual([])
  })
})
