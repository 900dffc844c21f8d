import type { Json, OpenApiDocument } from './document.ts'

const METHOD_ORDER = ['get', 'post', 'put', 'patch', 'delete']

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch]!)
}

/** `text` with `code` spans, escaped. */
function prose(text: string): string {
  return escapeHtml(text).replace(/`([^`]+)`/g, '<code>$1</code>')
}

/** A short type of a schema: `integer`, `string (date-time)`, `Hazard`, `array of Zone`, `a | b`. */
function typeOf(schema: Json | undefined): string {
  if (!schema) return ''
  if (typeof schema.$ref === 'string') {
    const name = schema.$ref.split('/').pop()!
    return `<a href="#schema-${escapeHtml(name)}">${escapeHtml(name)}</a>`
  }
  const nullable = schema.nullable === true ? ' | null' : ''
  if (Array.isArray(schema.enum)) return schema.enum.map((v) => `<code>${escapeHtml(JSON.stringify(v))}</code>`).join(' | ') + nullable
  if (Array.isArray(schema.anyOf ?? schema.oneOf)) return ((schema.anyOf ?? schema.oneOf) as Json[]).map(typeOf).join(' | ') + nullable
  if (schema.type === 'array') return `array of ${typeOf(schema.items as Json | undefined) || 'any'}` + nullable
  if (typeof schema.type === 'string') return escapeHtml(schema.type + (typeof schema.format === 'string' ? ` (${schema.format})` : '')) + nullable
  return 'any'
}

function table(head: string[], rows: string[][]): string {
  if (!rows.length) return ''
  return `<table><thead><tr>${head.map((h) => `<th>${h}</th>`).join('')}</tr></thead><tbody>${rows.map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`).join('')}</tbody></table>`
}

/** The members of an object schema as a table (name, type, required, description). */
function membersTable(schema: Json): string {
  const properties = (schema.properties ?? {}) as Record<string, Json>
  const required = new Set((schema.required as string[] | undefined) ?? [])
  return table(
    ['member', 'type', 'required', 'description'],
    Object.entries(properties).map(([name, s]) => [`<code>${escapeHtml(name)}</code>`, typeOf(s), required.has(name) ? 'yes' : '', prose(String(s.description ?? ''))]),
  )
}

function operationHtml(method: string, path: string, op: Json): string {
  const params = ((op.parameters ?? []) as Json[]).map((p) => [
    `<code>${escapeHtml(String(p.name))}</code>`,
    escapeHtml(String(p.in)),
    p.required ? 'yes' : '',
    typeOf(p.schema as Json),
    prose(String(p.description ?? '')),
  ])
  const body = op.requestBody as { content: Record<string, { schema: Json }> } | undefined
  const bodyHtml = body
    ? Object.entries(body.content)
        .map(([type, { schema }]) => `<h4>Request body <code>${escapeHtml(type)}</code></h4>${membersTable(schema) || `<p>${typeOf(schema)}</p>`}`)
        .join('')
    : ''
  const responses = Object.entries((op.responses ?? {}) as Record<string, Json>).map(([status, r]) => {
    const content = (r.content ?? {}) as Record<string, { schema?: Json }>
    const media = Object.entries(content)
      .map(([type, c]) => `<code>${escapeHtml(type)}</code>${c.schema ? ` ${typeOf(c.schema)}` : ''}`)
      .join('<br>')
    return [escapeHtml(status), prose(String(r.description ?? '')), media]
  })
  const roles = Array.isArray(op['x-roles']) ? `<p class="roles">Roles: ${(op['x-roles'] as string[]).map(escapeHtml).join(', ')}</p>` : ''
  const auth = Array.isArray(op.security) && op.security.length === 0 ? '<p class="roles">No sign-in needed.</p>' : ''
  const id = `op-${escapeHtml(String(op.operationId))}`
  return `<section class="op" id="${id}">
<h3><span class="method ${method}">${method.toUpperCase()}</span> <code>${escapeHtml(path)}</code> <a class="anchor" href="#${id}">#</a></h3>
<p>${prose(String(op.summary ?? ''))}</p>${op.description ? `<p>${prose(String(op.description))}</p>` : ''}${roles}${auth}
${params.length ? `<h4>Parameters</h4>${table(['name', 'in', 'required', 'type', 'description'], params)}` : ''}
${bodyHtml}
<h4>Responses</h4>${table(['status', 'description', 'body'], responses)}
</section>`
}

/**
 * The reference page of `GET /api/docs`: every operation by tag with its parameters, request body
 * and responses, then every schema. Plain HTML with inline styles: no script, nothing from outside.
 */
export function referencePage(doc: OpenApiDocument): string {
  const byTag = new Map<string, string[]>()
  const toc = new Map<string, string[]>()
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const method of METHOD_ORDER) {
      const op = item[method]
      if (!op) continue
      const tag = ((op.tags as string[] | undefined) ?? ['other'])[0]!
      byTag.set(tag, [...(byTag.get(tag) ?? []), operationHtml(method, path, op)])
      toc.set(tag, [...(toc.get(tag) ?? []), `<li><a href="#op-${escapeHtml(String(op.operationId))}"><span class="method ${method}">${method.toUpperCase()}</span> ${escapeHtml(path)}</a></li>`])
    }
  }
  const tags = doc.tags.filter((t) => byTag.has(String(t.name)))
  const schemas = Object.entries(doc.components.schemas)
    .map(
      ([name, schema]) =>
        `<section class="schema" id="schema-${escapeHtml(name)}"><h3>${escapeHtml(name)}</h3>${schema.description ? `<p>${prose(String(schema.description))}</p>` : ''}${membersTable(schema) || `<p>${typeOf(schema)}</p>`}<details><summary>JSON schema</summary><pre>${escapeHtml(JSON.stringify(schema, null, 2))}</pre></details></section>`,
    )
    .join('\n')
  const info = doc.info as { title: string; version: string; description: string }
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(info.title)} — reference</title>
<style>
body{font:15px/1.5 system-ui,sans-serif;margin:0;display:flex;color:#1d2733}
nav{width:300px;flex:none;height:100vh;overflow:auto;position:sticky;top:0;background:#f4f6f8;padding:1rem;box-sizing:border-box;font-size:13px}
nav ul{list-style:none;padding:0;margin:0 0 1rem}nav a{color:inherit;text-decoration:none}
main{flex:1;padding:1rem 2rem;min-width:0}h2{border-bottom:2px solid #d0d7de;padding-bottom:.25rem;margin-top:2rem}
.op,.schema{border:1px solid #d0d7de;border-radius:6px;padding:.5rem 1rem;margin:1rem 0}
.method{display:inline-block;min-width:3.5em;font:bold 12px monospace;padding:2px 4px;border-radius:3px;color:#fff;text-align:center}
.get{background:#1f6feb}.post{background:#1a7f37}.put{background:#9a6700}.patch{background:#8250df}.delete{background:#cf222e}
table{border-collapse:collapse;width:100%;font-size:13px}td,th{border:1px solid #d0d7de;padding:3px 6px;text-align:left;vertical-align:top}
pre{background:#f6f8fa;padding:.5rem;overflow:auto;font-size:12px}.roles{color:#57606a;font-size:13px}.anchor{color:#8c959f;text-decoration:none}
</style></head><body>
<nav><p><strong>${escapeHtml(info.title)}</strong><br>version ${escapeHtml(info.version)} · <a href="/api/openapi.json">openapi.json</a></p>
${tags.map((t) => `<p><a href="#tag-${escapeHtml(String(t.name))}"><strong>${escapeHtml(String(t.name))}</strong></a></p><ul>${toc.get(String(t.name))!.join('')}</ul>`).join('\n')}
<p><a href="#schemas"><strong>schemas</strong></a></p></nav>
<main><h1>${escapeHtml(info.title)}</h1><p>${prose(info.description)}</p>
${tags.map((t) => `<h2 id="tag-${escapeHtml(String(t.name))}">${escapeHtml(String(t.name))}</h2><p>${prose(String(t.description ?? ''))}</p>${byTag.get(String(t.name))!.join('\n')}`).join('\n')}
<h2 id="schemas">Schemas</h2>
${schemas}
</main></body></html>`
}
