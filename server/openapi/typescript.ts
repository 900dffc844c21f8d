import type { Json, OpenApiDocument } from './document.ts'

const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const

/** A property name as TypeScript writes it. */
function key(name: string): string {
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(name) ? name : JSON.stringify(name)
}

/** An OpenAPI 3.0 Schema Object as a TypeScript type (components by name). */
export function tsType(schema: Json | undefined, indent = ''): string {
  if (!schema || Object.keys(schema).length === 0) return 'unknown'
  // Only words (description, title, …): any JSON value.
  const SHAPING = ['type', 'properties', 'additionalProperties', '$ref', 'enum', 'anyOf', 'oneOf', 'allOf', 'items']
  if (!SHAPING.some((k) => k in schema)) return 'unknown'
  // Null is added once: an enum or union that lists it already ends in it (an object's members may mention null).
  const orNull = (t: string) => (schema.nullable === true && !/(^|\| )null$/.test(t) ? `${t} | null` : t)
  if (typeof schema.$ref === 'string') return orNull(schema.$ref.split('/').pop()!)
  if (Array.isArray(schema.enum)) return orNull(schema.enum.map((v) => JSON.stringify(v)).join(' | '))
  const union = (schema.anyOf ?? schema.oneOf) as Json[] | undefined
  if (union) return orNull(union.map((s) => tsType(s, indent)).join(' | '))
  if (Array.isArray(schema.allOf)) return orNull((schema.allOf as Json[]).map((s) => tsType(s, indent)).join(' & '))
  switch (schema.type) {
    case 'string':
      return orNull('string')
    case 'integer':
    case 'number':
      return orNull('number')
    case 'boolean':
      return orNull('boolean')
    case 'array': {
      const item = tsType(schema.items as Json | undefined, indent)
      return orNull(/^[A-Za-z0-9_]+$/.test(item) ? `${item}[]` : `Array<${item}>`)
    }
    case 'object':
    default: {
      const properties = (schema.properties ?? {}) as Record<string, Json>
      const required = new Set((schema.required as string[] | undefined) ?? [])
      const inner = `${indent}  `
      const lines = Object.entries(properties).map(([name, s]) => `${inner}${key(name)}${required.has(name) ? '' : '?'}: ${tsType(s, inner)}`)
      const extra = schema.additionalProperties
      if (extra && typeof extra === 'object' && Object.keys(extra).length) lines.push(`${inner}[key: string]: ${tsType(extra as Json, inner)}`)
      else if (!Object.keys(properties).length) return orNull('Record<string, unknown>')
      return orNull(`{\n${lines.join('\n')}\n${indent}}`)
    }
  }
}

/**
 * The TypeScript of an OpenAPI document: a type per component schema, and `ApiOperations`, keyed
 * `METHOD /path` (`{param}` paths), with each operation's query, body and success answer. Written to
 * web/api/openapi-types.ts by scripts/openapi-types.ts; tests/openapi.test.ts checks it is current.
 */
export function typesOf(doc: OpenApiDocument): string {
  const out = [
    '/**',
    ` * Types of the SafeGrid API ${String(doc.info.version)}, generated from the OpenAPI document (GET /api/openapi.json)`,
    ' * by `npm run openapi-types`. Do not edit: change the routes or server/openapi/, then run it again.',
    ' */',
    '',
  ]
  for (const [name, schema] of Object.entries(doc.components.schemas)) out.push(`export type ${name} = ${tsType(schema)}`, '')
  out.push('/** Every operation: its path parameters, query, request body and success answer. */', 'export interface ApiOperations {')
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const method of METHODS) {
      const op = item[method]
      if (!op) continue
      const params = (op.parameters ?? []) as Json[]
      const group = (where: string) => {
        const ps = params.filter((p) => p.in === where)
        return ps.length ? `{ ${ps.map((p) => `${key(String(p.name))}${p.required ? '' : '?'}: ${tsType(p.schema as Json)}`).join('; ')} }` : 'never'
      }
      const body = op.requestBody as { content: Record<string, { schema: Json }> } | undefined
      const bodyType = body ? tsType(Object.values(body.content)[0]!.schema, '    ') : 'never'
      const responses = op.responses as Record<string, { content?: Record<string, { schema?: Json }> }>
      const success = Object.entries(responses).filter(([status]) => /^2\d\d$/.test(status))
      const answer = success.map(([, r]) => Object.values(r.content ?? {})[0]?.schema).map((s) => (s ? tsType(s) : 'void'))
      out.push(
        `  ${JSON.stringify(`${method.toUpperCase()} ${path}`)}: {`,
        `    path: ${group('path')}`,
        `    query: ${group('query')}`,
        `    body: ${bodyType}`,
        `    response: ${[...new Set(answer)].join(' | ') || 'void'}`,
        '  }',
      )
    }
  }
  out.push('}', '')
  return out.join('\n')
}
