/**
 * `npm run user -- add --role admin --name 张三 --username zhangsan [--password …] [--community 1,2] [--district 1]`
 * `npm run user -- list`
 * `npm run user -- drop-demo` (disable the demo accounts that still have the password `demo`)
 * `npm run user -- passwd --username zhangsan [--password …]` (a generated one must be changed at next sign-in)
 * `npm run user -- disable --username zhangsan` (sessions revoked) / `enable --username zhangsan`
 * `npm run user -- link --username zhangsan --person 42` (`--person none` unlinks)
 * Uses DATABASE_URL, or the embedded database in DATA_DIR. Prints a generated password when none is given.
 *
 * On the embedded database the account commands need the server stopped: one process per data
 * folder (server/db/lock.ts), so while `npm start` runs on DATA_DIR they refuse with "stop the
 * server first" and the PID holding it. On a real PostgreSQL (DATABASE_URL) they work while it runs.
 */
import { randomBytes } from 'node:crypto'
import { parseArgs } from 'node:util'
import { loadConfig } from '../server/config.ts'
import { openDatabase, type Database } from '../server/db/connect.ts'
import { DataDirLockedError } from '../server/db/lock.ts'
import { dropDemoAccounts } from '../server/queries/demo-accounts.ts'
import { migrate } from '../server/db/migrate.ts'
import { hashPassword } from '../server/domain/password.ts'
import { passwordProblem, ROLES, usernameProblem, type Role } from '../core/roles.ts'
import { createUser } from '../server/queries/users.ts'
import { revokeSessions } from '../server/queries/accounts.ts'
import { recordAudit } from '../server/queries/audit.ts'

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    role: { type: 'string' },
    name: { type: 'string' },
    username: { type: 'string' },
    password: { type: 'string' },
    community: { type: 'string' },
    district: { type: 'string' },
    person: { type: 'string' },
  },
})

/** The account named by --username (case-insensitively), or an error. */
async function account(sql: typeof db.sql): Promise<{ id: number; username: string }> {
  if (!values.username?.trim()) throw new Error('--username is required')
  const [row] = await sql<{ id: number; username: string }[]>`select id::int, username from users where lower(username) = lower(${values.username.trim()})`
  if (!row) throw new Error(`no account ${values.username}`)
  return row
}

const config = loadConfig()
let db: Database
try {
  db = await openDatabase({ url: config.databaseUrl, dataDir: config.dataDir })
} catch (error) {
  if (!(error instanceof DataDirLockedError)) throw error
  const holder = error.owner ? ` (PID ${error.owner.pid})` : ''
  console.error(`npm run user: the SafeGrid server${holder} is running on ${config.dataDir}. Stop the server first, then run this command again.\n${error.message}`)
  process.exit(1)
}
try {
  await migrate(db.sql)
  const command = positionals[0]
  if (command === 'add') {
    const role = values.role as Role
    if (!ROLES.includes(role)) throw new Error(`--role must be one of ${ROLES.join(', ')}`)
    if (!values.name) throw new Error('--name is required')
    const username = (values.username ?? values.name).trim()
    const nameProblem = usernameProblem(username)
    if (nameProblem) throw new Error(`--username ${nameProblem}`)
    const password = values.password ?? randomBytes(9).toString('base64url')
    const weak = values.password === undefined ? null : passwordProblem(values.password, username)
    if (weak) throw new Error(`--password ${weak}`)
    const [taken] = await db.sql`select 1 from users where lower(username) = lower(${username})`
    if (taken) throw new Error(`the username ${username} is taken`)
    const communityIds = (values.community ?? '').split(',').filter(Boolean).map(Number)
    if (communityIds.some((n) => !Number.isInteger(n) || n <= 0)) throw new Error('--community takes ids like 1,2')
    const id = await createUser(db.sql, {
      username,
      name: values.name,
      role,
      passwordHash: await hashPassword(password),
      districtId: values.district ? Number(values.district) : null,
      communityIds,
      mustChangePassword: values.password === undefined,
    })
    console.log(`created user #${id} ${username} (${role})${values.password ? '' : ` with password: ${password}`}`)
  } else if (command === 'drop-demo') {
    const dropped = await dropDemoAccounts(db.sql)
    console.log(dropped.length > 0 ? `disabled the demo accounts ${dropped.join(', ')} (their password was still "demo")` : 'no demo account still has the password "demo"')
  } else if (command === 'list') {
    const rows = await db.sql`select id, username, name, role, person_id as "personId", disabled, must_change_password as "mustChange" from users order by id`
    console.table(rows)
  } else if (command === 'passwd') {
    const user = await account(db.sql)
    const password = values.password ?? randomBytes(9).toString('base64url')
    const weak = values.password === undefined ? null : passwordProblem(password, user.username)
    if (weak) throw new Error(`--password ${weak}`)
    await db.sql.begin(async (tx) => {
      await tx`update users set password_hash = ${await hashPassword(password)}, must_change_password = ${values.password === undefined}, password_changed_at = now() where id = ${user.id}`
      await revokeSessions(tx, user.id)
      await recordAudit(tx, { userId: null, action: 'reset-password', entity: 'user', entityId: user.id, after: { via: 'cli' } })
    })
    console.log(`password of ${user.username} changed${values.password ? '' : `; one-time password (change at next sign-in): ${password}`}`)
  } else if (command === 'disable' || command === 'enable') {
    const user = await account(db.sql)
    await db.sql.begin(async (tx) => {
      await tx`update users set disabled = ${command === 'disable'} where id = ${user.id}`
      if (command === 'disable') await revokeSessions(tx, user.id)
      await recordAudit(tx, { userId: null, action: command === 'disable' ? 'deactivate' : 'activate', entity: 'user', entityId: user.id, after: { via: 'cli' } })
    })
    console.log(`${user.username} ${command}d`)
  } else if (command === 'link') {
    const user = await account(db.sql)
    if (!values.person) throw new Error('--person <id|none> is required')
    const personId = values.person === 'none' ? null : Number(values.person)
    if (personId !== null && (!Number.isInteger(personId) || personId <= 0)) throw new Error('--person takes a person id or none')
    if (personId !== null) {
      const [p] = await db.sql<{ communityId: number }[]>`select community_id::int as "communityId" from people where id = ${personId}`
      if (!p) throw new Error(`no person ${personId}`)
      const [other] = await db.sql<{ username: string }[]>`select username from users where person_id = ${personId} and id <> ${user.id} and not disabled`
      if (other) throw new Error(`person ${personId} is already linked to ${other.username}`)
    }
    await db.sql.begin(async (tx) => {
      await tx`update users set person_id = ${personId} where id = ${user.id}`
      await recordAudit(tx, { userId: null, action: 'link', entity: 'user', entityId: user.id, after: { personId, via: 'cli' } })
    })
    console.log(personId === null ? `${user.username} unlinked` : `${user.username} linked to person #${personId}`)
  } else {
    console.log(
      'usage: npm run user -- add --role <admin|planner|command|leader|patrol> --name <name> [--username u] [--password p] [--community 1,2] [--district 1]\n' +
        '       npm run user -- list\n' +
        '       npm run user -- passwd --username u [--password p]\n' +
        '       npm run user -- disable|enable --username u\n' +
        '       npm run user -- link --username u --person <id|none>\n' +
        '       npm run user -- drop-demo',
    )
    process.exitCode = 2
  }
} catch (error) {
  console.error((error as Error).message)
  process.exitCode = 1
} finally {
  await db.close()
}
