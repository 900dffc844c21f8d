/**
 * Checking a username and password, the same way for every sign-in path (`POST /api/auth/login` and
 * HTTP Basic on `/api/owntracks`): one throttle per (account, address) with backoff (429 with
 * `Retry-After`), and exactly one password hash per attempt — an unknown or disabled account is
 * checked against a dummy hash of the same cost, so the answer's timing does not tell which
 * usernames exist.
 */
import type { Context } from 'hono'
import type { AppEnv } from '../context.ts'
import { verifyPassword } from '../domain/password.ts'
import { clientAddress } from '../http.ts'
import { Problem, problems } from '../problem.ts'
import { findUserForLogin, type UserWithHash } from '../queries/users.ts'

/** A well-formed hash with the real parameters (N=16384, r=8, p=1), for accounts that do not exist. */
export const DUMMY_HASH = 'scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'

/**
 * The enabled user with these credentials, or a problem: 429 while this (account, address) or this
 * address is throttled (before any hash is computed), 401 for wrong credentials.
 */
export async function checkCredentials(c: Context<AppEnv>, username: string, password: string): Promise<UserWithHash> {
  const throttle = c.get('signIn')
  const address = clientAddress(c)
  const wait = throttle.retryAfter(username, address)
  if (wait > 0) {
    c.header('retry-after', String(wait))
    throw new Problem(429, `Too many failed sign-ins. Try again in ${wait < 60 ? `${wait} s` : `${Math.ceil(wait / 60)} min`}.`, { extensions: { retryAfter: wait } })
  }
  const user = username ? await findUserForLogin(c.get('sql'), username) : undefined
  const ok = await verifyPassword(password, user?.passwordHash ?? DUMMY_HASH)
  if (!user || !ok || user.disabled) {
    throttle.fail(username, address)
    throw problems.unauthorized('Wrong username or password.')
  }
  throttle.succeed(username, address)
  return user
}
