/**
 * 12345 hotline tickets into matters (issue 15): each row of a platform's export, with the columns the user
 * mapped, is checked (ticket number, time, content), geocoded to a building of the community by its address text
 * (core/hotline.ts `matchAddress`) or refused with the reason, and — unless it is a preview — stored as a matter
 * with source `hotline_12345` and its ticket number, in short batches (PGlite is one connection). A ticket
 * already in the community is skipped (ON CONFLICT DO NOTHING on the ticket number).
 */
import type { z } from 'zod'
import type { Sql } from '../db/connect.ts'
import { classifyTicket, matchAddress, parseTicketTime, type AddressBuilding, type HotlineField } from '../../core/hotline.ts'
import { LEVEL_DAYS } from '../../core/matters.ts'
import type * as Schemas from '../openapi/schemas.ts'
import { normalizePhone } from '../domain/public-reports.ts'
import { cellText, type HotlineSheet } from '../domain/hotline.ts'
import { recordAudit } from './audit.ts'
import type { SessionUser } from './users.ts'

/** Rows stored per statement (each batch its own short transaction). */
export const HOTLINE_BATCH = 100
/** Longest ticket number and content kept. */
const TICKET_MAX = 64
const CONTENT_MAX = 2000
/** Accepted rows listed in an answer (the counts cover them all). */
export const HOTLINE_LIST_MAX = 500

/** Which column (0-based) holds each field; ticket, time, address and content are required. */
export type HotlineMapping = { [K in 'ticket' | 'time' | 'address' | 'content']: number } & Partial<Record<Exclude<HotlineField, 'ticket' | 'time' | 'address' | 'content'>, number>>

/** The answer of `POST /api/hotline/import`. */
export type HotlineImportResult = z.infer<typeof Schemas.HotlineImportResult>

interface CheckedTicket {
  row: number
  ticket: string
  reportedAt: Date
  buildingId: number
  place: string
  type: 'hazard' | 'request'
  category: string
  content: string
  phone: string | null
}

/**
 * Check, geocode and (unless `dryRun`) import the rows of `sheet` into `communityId` (the caller has checked the
 * caller may act there). Refused rows carry their sheet row number and the reason; tickets already imported
 * are counted as `skipped`.
 */
export async function importHotline(sql: Sql, communityId: number, sheet: HotlineSheet, mapping: HotlineMapping, actor: SessionUser, dryRun: boolean): Promise<HotlineImportResult> {
  const buildings = await sql<AddressBuilding[]>`
    select b.id::int, b.name, cp.name as "compoundName" from buildings b join compounds cp on cp.id = b.compound_id
    where b.community_id = ${communityId} order by b.id`
  const rejected: HotlineImportResult['rejected'] = []
  const checked: CheckedTicket[] = []
  const seen = new Set<string>()
  const now = Date.now()
  for (const { row, cells } of sheet.rows) {
    const text = (field: HotlineField): string => {
      const i = mapping[field]
      return i === undefined ? '' : cellText(cells[i]).trim()
    }
    const ticket = text('ticket')
    const refuse = (reason: string): void => {
      rejected.push({ row, ticket: ticket || null, reason })
    }
    if (!ticket) { refuse('没有工单编号'); continue }
    if (ticket.length > TICKET_MAX) { refuse(`工单编号超过 ${TICKET_MAX} 个字符`); continue }
    if (seen.has(ticket)) { refuse('工单编号在文件中重复'); continue }
    seen.add(ticket)
    const timeCell = cells[mapping.time]
    const reportedAt = timeCell === undefined ? null : parseTicketTime(timeCell)
    if (!reportedAt) { refuse('受理时间无法识别'); continue }
    if (reportedAt.getTime() > now + 5 * 60_000) { refuse('受理时间晚于现在'); continue }
    const content = text('content')
    if (!content) { refuse('没有诉求内容'); continue }
    const place = matchAddress(text('address'), buildings)
    if ('reason' in place) { refuse(place.reason); continue }
    const kind = classifyTicket(`${text('category')} ${content}`)
    const phoneText = text('phone')
    checked.push({
      row,
      ticket,
      reportedAt,
      buildingId: place.buildingId,
      place: place.place,
      type: kind.type,
      category: kind.category,
      content: content.slice(0, CONTENT_MAX),
      phone: phoneText ? normalizePhone(phoneText) : null,
    })
  }
  const existing = new Set(
    (
      await sql<{ ticket: string }[]>`
        select hotline_ticket as ticket from hazards where community_id = ${communityId} and hotline_ticket = any(${checked.map((c) => c.ticket)}::text[])`
    ).map((r) => r.ticket),
  )
  let imported = 0
  if (!dryRun) {
    const fresh = checked.filter((c) => !existing.has(c.ticket))
    for (let start = 0; start < fresh.length; start += HOTLINE_BATCH) {
      const part = fresh.slice(start, start + HOTLINE_BATCH)
      imported += await insertBatch(sql, communityId, part, actor)
    }
  }
  const accepted = checked.map((c) => ({
    row: c.row,
    ticket: c.ticket,
    reportedAt: c.reportedAt.toISOString(),
    place: c.place,
    type: c.type,
    category: c.category,
    exists: existing.has(c.ticket),
  }))
  return {
    dryRun,
    total: sheet.rows.length,
    accepted: accepted.length,
    imported,
    skipped: accepted.filter((a) => a.exists).length,
    rows: accepted.slice(0, HOTLINE_LIST_MAX),
    rejected,
  }
}

/** Store one batch in its own transaction: the matters, their first timeline rows and one audit row; how many were new. */
async function insertBatch(sql: Sql, communityId: number, part: CheckedTicket[], actor: SessionUser): Promise<number> {
  return sql.begin(async (tx) => {
    const days = LEVEL_DAYS.micro_grid
    const rows = await tx<{ id: number; reportedAt: Date }[]>`
      with t as (
        select * from unnest(${part.map((p) => p.ticket)}::text[], ${part.map((p) => p.reportedAt.toISOString())}::timestamptz[],
                             ${part.map((p) => p.buildingId)}::bigint[], ${part.map((p) => p.type)}::text[], ${part.map((p) => p.category)}::text[],
                             ${part.map((p) => p.content)}::text[], ${part.map((p) => p.phone ?? '')}::text[])
          as t(ticket, reported_at, building_id, type, category, content, phone)
      ), p as (
        select t.*, ST_PointOnSurface(b.footprint) as pt from t join buildings b on b.id = t.building_id and b.community_id = ${communityId}
      ), z as (
        select p.*, g.id as zone_id, m.id as micro_id, coalesce(m.assignee_id, g.assignee_id) as assignee_id
        from p
        left join lateral (select g.id, g.assignee_id from zones g
                           where g.community_id = ${communityId} and g.parent_id is null and ST_Covers(g.geom, p.pt) order by g.id limit 1) g on true
        left join lateral (select mg.id, mg.assignee_id from zones mg
                           where mg.parent_id = g.id and ST_Covers(mg.geom, p.pt) order by mg.assignee_id is null, mg.id limit 1) m on true
      )
      insert into hazards (community_id, zone_id, micro_zone_id, building_id, type, category, severity, level, source, status, description, geom,
                           reported_at, due_at, assignee_id, contact_phone, hotline_ticket)
      select ${communityId}, z.zone_id, z.micro_id, z.building_id, z.type, z.category, 'minor', 'micro_grid', 'hotline_12345', 'reported', z.content, z.pt,
             z.reported_at, z.reported_at + make_interval(days => ${days}), z.assignee_id, nullif(z.phone, ''), z.ticket
      from z
      on conflict (community_id, hotline_ticket) where hotline_ticket is not null do nothing
      returning id::int, reported_at as "reportedAt"`
    if (rows.length > 0) {
      await tx`
        insert into hazard_events (community_id, hazard_id, at, from_status, to_status, user_id, by_name, note)
        select ${communityId}, h.id, h.reported_at, null, 'reported', ${actor.id}, ${actor.name}, '12345 热线工单导入 (12345 hotline import)'
        from hazards h where h.id = any(${rows.map((r) => r.id)}::bigint[])`
      await recordAudit(tx, { userId: actor.id, communityId, action: 'import', entity: 'hotline', entityId: null, after: { imported: rows.length, ids: rows.map((r) => r.id) } })
    }
    return rows.length
  })
}
