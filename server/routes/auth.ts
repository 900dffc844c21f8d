import { Hono, type Context } from 'hono'
import { deleteCookie, setCookie } from 'hono/cookie'
import { z } from 'zod'
import { authenticate, SESSION_COOKIE } from '../auth/middleware.ts'
import { checkCredentials } from '../auth/sign-in.ts'
import type { AppEnv } from '../context.ts'
import { hashPassword } from '../domain/password.ts'
import { isHttps } from '../http.ts'
import { PASSWORD_MAX_LENGTH, passwordProblem } from '../../core/roles.ts'
import { setOwnPassword } from '../queries/accounts.ts'
import { Problem, problems } from '../problem.ts'
import { recordAudit } from '../queries/audit.ts'
import { teamKindsOf } from '../queries/teams.ts'
import { createSession, hashToken, revokeSession, SESSION_TTL_MS } from '../queries/users.ts'
import { validate } from '../validate.ts'

const passwordBody = z.object({
  currentPassword: z.string().min(1, 'currentPassword is required').max(PASSWORD_MAX_LENGTH),
  newPassword: z.string().max(PASSWORD_MAX_LENGTH + 1),
})

const loginBody = z.object({
  username: z.string().trim().min(1, 'username is required').max(100),
  password: z.string().min(1, 'password is required').max(200),
})

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
    // Behind a TLS-terminating proxy (TRUST_PROXY=1) X-Forwarded-Proto tells.
    secure: isHttps(c),
    maxAge: Math.floor(SESSION_TTL_MS / 1000),
  })
  const { id, name, role, username, mustChangePassword } = user
  return { token: session.token, csrfToken: session.csrfToken, expiresAt: session.expiresAt.toISOString(), user: { id, name, role, username, mustChangePassword } }
}

/**
 * Sign-in, sign-out, the user's own password and the current user. Failed sign-ins — and wrong current
 * passwords — are throttled per (account, address) by the app's one throttle (server/auth/sign-in.ts).
 */
export function authRoutes() {
  return new Hono<AppEnv>()
    .post('/login', validate('json', loginBody), async (c) => {
      const { username, password } = c.req.valid('json')
      const user = await checkCredentials(c, username, password)
      await recordAudit(c.get('sql'), { userId: user.id, action: 'login', entity: 'session' })
      return c.json(await startSession(c, user))
    })
    .post('/password', authenticate, validate('json', passwordBody), async (c) => {
      const { currentPassword, newPassword } = c.req.valid('json')
      const user = c.get('user')
      // The current password is checked like a sign-in: the same throttle and the same hash cost.
      try {
        await checkCredentials(c, user.username, currentPassword)
      } catch (error) {
        if (error instanceof Problem && error.status === 401) throw problems.forbidden('The current password is wrong.')
        throw error
      }
      const problem = passwordProblem(newPassword, user.username)
      if (problem) throw problems.unprocessable('The new password is not acceptable.', [{ path: 'newPassword', message: problem }])
      if (newPassword === currentPassword) throw problems.unprocessable('The new password is not acceptable.', [{ path: 'newPassword', message: 'must differ from the current one' }])
      await setOwnPassword(c.get('sql'), user.id, await hashPassword(newPassword), c.get('token'))
      c.get('sessions').forgetUser(user.id)
      return c.body(null, 204)
    })
    .post('/logout', authenticate, async (c) => {
      const sql = c.get('sql')
      await revokeSession(sql, c.get('token'))
      // The session's live streams end now (other processes' streams at their next session check).
      c.get('live').endSession(hashToken(c.get('token')))
      c.get('sessions').forget(hashToken(c.get('token')))
      await recordAudit(sql, { userId: c.get('user').id, action: 'logout', entity: 'session' })
      deleteCookie(c, SESSION_COOKIE, { path: '/' })
      return c.body(null, 204)
    })
    // With the kinds of the user's teams: the phone offers the kind of matter their team works on first.
    .get('/me', authenticate, async (c) => c.json({ user: c.get('user'), csrfToken: c.get('csrfToken'), teamKinds: await teamKindsOf(c.get('sql'), c.get('user').personId) }))
}
