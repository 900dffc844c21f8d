import { Hono } from 'hono'
import { z } from 'zod'
import { requirePermission } from '../auth/middleware.ts'
import type { AppEnv } from '../context.ts'
import { hashPassword } from '../domain/password.ts'
import { PASSWORD_MAX_LENGTH, passwordProblem, ROLES, USERNAME_PATTERN } from '../../core/roles.ts'
import { problems } from '../problem.ts'
import { createAccount, getAccount, listAccounts, oneTimePassword, resetPassword, updateAccount } from '../queries/accounts.ts'
import { idParam, validate } from '../validate.ts'

const username = z
  .string()
  .trim()
  .min(1, 'username must not be empty')
  .regex(USERNAME_PATTERN, 'use 1–50 letters, digits, . _ - or @')
const fields = {
  name: z.string().trim().min(1, 'name is required').max(100),
  role: z.enum(ROLES),
  personId: idParam.nullable(),
  communityIds: z.array(idParam).max(200),
  unitId: idParam.nullable(),
  mustChangePassword: z.boolean(),
}
const createBody = z.object({
  username,
  name: fields.name,
  role: fields.role,
  password: z.string().max(PASSWORD_MAX_LENGTH + 1).optional(),
  personId: fields.personId.optional(),
  communityIds: fields.communityIds.optional(),
  unitId: fields.unitId.optional(),
  mustChangePassword: fields.mustChangePassword.optional(),
})
const updateBody = z
  .object({
    username: username.optional(),
    name: fields.name.optional(),
    role: fields.role.optional(),
    personId: fields.personId.optional(),
    communityIds: fields.communityIds.optional(),
    unitId: fields.unitId.optional(),
    active: z.boolean().optional(),
    mustChangePassword: fields.mustChangePassword.optional(),
  })
  .strict()
const idParams = z.object({ id: idParam })

/**
 * Accounts (admin): `GET /api/users`, `GET /api/users/:id`, `POST /api/users` (a one-time password is made and
 * shown once when none is given), `PUT /api/users/:id` (role, communities, linked person, active — deactivating
 * revokes the account's sessions), `POST /api/users/:id/reset-password` → `{ password }` shown once.
 */
export const users = new Hono<AppEnv>()
  .use('*', requirePermission('manageUsers'))
  .get('/', validate('query', z.object({ q: z.string().max(50).optional() })), async (c) => {
    return c.json({ items: await listAccounts(c.get('sql'), c.get('user'), c.get('communityIds'), c.req.valid('query')) })
  })
  .get('/:id', validate('param', idParams), async (c) => {
    return c.json(await getAccount(c.get('sql'), c.req.valid('param').id, c.get('user'), c.get('communityIds')))
  })
  .post('/', validate('json', createBody), async (c) => {
    const body = c.req.valid('json')
    if (body.password !== undefined) {
      const problem = passwordProblem(body.password, body.username)
      if (problem) throw problems.unprocessable('The account is invalid.', [{ path: 'password', message: problem }])
    }
    const password = body.password ?? oneTimePassword()
    const account = await createAccount(
      c.get('sql'),
      { ...body, passwordHash: await hashPassword(password), mustChangePassword: body.mustChangePassword ?? true },
      c.get('user'),
      c.get('communityIds'),
    )
    return c.json({ ...account, ...(body.password === undefined ? { password } : {}) }, 201)
  })
  .put('/:id', validate('param', idParams), validate('json', updateBody), async (c) => {
    const account = await updateAccount(c.get('sql'), c.req.valid('param').id, c.req.valid('json'), c.get('user'), c.get('communityIds'))
    // Revoked sessions stop at once in this process (the session cache); live streams at their next session check.
    c.get('sessions').forgetUser(c.req.valid('param').id)
    return c.json(account)
  })
  .post('/:id/reset-password', validate('param', idParams), async (c) => {
    const password = oneTimePassword()
    const account = await resetPassword(c.get('sql'), c.req.valid('param').id, await hashPassword(password), c.get('user'), c.get('communityIds'))
    c.get('sessions').forgetUser(c.req.valid('param').id)
    c.header('cache-control', 'no-store')
    return c.json({ ...account, password })
  })
