import { Hono } from 'hono'
import QRCode from 'qrcode'
import { z } from 'zod'
import { requirePermission } from '../auth/middleware.ts'
import type { AppEnv } from '../context.ts'
import { publicOrigin } from '../http.ts'
import { problems } from '../problem.ts'
import { listPosters, posterByCode } from '../queries/public-reports.ts'
import { idParam, validate } from '../validate.ts'

/** Path of the residents' report page a poster's QR code opens (`?place=RC-…|RB-…`). */
export const RESIDENT_REPORT_PATH = '/report'

/** The URL a poster's QR code holds. */
export function reportUrl(origin: string, code: string): string {
  return `${origin}${RESIDENT_REPORT_PATH}?place=${encodeURIComponent(code)}`
}

const listQuery = z.object({ communityId: idParam.optional() })
const codeParams = z.object({ code: z.string().regex(/^R[CB]-[0-9A-F]{12}$/, 'a poster code (RC-… or RB-…)') })

/**
 * Posters for residents (扫码上报, issue 15), for those who print codes (`printCodes`): `GET /` lists every compound
 * and building of the caller's communities with its poster code and report link; `GET /:code/qr` is the QR code
 * of that link (SVG).
 */
export const posters = new Hono<AppEnv>()
  .get('/', requirePermission('printCodes'), validate('query', listQuery), async (c) => {
    const { communityId } = c.req.valid('query')
    const rows = await listPosters(c.get('sql'), c.get('communityIds'), communityId)
    const origin = publicOrigin(c)
    return c.json({ items: rows.map((r) => ({ ...r, reportUrl: reportUrl(origin, r.code), qrUrl: `/api/posters/${r.code}/qr` })) })
  })
  .get('/:code/qr', requirePermission('printCodes'), validate('param', codeParams), async (c) => {
    const { code } = c.req.valid('param')
    if (!(await posterByCode(c.get('sql'), code, c.get('communityIds')))) throw problems.notFound(`No poster ${code}.`)
    const svg = await QRCode.toString(reportUrl(publicOrigin(c), code), { type: 'svg', errorCorrectionLevel: 'M', margin: 2 })
    return c.body(svg, 200, { 'content-type': 'image/svg+xml; charset=utf-8', 'cache-control': 'private, max-age=3600' })
  })
