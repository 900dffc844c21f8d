/**
 * 12345 hotline tickets from the platforms' Excel export (issue 15) against a real server: the columns and the
 * suggested mapping, the preview (nothing stored), rows geocoded to a building by compound name and building
 * number or refused with the reason, the import as matters with source hotline_12345 and the ticket number, a
 * second import skipping the tickets already in, batches, and bad input refused. Every workbook is made here with
 * exceljs, its tickets numbered apart per test.
 */
import ExcelJS from 'exceljs'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { startTestServer, type Client, type TestServer } from './helpers/server.ts'
import { readableAddress } from '../core/address.ts'

interface ImportResult {
  dryRun: boolean
  total: number
  accepted: number
  imported: number
  skipped: number
  rows: { row: number; ticket: string; reportedAt: string; place: string; type: string; category: string; exists: boolean }[]
  rejected: { row: number; ticket: string | null; reason: string }[]
}

const HEADERS = ['序号', '工单编号', '来电时间', '来电号码', '事发地址', '诉求类别', '诉求内容']
const MAPPING = { ticket: 1, time: 2, phone: 3, address: 4, category: 5, content: 6 }

let server: TestServer
let command: Client
let communityId: number
/** A compound and one of its numbered buildings ("光谷花园", 3, building id). */
let place: { compound: string; number: string; buildingId: number; label: string }

const sql = () => server.db.sql

async function workbook(rows: (string | Date | number)[][]): Promise<Uint8Array> {
  const book = new ExcelJS.Workbook()
  const sheet = book.addWorksheet('工单明细')
  sheet.addRow(HEADERS)
  for (const r of rows) sheet.addRow(r)
  return new Uint8Array(await book.xlsx.writeBuffer())
}

function form(bytes: Uint8Array, mapping: unknown = MAPPING): FormData {
  const f = new FormData()
  f.set('file', new Blob([bytes as BlobPart], { type: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' }), '12345工单.xlsx')
  f.set('mapping', typeof mapping === 'string' ? mapping : JSON.stringify(mapping))
  return f
}

async function send(bytes: Uint8Array, dryRun: boolean, mapping: unknown = MAPPING, client = command): Promise<Response> {
  return client.post(`/api/hotline/import?communityId=${communityId}&dryRun=${dryRun}`, form(bytes, mapping))
}

async function imported(bytes: Uint8Array, dryRun: boolean): Promise<ImportResult> {
  const res = await send(bytes, dryRun)
  if (res.status !== 200) throw new Error(`import: ${res.status} ${await res.text()}`)
  return (await res.json()) as ImportResult
}

const address = (extra = '2单元501室'): string => `湖北省武汉市洪山区${place.compound}${place.number}栋${extra}`
/** A good row: ticket, its time as an Excel date (Beijing wall clock), phone, address, category, content. */
const good = (ticket: string, content = '楼道堆放杂物，堵塞安全出口'): (string | Date)[] => ['1', ticket, new Date(Date.UTC(2026, 10, 3, 8, 30)), '139-1234-5678', address(), '消防安全', content]

beforeAll(async () => {
  server = await startTestServer()
  command = await server.login('command')
  const [row] = await sql()<{ communityId: number; compound: string; number: string; buildingId: number; name: string }[]>`
    with b as (
      select b.id, b.name, b.community_id, cp.id as cp_id, cp.name as compound, substring(b.name from '([0-9]+)(?:栋|幢|号楼)$') as number
      from buildings b join compounds cp on cp.id = b.compound_id
      where cp.name ~ '^[^?？()（）\s]+$' and b.name ~ '(^|[^0-9])[0-9]+(栋|幢|号楼)$'
    )
    select b.community_id::int as "communityId", b.compound, b.number, b.id::int as "buildingId", b.name from b
    where (select count(*) from b b2 where b2.cp_id = b.cp_id and b2.number = b.number) = 1
      and (select count(*) from compounds c2 where c2.community_id = b.community_id and c2.name like '%' || b.compound || '%') = 1
    order by b.id limit 1`
  expect(row).toBeDefined()
  communityId = row!.communityId
  place = { compound: row!.compound, number: row!.number, buildingId: row!.buildingId, label: readableAddress({ name: row!.name, compoundName: row!.compound }) }
})
afterAll(async () => {
  await server?.close()
})

test('the columns of an export come back with sample rows and the suggested mapping', async () => {
  const f = new FormData()
  f.set('file', new Blob([(await workbook([good('C-1')])) as BlobPart]), 'x.xlsx')
  const res = await command.post('/api/hotline/columns', f)
  expect(res.status).toBe(200)
  const body = (await res.json()) as { sheet: string; headers: string[]; rows: number; samples: string[][]; suggested: Record<string, number> }
  expect(body).toMatchObject({ sheet: '工单明细', headers: HEADERS, rows: 1 })
  expect(body.samples[0]![1]).toBe('C-1')
  expect(body.suggested).toEqual(MAPPING)
})

test('the preview geocodes each row to a building or gives the reason, and stores nothing', async () => {
  const bytes = await workbook([
    good('P-1'),
    ['2', 'P-2', '2026/11/4 9:15', '', `${place.compound}${place.number}号楼`, '物业管理', '电梯坏了没人修'],
    ['3', 'P-3', '2026-11-04 10:00', '', '光谷大道 100 号', '', '噪音扰民'],
    ['4', 'P-4', '2026-11-04 10:00', '', `${place.compound}东门`, '', '路灯不亮'],
    ['5', 'P-5', '2026-11-04 10:00', '', `${place.compound}999栋`, '', '垃圾没人清'],
    ['6', 'P-1', '2026-11-04 10:00', '', address(), '', '重复的工单'],
    ['7', 'P-7', '昨天下午', '', address(), '', '时间不对'],
    ['8', '', '2026-11-04 10:00', '', address(), '', '没有编号'],
    ['9', 'P-9', '2026-11-04 10:00', '', address(), '', ''],
  ])
  const r = await imported(bytes, true)
  expect(r).toMatchObject({ dryRun: true, total: 9, accepted: 2, imported: 0, skipped: 0 })
  expect(r.rows.map((x) => [x.row, x.ticket, x.place, x.type, x.category])).toEqual([
    [2, 'P-1', place.label, 'hazard', 'corridor_clutter'],
    [3, 'P-2', place.label, 'hazard', 'facility_aging'],
  ])
  // An Excel date is Beijing wall-clock time; text times too.
  expect(r.rows[0]!.reportedAt).toBe('2026-11-03T00:30:00.000Z')
  expect(r.rows[1]!.reportedAt).toBe('2026-11-04T01:15:00.000Z')
  expect(r.rejected).toEqual([
    { row: 4, ticket: 'P-3', reason: '地址中没有找到本社区的小区名' },
    { row: 5, ticket: 'P-4', reason: `地址中“${place.compound}”后没有楼栋号` },
    { row: 6, ticket: 'P-5', reason: `${place.compound}没有999栋` },
    { row: 7, ticket: 'P-1', reason: '工单编号在文件中重复' },
    { row: 8, ticket: 'P-7', reason: '受理时间无法识别' },
    { row: 9, ticket: null, reason: '没有工单编号' },
    { row: 10, ticket: 'P-9', reason: '没有诉求内容' },
  ])
  const [n] = await sql()<{ n: number }[]>`select count(*)::int as n from hazards where hotline_ticket like 'P-%'`
  expect(n!.n).toBe(0)
})

test('the import makes matters with source hotline_12345, the ticket number, the building, the time and a timeline row', async () => {
  const r = await imported(await workbook([good('I-1'), ['2', 'I-2', '2026-11-05 20:00', '', address(), '', '小区垃圾没人清理']]), false)
  expect(r).toMatchObject({ dryRun: false, accepted: 2, imported: 2, skipped: 0 })
  const rows = await sql()<{ ticket: string; source: string; status: string; buildingId: number; type: string; category: string; reportedAt: Date; contact: string | null; events: number }[]>`
    select h.hotline_ticket as ticket, h.source, h.status, h.building_id::int as "buildingId", h.type, h.category, h.reported_at as "reportedAt",
           h.contact_phone as contact, (select count(*)::int from hazard_events e where e.hazard_id = h.id) as events
    from hazards h where h.hotline_ticket like 'I-%' order by h.hotline_ticket`
  expect(rows.map((x) => ({ ...x, reportedAt: x.reportedAt.toISOString() }))).toEqual([
    { ticket: 'I-1', source: 'hotline_12345', status: 'reported', buildingId: place.buildingId, type: 'hazard', category: 'corridor_clutter', reportedAt: '2026-11-03T00:30:00.000Z', contact: '13912345678', events: 1 },
    { ticket: 'I-2', source: 'hotline_12345', status: 'reported', buildingId: place.buildingId, type: 'request', category: 'environment', reportedAt: '2026-11-05T12:00:00.000Z', contact: null, events: 1 },
  ])
})

test('importing the same export again skips the tickets already in', async () => {
  const bytes = await workbook([good('R-1'), good('R-2')])
  expect((await imported(bytes, false)).imported).toBe(2)
  const again = await imported(bytes, false)
  expect(again).toMatchObject({ accepted: 2, imported: 0, skipped: 2 })
  expect(again.rows.every((x) => x.exists)).toBe(true)
  const [n] = await sql()<{ n: number }[]>`select count(*)::int as n from hazards where hotline_ticket like 'R-%'`
  expect(n!.n).toBe(2)
})

test('a large export is stored in batches, every ticket once', async () => {
  const rows = Array.from({ length: 250 }, (_, i) => good(`B-${i}`))
  const r = await imported(await workbook(rows), false)
  expect(r).toMatchObject({ accepted: 250, imported: 250 })
  const [n] = await sql()<{ n: number; audits: number }[]>`
    select count(*)::int as n, (select count(*)::int from audit_log where entity = 'hotline') as audits from hazards where hotline_ticket like 'B-%'`
  expect(n!.n).toBe(250)
  expect(n!.audits).toBeGreaterThanOrEqual(3)
})

test('a bad mapping, a mapping beyond the sheet, a file that is no workbook and no file are refused, changing nothing', async () => {
  const bytes = await workbook([good('X-1')])
  expect((await send(bytes, false, 'not json')).status).toBe(400)
  expect((await send(bytes, false, { ticket: 1, time: 2 })).status).toBe(400)
  expect((await send(bytes, false, { ...MAPPING, content: 30 })).status).toBe(422)
  expect((await send(new TextEncoder().encode('工单编号,时间\nX-1,2026-11-01'), false)).status).toBe(422)
  expect((await command.post(`/api/hotline/import?communityId=${communityId}&dryRun=false`, new FormData())).status).toBe(400)
  const [n] = await sql()<{ n: number }[]>`select count(*)::int as n from hazards where hotline_ticket like 'X-%'`
  expect(n!.n).toBe(0)
})

test('only admin and command import; an unknown community is 404', async () => {
  const bytes = await workbook([good('Y-1')])
  for (const who of ['leader', 'patrol', 'wuye']) expect((await send(bytes, false, MAPPING, await server.login(who))).status).toBe(403)
  expect((await send(bytes, true, MAPPING, command)).status).toBe(200)
  const res = await command.post('/api/hotline/import?communityId=987654&dryRun=false', form(bytes))
  expect(res.status).toBe(404)
  const [n] = await sql()<{ n: number }[]>`select count(*)::int as n from hazards where hotline_ticket like 'Y-%'`
  expect(n!.n).toBe(0)
})
