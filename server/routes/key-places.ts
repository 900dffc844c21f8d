import { createHash } from 'node:crypto'
import { Hono } from 'hono'
import QRCode from 'qrcode'
import { z } from 'zod'
import { requirePermission } from '../auth/middleware.ts'
import { can } from '../../core/roles.ts'
import type { AppEnv } from '../context.ts'
import { publicOrigin } from '../http.ts'
import { problems } from '../problem.ts'
import { findKeyPlace, listKeyPlaces } from '../queries/checkins.ts'
import { idParam, validate } from '../validate.ts'
import { keyPlaceCode } from './checkins.ts'

/** Path of the phone check-in page a key place's QR code opens (`?code=KP-…`). */
export const CHECKIN_PAGE_PATH = '/patrol/checkin'

const idParams = z.object({ id: idParam })
const codeParams = z.object({ code: keyPlaceCode })
const listQuery = z.object({ communityId: idParam.optional() })

/**
 * The first 8 hex digits of a code's SHA-256: what a patrol phone keeps to refuse a mistyped code while offline
 * (web/domain/checkin-code.ts). 32 of the code's 48 random bits: a typo is caught, the code is not given away.
 */
export function codeHash(code: string): string {
  return createHash('sha256').update(code).digest('hex').slice(0, 8)
}

/** The URL a key place's QR code holds. */
export function checkinUrl(origin: string, code: string): string {
  return `${origin}${CHECKIN_PAGE_PATH}?code=${encodeURIComponent(code)}`
}

/**
 * Key places (重点部位) for patrols: `GET /` (list, by code; `communityId`; the codes and links only
 * with the `printCodes` permission, else each code's {@link codeHash}), `GET /by-code/:code` (what the check-in page shows after a
 * scan), `GET /:id/qr` (`printCodes`: the QR code of the check-in link, SVG).
 */
export const keyPlaces = new Hono<AppEnv>()
  .get('/', validate('query', listQuery), async (c) => {
    const { communityId } = c.req.valid('query')
    const rows = await listKeyPlaces(c.get('sql'), { communityIds: c.get('communityIds'), communityId })
    // The codes only for those who print the sheet: a code is what a check-in proves was scanned.
    if (!can(c.get('user').role, 'printCodes')) return c.json({ items: rows.map(({ code, ...r }) => ({ ...r, codeHash: codeHash(code) })) })
    const origin = publicOrigin(c)
    return c.json({ items: rows.map((r) => ({ ...r, checkinUrl: checkinUrl(origin, r.code), qrUrl: `/api/key-places/${r.id}/qr` })) })
  })
  .get('/by-code/:code', validate('param', codeParams), async (c) => {
    const { code } = c.req.valid('param')
    const place = await findKeyPlace(c.get('sql'), { code }, c.get('communityIds'))
    if (!place) throw problems.notFound(`No key place with code ${code}.`)
    return c.json({ ...place, checkinUrl: checkinUrl(publicOrigin(c), place.code) })
  })
  .get('/:id/qr', requirePermission('printCodes'), validate('param', idParams), async (c) => {
    const { id } = c.req.valid('param')
    const place = await findKeyPlace(c.get('sql'), { id }, c.get('communityIds'))
    if (!place) throw problems.notFound(`No key place ${id}.`)
    const svg = await QRCode.toString(checkinUrl(publicOrigin(c), place.code), { type: 'svg', errorCorrectionLevel: 'M', margin: 2 })
    return c.body(svg, 200, {
      'content-type': 'image/svg+xml; charset=utf-8',
      'cache-control': 'private, max-age=3600',
      'content-disposition': `inline; filename="${place.code}.svg"`,
    })
  })
