/**
 * Readable addresses (issue 19, item 2): a building is listed by its compound and number ("光谷花园 3栋"),
 * never as "楼栋 #164" or by a raw OpenStreetMap name such as "烟草(?)" — in core and through the server.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { buildingLabel, buildingNumber, cleanPlaceName, readableAddress } from '../core/address.ts'
import { startTestServer, type Client, type TestServer } from './helpers/server.ts'

describe('core/address.ts', () => {
  test('a mapper’s doubt marks are dropped', () => {
    expect(cleanPlaceName('烟草(?)')).toBe('烟草')
    expect(cleanPlaceName('商店（？）')).toBe('商店')
    expect(cleanPlaceName(' ? ')).toBeNull()
    expect(cleanPlaceName(null)).toBeNull()
  })

  test('the number is read from the end of a name', () => {
    expect(buildingNumber('光谷花园3栋')).toBe('3栋')
    expect(buildingNumber('教工宿舍12号楼')).toBe('12号楼')
    expect(buildingNumber('１２栋')).toBe('12栋')
    expect(buildingNumber('7')).toBe('7栋')
    expect(buildingNumber('b座')).toBe('B座')
    expect(buildingNumber('华美达大酒店')).toBeNull()
  })

  test('a building is named by its compound and number', () => {
    expect(readableAddress({ name: '光谷花园3栋', compoundName: '光谷花园' })).toBe('光谷花园 3栋')
    expect(readableAddress({ name: '3', compoundName: '光谷花园' })).toBe('光谷花园 3栋')
    expect(readableAddress({ name: '光谷花园物业楼', compoundName: '光谷花园' })).toBe('光谷花园 物业楼')
    expect(readableAddress({ name: '烟草(?)', compoundName: null })).toBe('烟草')
    expect(readableAddress({ name: null, compoundName: '鲁巷小区' })).toBe('鲁巷小区 楼栋')
    expect(readableAddress({ name: null, compoundName: null })).toBe('未命名楼栋')
    expect(readableAddress({ name: null, compoundName: null }, 'en')).toBe('Unnamed building')
    expect(buildingLabel({ name: '光谷花园物业楼', compoundName: '光谷花园' })).toBe('物业楼')
  })
})

describe('the server lists places by readable address', () => {
  let server: TestServer
  let command: Client
  let numbered: { id: number; code: string; compound: string }
  let doubtful: { id: number; code: string }
  let unnamed: { id: number; code: string; compound: string }

  beforeAll(async () => {
    server = await startTestServer()
    command = await server.login('command')
    const sql = server.db.sql
    const inCompound = await sql<{ id: number; code: string; compound: string }[]>`
      select b.id::int, b.report_code as code, c.name as compound from buildings b join compounds c on c.id = b.compound_id
      where b.community_id = 1 and b.report_code is not null order by b.id limit 2`
    numbered = inCompound[0]!
    unnamed = inCompound[1]!
    const [outside] = await sql<{ id: number; code: string }[]>`
      select b.id::int, b.report_code as code from buildings b
      where b.compound_id is null and b.report_code is not null order by b.id limit 1`
    doubtful = outside!
    await sql`update buildings set name = ${numbered.compound + '3栋'} where id = ${numbered.id}`
    await sql`update buildings set name = null, households = 12 where id = ${unnamed.id}`
    await sql`update buildings set name = '烟草(?)' where id = ${doubtful.id}`
  })
  afterAll(async () => {
    await server?.close()
  })

  test('a poster code names the building by compound and number, never by id or with "(?)"', async () => {
    const name = async (code: string): Promise<string> => {
      const res = await server.get(`/api/public/reports/places/${code}`)
      expect(res.status).toBe(200)
      return ((await res.json()) as { name: string }).name
    }
    expect(await name(numbered.code)).toBe(`${numbered.compound} 3栋`)
    expect(await name(unnamed.code)).toBe(`${unnamed.compound} 楼栋`)
    expect(await name(doubtful.code)).toBe('烟草')
  })

  test('the poster list has no "楼栋 #" and no "(?)"', async () => {
    const res = await command.get('/api/posters')
    expect(res.status).toBe(200)
    const { items } = (await res.json()) as { items: { id: number; kind: string; name: string; compoundName: string | null }[] }
    expect(items.filter((i) => /#|\?|？/.test(i.name))).toEqual([])
    const mine = items.find((i) => i.kind === 'building' && i.id === numbered.id)
    expect(mine).toMatchObject({ name: '3栋', compoundName: numbered.compound })
    expect(items.find((i) => i.kind === 'building' && i.id === doubtful.id)?.name).toBe('烟草')
  })
})
