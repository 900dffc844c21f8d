import { Hono } from 'hono'
import { deleteCookie, setCookie } from 'hono/cookie'
import { z } from 'zod'
import { authenticate, SESSION_COOKIE } from '../auth/middleware.ts'
import { checkCredentials } from '../auth/sign-in.ts'
import type { AppEnv } from '../context.ts'
import { isHttps } from '../http.ts'
import { recordAudit } from '../queries/audit.ts'
import { createSession, hashToken, revokeSession, SESSION_TTL_MS } from '../queries/users.ts'
import { validate } from '../validate.ts'

const loginBody = z.object({
  username: z.string().trim().min(1, 'username is required').max(100),
  password: z.string().min(1, 'password is required').max(200),
})

/** Sign-in, sign-out and the current user. Failed sign-ins are throttled per (account, address) by the app's one throttle (server/auth/sign-in.ts). */
export function authRoutes() {
  return new Hono<AppEnv>()
    .post('/login', validate('json', loginBody), async (c) => {
      const { username, password } = c.req.valid('json')
      const sql = c.get('sql')
      const user = await checkCredentials(c, username, password)
      const session = await createSession(sql, user.id)
      await recordAudit(sql, { userId: user.id, action: 'login', entity: 'session' })
      setCookie(c, SESSION_COOKIE, session.token, {
        httpOnly: true,
        sameSite: 'Lax',
        path: '/',
        // Behind a TLS-terminating proxy (TRUST_PROXY=1) X-Forwarded-Proto tells.
        secure: isHttps(c),
        maxAge: Math.floor(SESSION_TTL_MS / 1000),
      })
      return c.json({
        token: session.token,
        csrfToken: session.csrfToken,
        expiresAt: session.expiresAt.toISOString(),
        user: { id: user.id, name: user.name, role: user.role, username: user.username },
      })
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
    .get('/me', authenticate, (c) => c.json({ user: c.get('user'), csrfToken: c.get('csrfToken') }))
}
