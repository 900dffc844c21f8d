import { getConnInfo } from '@hono/node-server/conninfo'
import { Hono, type Context } from 'hono'
import { deleteCookie, setCookie } from 'hono/cookie'
import { z } from 'zod'
import { authenticate, SESSION_COOKIE } from '../auth/middleware.ts'
import { LoginThrottle } from '../auth/throttle.ts'
import type { AppEnv } from '../context.ts'
import { hashPassword, verifyPassword } from '../domain/password.ts'
import { PASSWORD_MAX_LENGTH, passwordProblem } from '../../core/roles.ts'
import { setOwnPassword } from '../queries/accounts.ts'
import { Problem, problems } from '../problem.ts'
import { recordAudit } from '../queries/audit.ts'
import { createSession, findUserForLogin, revokeSession, SESSION_TTL_MS } from '../queries/users.ts'
import { validate } from '../validate.ts'

const passwordBody = z.object({
  currentPassword: z.string().min(1, 'currentPassword is required').max(PASSWORD_MAX_LENGTH),
  newPassword: z.string().max(PASSWORD_MAX_LENGTH + 1),
})

const loginBody = z.object({
  username: z.string().trim().min(1, 'username is required').max(100),
  password: z.string().min(1, 'password is required').max(200),
})

// A hash to compare against when the account does not exist, so timing does not reveal which accounts exist.
const DUMMY_HASH = 'scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'

/** What a sign-in answers: the bearer token (shown once), the CSRF token, the expiry and the user. */
export interface SignedIn {
  token: string
  csrfToken: string
  expiresAt: string
  user: { id: number; name: string; role: string; username: string; mustChangePassword: boolean }
}

/** Start a session for a user who just proved who they are: the HttpOnly cookie is set and the answer made. */
export async function startSession(c: Context<AppEnv>, user: SignedIn['user']): Promise<SignedIn> {
  const session = await createSession(c.get('sql'), user.id)
  setCookie(c, SESSION_COOKIE, session.token, {
    httpOnly: true,
    sameSite: 'Lax',
    path: '/',
    secure: new URL(c.req.url).protocol === 'https:',
    maxAge: Math.floor(SESSION_TTL_MS / 1000),
  })
  const { id, name, role, username, mustChangePassword } = user
  return { token: session.token, csrfToken: session.csrfToken, expiresAt: session.expiresAt.toISOString(), user: { id, name, role, username, mustChangePassword } }
}

/** Sign-in, sign-out and the current user. Per-app throttles: 10 failures per account, 30 per address, per 15 min. */
export function authRoutes(throttles = { account: new LoginThrottle(10), address: new LoginThrottle(30) }) {
  return new Hono<AppEnv>()
    .post('/login', validate('json', loginBody), async (c) => {
      const { username, password } = c.req.valid('json')
      const address = getConnInfo(c).remote.address ?? 'unknown'
      const accountKey = username.toLowerCase()
      const wait = Math.max(throttles.account.retryAfter(accountKey), throttles.address.retryAfter(address))
      if (wait > 0) {
        c.header('retry-after', String(wait))
        throw new Problem(429, `Too many failed sign-ins. Try again in ${Math.ceil(wait / 60)} min.`)
      }
      const sql = c.get('sql')
      const user = await findUserForLogin(sql, username)
      const ok = await verifyPassword(password, user?.passwordHash ?? DUMMY_HASH)
      if (!user || !ok || user.disabled) {
        throttles.account.fail(accountKey)
        throttles.address.fail(address)
        throw problems.unauthorized('Wrong username or password.')
      }
      throttles.account.clear(accountKey)
      await recordAudit(sql, { userId: user.id, action: 'login', entity: 'session' })
      return c.json(await startSession(c, user))
    })
    .post('/password', authenticate, validate('json', passwordBody), async (c) => {
      const { currentPassword, newPassword } = c.req.valid('json')
      const sql = c.get('sql')
      const user = c.get('user')
      const row = await findUserForLogin(sql, user.username)
      const address = getConnInfo(c).remote.address ?? 'unknown'
      const key = user.username.toLowerCase()
      if (throttles.account.retryAfter(key) > 0) throw new Problem(429, 'Too many wrong passwords. Try again later.')
      if (!row || !(await verifyPassword(currentPassword, row.passwordHash))) {
        throttles.account.fail(key)
        throttles.address.fail(address)
        throw problems.forbidden('The current password is wrong.')
      }
      const problem = passwordProblem(newPassword, user.username)
      if (problem) throw problems.unprocessable('The new password is not acceptable.', [{ path: 'newPassword', message: problem }])
      if (newPassword === currentPassword) throw problems.unprocessable('The new password is not acceptable.', [{ path: 'newPassword', message: 'must differ from the current one' }])
      await setOwnPassword(sql, user.id, await hashPassword(newPassword), c.get('token'))
      return c.body(null, 204)
    })
    .post('/logout', authenticate, async (c) => {
      const sql = c.get('sql')
      await revokeSession(sql, c.get('token'))
      await recordAudit(sql, { userId: c.get('user').id, action: 'logout', entity: 'session' })
      deleteCookie(c, SESSION_COOKIE, { path: '/' })
      return c.body(null, 204)
    })
    .get('/me', authenticate, (c) => c.json({ user: c.get('user'), csrfToken: c.get('csrfToken') }))
}
