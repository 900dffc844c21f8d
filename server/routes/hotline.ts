import { Hono, type Context } from 'hono'
import { z } from 'zod'
import { requirePermission } from '../auth/middleware.ts'
import type { AppEnv } from '../context.ts'
import { HOTLINE_FIELDS, suggestHotlineMapping } from '../../core/hotline.ts'
import { cellText, HOTLINE_MAX_BYTES, HOTLINE_MAX_COLUMNS, readHotlineWorkbook, type HotlineSheet } from '../domain/hotline.ts'
import { Problem, problems, zodErrors } from '../problem.ts'
import { importHotline, type HotlineMapping } from '../queries/hotline.ts'
import { readUpload, uploadLimit } from '../uploads.ts'
import { idParam, validate } from '../validate.ts'

const importQuery = z.object({
  communityId: idParam.optional(),
  dryRun: z.enum(['true', 'false']).transform((v) => v === 'true').default(true),
})

const column = z.number().int().min(0).max(HOTLINE_MAX_COLUMNS - 1)
/** The mapping as the form field `mapping` carries it (JSON): a column index per field. */
const mappingSchema = z
  .object({ ticket: column, time: column, address: column, content: column, category: column.optional(), phone: column.optional() })
  .strict() satisfies z.ZodType<Partial<Record<(typeof HOTLINE_FIELDS)[number], number>>>

const limit = uploadLimit(HOTLINE_MAX_BYTES + 64 * 1024, 'workbook')

/** The workbook of the upload (multipart field `file`, or the raw body); 400 without one. */
async function workbookOf(c: Context<AppEnv>): Promise<{ sheet: HotlineSheet; fields: Record<string, string> }> {
  const upload = await readUpload(c, HOTLINE_MAX_BYTES)
  const file = upload.files[0]
  if (!file) throw problems.badRequest('No file was uploaded (send it as multipart field "file").')
  return { sheet: await readHotlineWorkbook(file.bytes), fields: upload.fields }
}

/**
 * 12345 hotline tickets (issue 15), mounted at `/api/hotline` (admin, command): `POST /columns` reads an export's
 * header row (columns, a few sample rows, the suggested mapping); `POST /import?communityId=&dryRun=` with the
 * workbook and the `mapping` (JSON `{ ticket, time, address, content, category?, phone? }`, column indices)
 * checks and geocodes every row — `dryRun=true` (the default) is the preview, `false` stores the accepted ones.
 */
export const hotline = new Hono<AppEnv>()
  .post('/columns', limit, requirePermission('importHotline'), async (c) => {
    const { sheet } = await workbookOf(c)
    return c.json({
      sheet: sheet.sheet,
      headers: sheet.headers,
      rows: sheet.rows.length,
      samples: sheet.rows.slice(0, 3).map((r) => sheet.headers.map((_, i) => cellText(r.cells[i]).slice(0, 200))),
      suggested: suggestHotlineMapping(sheet.headers),
    })
  })
  .post('/import', limit, requirePermission('importHotline'), validate('query', importQuery), async (c) => {
    const { communityId: asked, dryRun } = c.req.valid('query')
    const scope = c.get('communityIds')
    const communityId = asked ?? (scope !== null && scope.length === 1 ? scope[0] : undefined)
    if (communityId === undefined) throw problems.badRequest('The query is invalid.', [{ path: 'communityId', message: 'say which community' }])
    if (scope !== null && !scope.includes(communityId)) throw problems.notFound(`No community ${communityId}.`)
    const { sheet, fields } = await workbookOf(c)
    let raw: unknown
    try {
      raw = JSON.parse(fields.mapping ?? '')
    } catch {
      throw problems.badRequest('The form field "mapping" must be JSON: { ticket, time, address, content, category?, phone? }.', [{ path: 'mapping', message: 'JSON of column indices' }])
    }
    const parsed = mappingSchema.safeParse(raw)
    if (!parsed.success) throw new Problem(400, 'The mapping is invalid.', { errors: zodErrors(parsed.error).map((e) => ({ ...e, path: `mapping.${e.path}` })) })
    const mapping: HotlineMapping = parsed.data
    const beyond = Object.entries(mapping).filter(([, i]) => i !== undefined && i >= sheet.headers.length)
    if (beyond.length) throw problems.unprocessable('The mapping names columns the sheet does not have.', beyond.map(([f]) => ({ path: `mapping.${f}`, message: `at most ${sheet.headers.length - 1}` })))
    const [exists] = await c.get('sql')<{ ok: boolean }[]>`select true as ok from communities where id = ${communityId}`
    if (!exists) throw problems.notFound(`No community ${communityId}.`)
    return c.json(await importHotline(c.get('sql'), communityId, sheet, mapping, c.get('user'), dryRun))
  })
