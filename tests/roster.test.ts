import ExcelJS from 'exceljs'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { startTestServer, type Client, type TestServer } from './helpers/server.ts'
import { peopleRows, rosterXlsx } from './helpers/roster.ts'

interface Person {
  id: number
  communityId: number
  name: string
  phone: string | null
  teamId: number | null
  teamIds: number[]
  teamNames: string[]
  posts: string[]
  active: boolean
  joinedOn: string | null
  leftOn: string | null
  devices?: { id: string; lastPositionAt: string | null }[]
}
interface Team {
  id: number
  name: string
  kind: string
  kindLabel: string | null
  leaderId: number | null
  deputyIds: number[]
  memberCount: number
}
interface ImportAnswer {
  dryRun: boolean
  imported: number
  updated: number
  unchanged: number
  rejected: { row: number; reason: string }[]
}

let server: TestServer
let admin: Client
let leader: Client
let patrol: Client
let communityId: number
let teams: Team[]
let leaderTeam: Team
let seq = 0

const form = (bytes: Uint8Array, name = 'roster.xlsx') => {
  const f = new FormData()
  f.append('file', new Blob([bytes as BlobPart]), name)
  return f
}
const phone = () => `137${String(20_000_000 + ++seq).padStart(8, '0')}`

beforeAll(async () => {
  server = await startTestServer()
  admin = await server.login('admin')
  leader = await server.login('leader')
  patrol = await server.login('patrol')
  const [c] = await server.db.sql<{ id: number }[]>`select id::int from communities order by id limit 1`
  communityId = c!.id
  teams = ((await (await admin.get(`/api/teams?communityId=${communityId}`)).json()) as { items: Team[] }).items
  const me = (await (await leader.get('/api/auth/me')).json()) as { user: { personId: number } }
  leaderTeam = teams.find((t) => t.leaderId === me.user.personId)!
})
afterAll(async () => {
  await server?.close()
})

test('an admin adds a person in two teams with posts and a joined date; the list shows teamIds', async () => {
  const res = await admin.post('/api/people', { communityId, name: '新队员甲', phone: '138 0013 8000', teamIds: [teams[0]!.id, teams[1]!.id], posts: ['巡逻', '调解'], joinedOn: '2026-03-01' })
  expect(res.status).toBe(201)
  const p = (await res.json()) as Person
  expect(p).toMatchObject({ name: '新队员甲', phone: '13800138000', teamIds: [teams[0]!.id, teams[1]!.id], teamId: teams[0]!.id, posts: ['巡逻', '调解'], joinedOn: '2026-03-01', active: true })
  const list = (await (await admin.get(`/api/people?teamId=${teams[1]!.id}`)).json()) as { items: Person[] }
  expect(list.items.map((x) => x.id)).toContain(p.id)
})

test('deactivating a person keeps them (left date set today), never deletes', async () => {
  const p = (await (await admin.post('/api/people', { communityId, name: '将离队', teamIds: [teams[0]!.id] })).json()) as Person
  const res = await admin.put(`/api/people/${p.id}`, { active: false })
  expect(res.status).toBe(200)
  const after = (await res.json()) as Person
  expect(after.active).toBe(false)
  expect(after.leftOn).toMatch(/^\d{4}-\d{2}-\d{2}$/)
  const inactive = (await (await admin.get('/api/people?active=false')).json()) as { items: Person[] }
  expect(inactive.items.map((x) => x.id)).toContain(p.id)
  expect((await admin.del(`/api/people/${p.id}`)).status).toBe(404)
})

test('a left date before the joined date is refused with 422 and changes nothing', async () => {
  const p = (await (await admin.post('/api/people', { communityId, name: '日期错', joinedOn: '2026-05-01' })).json()) as Person
  const res = await admin.put(`/api/people/${p.id}`, { leftOn: '2026-04-01' })
  expect(res.status).toBe(422)
  expect(((await (await admin.get(`/api/people/${p.id}`)).json()) as Person).active).toBe(true)
})

test('a duplicate phone in the community is refused with 409', async () => {
  const number = phone()
  expect((await admin.post('/api/people', { communityId, name: '手机甲', phone: number })).status).toBe(201)
  const res = await admin.post('/api/people', { communityId, name: '手机乙', phone: number })
  expect(res.status).toBe(409)
  expect(res.headers.get('content-type')).toContain('application/problem+json')
})

test('a bad phone is refused with 400 naming the field', async () => {
  const res = await admin.post('/api/people', { communityId, name: '坏号码', phone: '12345' })
  expect(res.status).toBe(400)
  expect(JSON.stringify(await res.json())).toContain('phone')
})

test('a leader adds a member to their own team, but not to another team', async () => {
  const ok = await leader.post('/api/people', { name: '队长招的人', teamIds: [leaderTeam.id], phone: phone() })
  expect(ok.status).toBe(201)
  const other = teams.find((t) => t.id !== leaderTeam.id)!
  const refused = await leader.post('/api/people', { name: '别队的人', teamIds: [other.id] })
  expect(refused.status).toBe(403)
  const none = await leader.post('/api/people', { name: '无队', communityId })
  expect(none.status).toBe(403)
})

test("a leader cannot edit another team's member, and a patrol member cannot edit anyone", async () => {
  const other = teams.find((t) => t.id !== leaderTeam.id)!
  const p = (await (await admin.post('/api/people', { communityId, name: '他队成员', teamIds: [other.id] })).json()) as Person
  expect((await leader.put(`/api/people/${p.id}`, { title: '改' })).status).toBe(403)
  expect((await patrol.put(`/api/people/${p.id}`, { title: '改' })).status).toBe(403)
})

test("a leader moving their member keeps the member's other teams", async () => {
  const other = teams.find((t) => t.id !== leaderTeam.id)!
  const p = (await (await admin.post('/api/people', { communityId, name: '双队员', teamIds: [leaderTeam.id, other.id] })).json()) as Person
  const res = await leader.put(`/api/people/${p.id}`, { teamIds: [] })
  expect(res.status).toBe(200)
  expect(((await res.json()) as Person).teamIds).toEqual([other.id])
})

test('a leader sees full phone numbers of their own team only; others are masked', async () => {
  const list = (await (await leader.get('/api/people')).json()) as { items: Person[] }
  const own = list.items.find((p) => p.teamIds.includes(leaderTeam.id) && p.phone)!
  expect(own.phone).toMatch(/^\d{11}$/)
  const foreign = list.items.find((p) => !p.teamIds.includes(leaderTeam.id) && p.phone)!
  expect(foreign.phone, JSON.stringify(foreign)).toContain('****')
})

test('teams of any kind: a custom kind needs its name; leader and deputies become members', async () => {
  const people = ((await (await admin.get(`/api/people?communityId=${communityId}`)).json()) as { items: Person[] }).items
  const [a, b] = people.filter((p) => p.active)
  expect((await admin.post('/api/teams', { communityId, name: '平安志愿队', kind: 'custom' })).status).toBe(400)
  const res = await admin.post('/api/teams', { communityId, name: '平安志愿队', kind: 'custom', kindLabel: '志愿服务', leaderId: a!.id, deputyIds: [b!.id] })
  expect(res.status).toBe(201)
  const team = (await res.json()) as Team
  expect(team).toMatchObject({ kind: 'custom', kindLabel: '志愿服务', leaderId: a!.id, deputyIds: [b!.id], memberCount: 2 })
})

test("a team's leader edits its deputies but not its leader; other roles cannot", async () => {
  const members = ((await (await admin.get(`/api/people?teamId=${leaderTeam.id}`)).json()) as { items: Person[] }).items
  const deputy = members.find((p) => p.id !== leaderTeam.leaderId)!
  const res = await leader.put(`/api/teams/${leaderTeam.id}`, { deputyIds: [deputy.id] })
  expect(res.status).toBe(200)
  expect(((await res.json()) as Team).deputyIds).toEqual([deputy.id])
  expect((await leader.put(`/api/teams/${leaderTeam.id}`, { leaderId: deputy.id })).status).toBe(403)
  expect((await patrol.put(`/api/teams/${leaderTeam.id}`, { name: 'x' })).status).toBe(403)
})

test('GET /api/people?format=xlsx is the template: it reads back with no change', async () => {
  const res = await admin.get(`/api/people?format=xlsx&communityId=${communityId}`)
  expect(res.status).toBe(200)
  const bytes = new Uint8Array(await res.arrayBuffer())
  const wb = new ExcelJS.Workbook()
  await wb.xlsx.load(Buffer.from(bytes) as unknown as ArrayBuffer)
  expect(wb.worksheets[0]!.getRow(1).getCell(2).value).toBe('姓名 Name')
  const preview = (await (await admin.post(`/api/people/import?communityId=${communityId}&dryRun=true`, form(bytes))).json()) as ImportAnswer
  expect(preview).toMatchObject({ dryRun: true, imported: 0, updated: 0, rejected: [] })
  expect(preview.unchanged).toBeGreaterThan(40)
})

test('an XLSX preview reports bad rows (unknown team, duplicate phone, bad date) and writes nothing; the commit imports the rest', async () => {
  const rows = peopleRows(12, [teams[0]!.name, teams[2]!.name], 50)
  rows[3]!.teams = '不存在的队'
  rows[5]!.phone = rows[4]!.phone!
  rows[8]!.joinedOn = '2025-02-30'
  const bytes = await rosterXlsx(rows, { title: '光谷广场社区 花名册' })
  const before = ((await (await admin.get('/api/people')).json()) as { items: Person[] }).items.length
  const preview = (await (await admin.post(`/api/people/import?communityId=${communityId}&dryRun=true`, form(bytes))).json()) as ImportAnswer
  expect(preview.imported).toBe(9)
  expect(preview.rejected.map((r) => r.row)).toEqual([6, 8, 11])
  expect(preview.rejected[0]!.reason).toContain('unknown team')
  expect(preview.rejected[1]!.reason).toContain('duplicate phone')
  expect(preview.rejected[2]!.reason).toContain('bad date')
  expect(((await (await admin.get('/api/people')).json()) as { items: Person[] }).items.length).toBe(before)
  const done = (await (await admin.post(`/api/people/import?communityId=${communityId}`, form(bytes))).json()) as ImportAnswer
  expect(done).toMatchObject({ dryRun: false, imported: 9, updated: 0 })
  expect(((await (await admin.get('/api/people')).json()) as { items: Person[] }).items.length).toBe(before + 9)
})

test('importing again updates by phone: changed rows are counted as updated, the rest unchanged', async () => {
  const rows = peopleRows(4, [teams[0]!.name], 71)
  const first = (await (await admin.post(`/api/people/import?communityId=${communityId}`, form(await rosterXlsx(rows)))).json()) as ImportAnswer
  expect(first.imported).toBe(4)
  rows[0]!.title = '副队长'
  rows[1]!.leftOn = '2026-06-30'
  delete rows[1]!.active
  const second = (await (await admin.post(`/api/people/import?communityId=${communityId}`, form(await rosterXlsx(rows)))).json()) as ImportAnswer
  expect(second).toMatchObject({ imported: 0, updated: 2, unchanged: 2, rejected: [] })
  const list = ((await (await admin.get('/api/people?active=false')).json()) as { items: Person[] }).items
  expect(list.find((p) => p.name === rows[1]!.name)).toMatchObject({ active: false, leftOn: '2026-06-30' })
})

test('a CSV roster imports too', async () => {
  const csv = '\uFEFF姓名,手机,队伍\n"钱七七",13900009991,' + teams[0]!.name + '\n孙八八,13900009992,\n'
  const res = await admin.post(`/api/people/import?communityId=${communityId}`, csv, { 'content-type': 'text/csv' })
  expect(res.status).toBe(200)
  expect(((await res.json()) as ImportAnswer).imported).toBe(2)
})

test('a file without a name column is 422; a leader may import only into their own team; a patrol member not at all', async () => {
  const bad = await admin.post(`/api/people/import?communityId=${communityId}`, 'a,b\n1,2\n', { 'content-type': 'text/csv' })
  expect(bad.status).toBe(422)
  const other = teams.find((t) => t.id !== leaderTeam.id)!
  const rows = peopleRows(2, [leaderTeam.name], 93)
  rows[1]!.teams = other.name
  const answer = (await (await leader.post(`/api/people/import?communityId=${communityId}`, form(await rosterXlsx(rows)))).json()) as ImportAnswer
  expect(answer.imported).toBe(1)
  expect(answer.rejected).toEqual([{ row: 3, reason: expect.stringContaining('your team') }])
  expect((await patrol.post(`/api/people/import?communityId=${communityId}`, form(await rosterXlsx(rows)))).status).toBe(403)
})

test('a roster larger than 5 MB is refused with 413', async () => {
  const res = await admin.post(`/api/people/import?communityId=${communityId}`, new Uint8Array(6 * 1024 * 1024), { 'content-type': 'text/csv' })
  expect(res.status).toBe(413)
})

test("another community's people and teams are out of reach: 404 by id, 403 to import into it", async () => {
  const [c] = await server.db.sql<{ id: number }[]>`
    insert into communities (name, utm_srid, boundary) values ('花名册测试B', 32650, ST_Multi(ST_MakeEnvelope(114.6, 30.7, 114.61, 30.71, 4326))) returning id::int`
  const [p] = await server.db.sql<{ id: number }[]>`insert into people (community_id, name) values (${c!.id}, 'B 社区的人') returning id::int`
  expect((await leader.get(`/api/people/${p!.id}`)).status).toBe(404)
  expect((await leader.put(`/api/people/${p!.id}`, { name: 'x' })).status).toBe(404)
  expect((await leader.post(`/api/people/import?communityId=${c!.id}`, form(await rosterXlsx(peopleRows(1, []))))).status).toBe(404)
})
