/**
 * The building label in SQL (db/functions/address.sql, used by the vector tiles) says what core/address.ts
 * `buildingLabel` says (used by the GeoJSON map and every list): on tricky names and on every demo building,
 * both backends; and the buildings tile carries it.
 */
import { afterAll, beforeAll, expect, test } from 'vitest'
import { buildingLabel } from '../core/address.ts'
import { startTestServer, type TestServer } from './helpers/server.ts'

let server: TestServer

beforeAll(async () => {
  server = await startTestServer()
})
afterAll(async () => {
  await server?.close()
})

const SAMPLES: [string | null, string | null][] = [
  ['3', null],
  ['３', '光谷花园'],
  ['光谷花园3栋', '光谷花园'],
  ['光谷花园 ３ 栋', '光谷花园'],
  ['12号楼', null],
  ['5幢', null],
  ['ａ座', null],
  ['B 座', null],
  ['7号', null],
  ['烟草(?)', null],
  ['商店（？）', null],
  ['？', null],
  ['光谷花园物业楼', '光谷花园'],
  ['光谷花园', '光谷花园'],
  ['  物业  服务中心 ', null],
  ['物业\u3000服务中心', null],
  [null, '光谷花园'],
  ['', null],
  ['光谷花园(?) 会所', '光谷花园'],
  ['住宅楼 (?)', '金地格林'],
]

test('tricky names get the same label in SQL as in core/address.ts', async () => {
  const rows = await server.db.sql<{ label: string | null }[]>`
    select sg_building_label(s.name, s.compound) as label
    from unnest(${SAMPLES.map((x) => x[0])}::text[], ${SAMPLES.map((x) => x[1])}::text[]) with ordinality as s(name, compound, i)
    order by s.i`
  expect(rows.map((r) => r.label)).toEqual(SAMPLES.map(([name, compoundName]) => buildingLabel({ name, compoundName })))
})

test('every demo building gets the same label in SQL as in core/address.ts', async () => {
  const rows = await server.db.sql<{ name: string | null; compound: string | null; label: string | null }[]>`
    select b.name, c.name as compound, sg_building_label(b.name, c.name) as label
    from buildings b left join compounds c on c.id = b.compound_id order by b.id`
  expect(rows.length).toBeGreaterThan(100)
  const differing = rows.filter((r) => r.label !== buildingLabel({ name: r.name, compoundName: r.compound }))
  expect(differing).toEqual([])
  expect(rows.filter((r) => r.label !== null).length).toBeGreaterThan(0)
})
