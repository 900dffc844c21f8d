import { timingSafeEqual } from 'node:crypto'
import { getConnInfo } from '@hono/node-server/conninfo'
import { Hono } from 'hono'
import { z } from 'zod'
import type { AppEnv } from '../context.ts'
import { hashPassword } from '../domain/password.ts'
import { PASSWORD_MAX_LENGTH, passwordProblem, USERNAME_PATTERN } from '../../core/roles.ts'
import { Problem, problems } from '../problem.ts'
import { recordAudit } from '../queries/audit.ts'
import { startSession } from './auth.ts'
import { validate } from '../validate.ts'
import type { Queryable } from '../db/connect.ts'

const body = z.object({
  username: z.string().trim().min(1, 'username must not be empty').regex(USERNAME_PATTERN, 'use 1–50 letters, digits, . _ - or @'),
  name: z.string().trim().min(1, 'name is required').max(100),
  password: z.string().max(PASSWORD_MAX_LENGTH + 1),
  setupToken: z.string().max(200).optional(),
})

/** Whether an address is this machine (127.0.0.0/8, ::1, or IPv4-mapped loopback). */
export function isLoopback(address: string | undefined): boolean {
  if (!address) return false
  const a = address.replace(/^::ffff:/i, '')
  return a === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(a)
}

/** Whether any enabled admin exists. */
export async function hasAdmin(sql: Queryable): Promise<boolean> {
  const [row] = await sql<{ any: boolean }[]>`select exists (select 1 from users where role = 'admin' and not disabled) as any`
  return row?.any ?? false
}

const same = (a: string, b: string): boolean => {
  const x = Buffer.from(a)
  const y = Buffer.from(b)
  return x.length === y.length && timingSafeEqual(x, y)
}

/**
 * The first start without the demo (no sign-in): `GET /api/setup` → `{ needsAdmin, communities }`;
 * `POST /api/setup { username, name, password, setupToken? }` creates the first admin and signs them in. It works
 * only while no enabled admin exists (409 after), and only from loopback unless the setup token printed on the
 * server's console is given (403).
 */
export function setupRoutes(setupToken: string | undefined) {
  return new Hono<AppEnv>()
    .get('/', async (c) => {
      const sql = c.get('sql')
      const [row] = await sql<{ n: number }[]>`select count(*)::int as n from communities`
      return c.json({ needsAdmin: !(await hasAdmin(sql)), communities: row?.n ?? 0 })
    })
    .post('/', validate('json', body), async (c) => {
      const input = c.req.valid('json')
      const address = getConnInfo(c).remote.address
      const tokenOk = Boolean(setupToken && input.setupToken && same(input.setupToken, setupToken))
      if (!tokenOk && !isLoopback(address)) throw problems.forbidden('Set up from this machine, or give the setup token printed on the server console.')
      const problem = passwordProblem(input.password, input.username)
      if (problem) throw problems.unprocessable('The account is invalid.', [{ path: 'password', message: problem }])
      const hash = await hashPassword(input.password)
      const sql = c.get('sql')
      const userId = await sql.begin(async (tx) => {
        await tx`select pg_advisory_xact_lock(735122)`
        if (await hasAdmin(tx)) throw new Problem(409, 'An admin already exists: sign in instead.')
        const [taken] = await tx`select 1 from users where lower(username) = lower(${input.username})`
        if (taken) throw problems.conflict(`The username ${input.username} is taken.`)
        const [row] = await tx<{ id: number }[]>`
          insert into users (username, name, role, password_hash, must_change_password, password_changed_at)
          values (${input.username}, ${input.name}, 'admin', ${hash}, false, now()) returning id::int`
        await recordAudit(tx, { userId: row!.id, action: 'setup', entity: 'user', entityId: row!.id, after: { username: input.username, via: tokenOk ? 'token' : 'loopback' } })
        return row!.id
      })
      return c.json(await startSession(c, { id: userId, name: input.name, role: 'admin', username: input.username, mustChangePassword: false }), 201)
    })
}
