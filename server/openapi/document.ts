import type { RouterRoute } from 'hono/types'
import { z } from 'zod'
import { PERMISSIONS, type Permission } from '../../core/roles.ts'
import { permissionOf } from '../auth/middleware.ts'
import { validatorOf, type ValidatorInfo } from '../validate.ts'
import { OPERATIONS, type OperationSpec } from './operations.ts'
import { RESPONSE_SCHEMAS } from './schemas.ts'

/** A JSON value of the document (kept loose: the test checks its structure). */
export type Json = Record<string, unknown>

/** The OpenAPI 3.0 document as served at `/api/openapi.json`. */
export interface OpenApiDocument {
  openapi: '3.0.3'
  info: Json
  servers: Json[]
  tags: Json[]
  paths: Record<string, Record<string, Json>>
  components: { schemas: Record<string, Json>; securitySchemes: Record<string, Json> }
  security: Record<string, string[]>[]
}

/** Version of the API contract (docs/api.md). */
export const API_VERSION = '2'

const SCHEMA_OPTIONS = { target: 'openapi-3.0', io: 'input', unrepresentable: 'any' } as const
const PROBLEM_REF = { $ref: '#/components/schemas/Problem' }
const TAG_NAMES: Record<string, string> = {
  service: 'Health, configuration, first start and this description',
  auth: 'Sign-in: Bearer token or session cookie (+ X-CSRF-Token on writes)',
  communities: 'Communities (社区)',
  layers: 'Map layers, vector tiles and buildings',
  import: 'Importing zones, layers and whole communities from files',
  hazards: 'Hazards (隐患) and their closed loop 发现—反馈—整改—回访',
  zones: 'Responsibility grids (责任网格)',
  patrol: 'Tracks, check-ins, key places and devices',
  analysis: 'Coverage, hot spots, statistics and reports',
  roster: 'People and teams (花名册)',
  accounts: 'Accounts and the audit log',
  alerts: 'Alert channels to the work groups (告警推送)',
  units: 'Partner units (共建单位)',
  plans: 'Patrol plans, duty sessions and the next round (巡查计划、值守)',
  care: 'Care visits (每日两访)',
  points: 'Points and recognition (积分)',
  residents: 'Residents’ reports without signing in (人人都是安全员): report, track, rate',
  ogc: 'OGC API – Features (for QGIS and GDAL)',
}

/** OpenAPI 3.0.3: a nullable enum lists null among its values (zod leaves it out). */
function nullInEnums(node: unknown): void {
  if (Array.isArray(node)) node.forEach(nullInEnums)
  else if (node && typeof node === 'object') {
    const schema = node as Json
    if (schema.nullable === true && Array.isArray(schema.enum) && !schema.enum.includes(null)) schema.enum.push(null)
    // `nullable` beside a lone `allOf: [$ref]` does not admit null in validators: say it as "that, or null".
    if (schema.nullable === true && Array.isArray(schema.allOf) && schema.allOf.length === 1 && schema.type === undefined) {
      schema.anyOf = [schema.allOf[0], { nullable: true, enum: [null] }]
      delete schema.allOf
      delete schema.nullable
    }
    Object.values(schema).forEach(nullInEnums)
  }
}

/** A zod schema as an OpenAPI 3.0 Schema Object (the request side: what a client sends). */
export function schemaOf(schema: z.ZodType): Json {
  const json = z.toJSONSchema(schema, SCHEMA_OPTIONS) as Json
  delete json.$schema
  nullInEnums(json)
  return json
}

/** `/api/hazards/:id` → `/api/hazards/{id}` (a `:name{regex}` loses its regex). */
export function openApiPath(honoPath: string): string {
  return honoPath.replace(/:([A-Za-z0-9_]+)(\{[^}]*\})?/g, '{$1}')
}

function operationId(method: string, path: string): string {
  const words = path
    .split('/')
    .filter((p) => p && p !== 'api')
    .map((p) => (p.startsWith(':') ? `by-${p.slice(1)}` : p))
    .join('-')
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
  return [method.toLowerCase(), ...words.map((w) => w[0]!.toUpperCase() + w.slice(1))].join('')
}

/** Parameters of one validator target (`path`, `query`, `header`, `cookie`) from its object schema. */
function parametersOf(info: ValidatorInfo, where: 'path' | 'query' | 'header' | 'cookie'): Json[] {
  const json = schemaOf(info.schema)
  const properties = (json.properties ?? {}) as Record<string, Json>
  const required = new Set((json.required as string[] | undefined) ?? [])
  return Object.entries(properties).map(([name, schema]) => {
    const { description, ...rest } = schema
    return {
      name,
      in: where,
      required: where === 'path' || required.has(name),
      ...(typeof description === 'string' ? { description } : {}),
      schema: rest,
    }
  })
}

/** A form body's schema: a file field (a zod custom check, which has no JSON form) is binary. */
function formSchema(info: ValidatorInfo): Json {
  const json = schemaOf(info.schema)
  const properties = (json.properties ?? {}) as Record<string, Json>
  for (const [name, schema] of Object.entries(properties)) if (Object.keys(schema).length === 0) properties[name] = { type: 'string', format: 'binary' }
  return json
}

function problem(description: string): Json {
  return { description, content: { 'application/problem+json': { schema: PROBLEM_REF } } }
}

function responsesOf(method: string, spec: OperationSpec, validators: ValidatorInfo[], permission: Permission | undefined, hasPathParams: boolean): Json {
  const responses: Json = {}
  for (const [status, r] of Object.entries(spec.responses)) {
    const type = r.type ?? 'application/json'
    responses[status] = {
      description: r.description,
      ...(r.schema ? { content: { [type]: { schema: { $ref: `#/components/schemas/${r.schema}` } } } } : r.type ? { content: { [type]: {} } } : {}),
    }
  }
  responses['400'] = problem('Bad request: the input is malformed or invalid (`errors` lists the fields)')
  if (!spec.public) responses['401'] = problem('Not signed in, or the session has ended')
  if (permission || !spec.public) responses['403'] = problem(permission ? `Forbidden: needs the permission ${permission} (${PERMISSIONS[permission].join(', ')})` : 'Forbidden: outside the caller’s communities, or a password change is due')
  if (hasPathParams) responses['404'] = problem('Not found, or not visible to the caller')
  if (validators.some((v) => v.status === 422) || method !== 'GET') responses['422'] = problem('Unprocessable: well-formed but not acceptable (geometry, ranges, rules)')
  responses.default = problem('Any other error (409 conflict, 413 too large, 429 throttled, 503 busy, …)')
  return responses
}

/** The named response schemas, converted together so that they refer to each other by `$ref`. */
function componentSchemas(): Record<string, Json> {
  const registry = z.registry<{ id: string }>()
  for (const [name, schema] of Object.entries(RESPONSE_SCHEMAS)) registry.add(schema, { id: name })
  const { schemas } = z.toJSONSchema(registry, { ...SCHEMA_OPTIONS, uri: (id) => `#/components/schemas/${id}` }) as { schemas: Record<string, Json> }
  for (const schema of Object.values(schemas)) {
    delete schema.$schema
    delete schema.$id
  }
  nullInEnums(schemas)
  return schemas
}

/** Routes of the app grouped by `METHOD /path` (middleware mounted with `use()` is method `ALL`). */
export function routeKeys(routes: readonly RouterRoute[]): Map<string, RouterRoute['handler'][]> {
  const byKey = new Map<string, RouterRoute['handler'][]>()
  for (const route of routes) {
    if (route.method === 'ALL') continue
    const key = `${route.method} ${route.path}`
    byKey.set(key, [...(byKey.get(key) ?? []), route.handler])
  }
  return byKey
}

/**
 * Build the OpenAPI 3.0 document of an app from its registered routes: each operation of
 * server/openapi/operations.ts, with the request schemas its route validates and the permission it
 * requires (also when required by a `use('*', requirePermission(…))` of the route's sub-app).
 */
export function openApiDocument(routes: readonly RouterRoute[]): OpenApiDocument {
  const byKey = routeKeys(routes)
  // Permissions required by middleware on a whole prefix (`/api/users/*`).
  const prefixPermissions: { prefix: string; permission: Permission }[] = []
  for (const route of routes) {
    const permission = route.method === 'ALL' ? permissionOf(route.handler) : undefined
    if (permission) prefixPermissions.push({ prefix: route.path.replace(/\/?\*$/, ''), permission })
  }
  const paths: OpenApiDocument['paths'] = {}
  for (const [key, spec] of Object.entries(OPERATIONS)) {
    const handlers = byKey.get(key)
    if (!handlers) continue
    const [method, honoPath] = key.split(' ') as [string, string]
    const validators = handlers.map(validatorOf).filter((v): v is ValidatorInfo => v !== undefined)
    const permission = handlers.map(permissionOf).find(Boolean) ?? prefixPermissions.find((p) => honoPath === p.prefix || honoPath.startsWith(`${p.prefix}/`))?.permission
    const parameters: Json[] = []
    for (const v of validators) {
      if (v.target === 'param') parameters.push(...parametersOf(v, 'path'))
      else if (v.target === 'query' || v.target === 'header' || v.target === 'cookie') parameters.push(...parametersOf(v, v.target))
    }
    // Path parameters a route reads without a validator are strings.
    for (const [, name] of honoPath.matchAll(/:([A-Za-z0-9_]+)/g)) {
      if (!parameters.some((p) => p.in === 'path' && p.name === name)) parameters.push({ name, in: 'path', required: true, schema: { type: 'string' } })
    }
    const json = validators.find((v) => v.target === 'json')
    const form = validators.find((v) => v.target === 'form')
    const requestBody = json
      ? { required: true, content: { 'application/json': { schema: schemaOf(json.schema) } } }
      : form
        ? { required: true, content: { 'multipart/form-data': { schema: formSchema(form) } } }
        : undefined
    const path = openApiPath(honoPath)
    paths[path] ??= {}
    paths[path][method.toLowerCase()] = {
      operationId: operationId(method, honoPath),
      summary: spec.summary,
      ...(spec.description ? { description: spec.description } : {}),
      tags: [spec.tag],
      ...(parameters.length ? { parameters } : {}),
      ...(requestBody ? { requestBody } : {}),
      responses: responsesOf(method, spec, validators, permission, honoPath.includes(':')),
      ...(spec.public ? { security: [] } : spec.basic ? { security: [{ basic: [] }] } : {}),
      ...(permission ? { 'x-permission': permission, 'x-roles': [...PERMISSIONS[permission]] } : {}),
    }
  }
  return {
    openapi: '3.0.3',
    info: {
      title: 'SafeGrid 平安网格 API',
      version: API_VERSION,
      description:
        'The contract between the SafeGrid server and its clients (docs/api.md). Errors are RFC 9457 problem+json. ' +
        'Writes signed in by cookie need the `X-CSRF-Token` header; Bearer tokens do not. Lists download with `?format=csv|xlsx|geojson`.',
      license: { name: 'MIT' },
    },
    servers: [{ url: '/' }],
    tags: Object.entries(TAG_NAMES).map(([name, description]) => ({ name, description })),
    paths,
    components: {
      schemas: componentSchemas(),
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'The token of POST /api/auth/login' },
        cookie: { type: 'apiKey', in: 'cookie', name: 'sg_session', description: 'The session cookie of the web app (writes also need X-CSRF-Token)' },
        basic: { type: 'http', scheme: 'basic', description: 'Username and password (OwnTracks only)' },
      },
    },
    security: [{ bearer: [] }, { cookie: [] }],
  }
}
