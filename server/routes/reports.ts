import { Hono } from 'hono'
import { z } from 'zod'
import type { AppEnv } from '../context.ts'
import { CONTENT_TYPES, contentDisposition } from '../export/download.ts'
import { buildReport } from '../queries/reports.ts'
import { reportCsv } from '../reports/csv.ts'
import { reportHtml } from '../reports/html.ts'
import { PERIOD_FILE } from '../reports/labels.ts'
import { isCalendarDay, REPORT_PERIODS, shanghaiDate } from '../../core/period.ts'
import { reportXlsx } from '../reports/xlsx.ts'
import { idParam, validate } from '../validate.ts'
import { seesLeads } from '../../core/matters.ts'

const params = z.object({ period: z.enum(REPORT_PERIODS, { message: `period must be one of ${REPORT_PERIODS.join(', ')}` }) })
const query = z.object({
  date: z
    .string()
    .refine(isCalendarDay, 'must be a calendar day YYYY-MM-DD')
    .optional(),
  communityId: idParam.optional(),
  format: z.enum(['html', 'xlsx', 'csv', 'json']).default('html'),
})

/**
 * `GET /api/reports/:period?date=&communityId=&format=html|xlsx|csv` — the patrol and hazard report
 * (日巡查 / 周例会 / 月通报) of the Asia/Shanghai day, ISO week or month containing `date` (default
 * today), for one community or every community the caller may see. `html` is the printable A4 page
 * (inline), `xlsx` one sheet per table and `csv` the headline table (downloads); `json` the figures.
 */
export const reports = new Hono<AppEnv>().get('/:period', validate('param', params), validate('query', query), async (c) => {
  const { period } = c.req.valid('param')
  const q = c.req.valid('query')
  const date = q.date ?? shanghaiDate(new Date())
  const data = await buildReport(c.get('sql'), { communityIds: c.get('communityIds'), communityId: q.communityId, period, date, hideLeads: !seesLeads(c.get('user').role) })
  const stem = PERIOD_FILE[period]
  const ascii = `${stem.ascii}-${data.window.key}${q.communityId === undefined ? '' : `-${q.communityId}`}`
  const zh = `${data.scope.communities.length === 1 ? `${data.scope.communities[0]!.name}-` : ''}${stem.zh}-${data.window.key}`
  c.header('cache-control', 'private, no-store')
  switch (q.format) {
    case 'json':
      return c.json(data)
    case 'csv':
      return c.body(reportCsv(data), 200, { 'content-type': CONTENT_TYPES.csv, 'content-disposition': contentDisposition(`${ascii}.csv`, `${zh}.csv`) })
    case 'xlsx':
      return c.body(await reportXlsx(data), 200, { 'content-type': CONTENT_TYPES.xlsx, 'content-disposition': contentDisposition(`${ascii}.xlsx`, `${zh}.xlsx`) })
    case 'html':
      return c.body(reportHtml(data), 200, { 'content-type': CONTENT_TYPES.html, 'content-disposition': contentDisposition(`${ascii}.html`, `${zh}.html`, 'inline') })
  }
})
