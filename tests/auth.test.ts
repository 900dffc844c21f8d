import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { startTestServer, type TestServer } from './helpers/server.ts'

let server: TestServer
beforeAll(async () => {
  server = await startTestServer()
})
afterAll(async () => {
  await server?.close()
})

async function expectProblem(res: Response, status: number): Promise<{ detail: string }> {
  expect(res.status).toBe(status)
  expect(res.headers.get('content-type')).toContain('application/problem+json')
  const body = (await res.json()) as { status: number; detail: string; title: string }
  expect(body.status).toBe(status)
  expect(body.detail.length).toBeGreaterThan(0)
  return body
}

function cookieOf(res: Response): string {
  const raw = res.headers.getSetCookie().find((c) => c.startsWith('sg_session='))
  if (!raw) throw new Error('no session cookie')
  return raw.split(';')[0]!
}

describe('sign-in', () => {
  test('the demo accounts sign in with their role', async () => {
    for (const role of ['admin', 'planner', 'command', 'leader', 'patrol']) {
      const client = await server.login(role)
      expect(client.user.role).toBe(role)
      expect(client.token.length).toBeGreaterThan(30)
    }
  })

  test('login sets an HttpOnly SameSite session cookie', async () => {
    const res = await server.post('/api/auth/login', { username: 'command', password: 'demo' })
    expect(res.status).toBe(200)
    const raw = res.headers.getSetCookie().find((c) => c.startsWith('sg_session=')) ?? ''
    expect(raw).toMatch(/HttpOnly/i)
    expect(raw).toMatch(/SameSite=Lax/i)
  })

  test('a wrong password is a 401 problem', async () => {
    await expectProblem(await server.post('/api/auth/login', { username: 'leader', password: 'nope' }), 401)
  })

  test('an unknown account is a 401 problem', async () => {
    await expectProblem(await server.post('/api/auth/login', { username: 'nobody', password: 'demo' }), 401)
  })

  test('a malformed login body is a 400 problem', async () => {
    await expectProblem(await server.post('/api/auth/login', '{"username":', { 'content-type': 'application/json' }), 400)
    await expectProblem(await server.post('/api/auth/login', { username: 42 }), 400)
  })

  test('ten failures from one address make that account wait there (429 with Retry-After), even with the right password', async () => {
    for (let i = 0; i < 10; i++) await server.post('/api/auth/login', { username: 'planner', password: `wrong-${i}` })
    const res = await server.post('/api/auth/login', { username: 'planner', password: 'demo' })
    await expectProblem(res, 429)
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0)
  })
})

describe('sessions', () => {
  test('me answers the signed-in user with the communities they may see', async () => {
    const leader = await server.login('leader')
    const res = await leader.get('/api/auth/me')
    expect(res.status).toBe(200)
    const body = (await res.json()) as { user: { role: string; communityIds: number[] } }
    expect(body.user.role).toBe('leader')
    expect(body.user.communityIds.length).toBe(1)
  })

  test('no token is a 401 problem', async () => {
    await expectProblem(await server.get('/api/hazards'), 401)
  })

  test('a tampered token is a 401 problem', async () => {
    const client = await server.login('command')
    const tampered = client.token.slice(0, -2) + (client.token.endsWith('AA') ? 'BB' : 'AA')
    await expectProblem(await server.get('/api/hazards', { authorization: `Bearer ${tampered}` }), 401)
  })

  test('an expired session is a 401 problem', async () => {
    const client = await server.login('command')
    await server.db.sql`update sessions set expires_at = now() - interval '1 minute'
                        where user_id = ${client.user.id}`
    await expectProblem(await client.get('/api/hazards'), 401)
  })

  test('logout revokes the token', async () => {
    const client = await server.login('command')
    expect((await client.post('/api/auth/logout')).status).toBe(204)
    await expectProblem(await client.get('/api/auth/me'), 401)
  })

  test('a cookie write without the CSRF token is refused; with it, it passes', async () => {
    const login = await server.post('/api/auth/login', { username: 'command', password: 'demo' })
    const { csrfToken } = (await login.json()) as { csrfToken: string }
    const cookie = cookieOf(login)
    await expectProblem(await server.send('POST', '/api/auth/logout', undefined, { cookie }), 403)
    expect((await server.send('GET', '/api/auth/me', undefined, { cookie })).status).toBe(200)
    expect((await server.send('POST', '/api/auth/logout', undefined, { cookie, 'x-csrf-token': csrfToken })).status).toBe(204)
  })
})

describe('scope and personal data', () => {
  test('phone numbers are masked for command, shown to admins', async () => {
    const command = await server.login('command')
    const admin = await server.login('admin')
    const masked = (await (await command.get('/api/people')).json()) as { items: { phone: string | null }[] }
    const clear = (await (await admin.get('/api/people')).json()) as { items: { phone: string | null }[] }
    expect(masked.items.length).toBeGreaterThanOrEqual(40)
    expect(masked.items.every((p) => p.phone === null || /^\d{3}\*{4}\d{4}$/.test(p.phone))).toBe(true)
    expect(clear.items.some((p) => p.phone !== null && /^\d{11}$/.test(p.phone))).toBe(true)
  })

  test('a leader sees the phone numbers of their own team only', async () => {
    const leader = await server.login('leader')
    const me = (await (await leader.get('/api/auth/me')).json()) as { user: { personId: number } }
    const { items } = (await (await leader.get('/api/people')).json()) as {
      items: { id: number; phone: string | null; teamLeaderId: number | null }[]
    }
    const own = items.filter((p) => p.teamLeaderId === me.user.personId)
    const others = items.filter((p) => p.teamLeaderId !== me.user.personId && p.id !== me.user.personId)
    expect(own.length).toBeGreaterThan(0)
    expect(own.every((p) => p.phone === null || /^\d{11}$/.test(p.phone))).toBe(true)
    expect(others.every((p) => p.phone === null || p.phone.includes('*'))).toBe(true)
  })

  test('the audit log lists sign-ins for admins and is closed to others', async () => {
    const admin = await server.login('admin')
    const res = await admin.get('/api/audit?limit=50')
    expect(res.status).toBe(200)
    const { items } = (await res.json()) as { items: { action: string; username: string }[] }
    expect(items.some((e) => e.action === 'login' && e.username === 'admin')).toBe(true)
    const leader = await server.login('leader')
    await expectProblem(await leader.get('/api/audit'), 403)
  })
})
