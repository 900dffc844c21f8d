/**
 * `npm run user -- add --role admin --name 张三 --username zhangsan [--password …] [--community 1,2] [--district 1]`
 * `npm run user -- list`
 * `npm run user -- drop-demo` (disable the demo accounts that still have the password `demo`)
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
import { ROLES, type Role } from '../core/roles.ts'
import { createUser } from '../server/queries/users.ts'

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    role: { type: 'string' },
    name: { type: 'string' },
    username: { type: 'string' },
    password: { type: 'string' },
    community: { type: 'string' },
    district: { type: 'string' },
  },
})

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
    const username = values.username ?? values.name
    const password = values.password ?? randomBytes(9).toString('base64url')
    const communityIds = (values.community ?? '').split(',').filter(Boolean).map(Number)
    if (communityIds.some((n) => !Number.isInteger(n) || n <= 0)) throw new Error('--community takes ids like 1,2')
    const id = await createUser(db.sql, {
      username,
      name: values.name,
      role,
      passwordHash: await hashPassword(password),
      districtId: values.district ? Number(values.district) : null,
      communityIds,
    })
    console.log(`created user #${id} ${username} (${role})${values.password ? '' : ` with password: ${password}`}`)
  } else if (command === 'drop-demo') {
    const dropped = await dropDemoAccounts(db.sql)
    console.log(dropped.length > 0 ? `disabled the demo accounts ${dropped.join(', ')} (their password was still "demo")` : 'no demo account still has the password "demo"')
  } else if (command === 'list') {
    const rows = await db.sql`select id, username, name, role, disabled from users order by id`
    console.table(rows)
  } else {
    console.log('usage: npm run user -- add --role <admin|planner|command|leader|patrol> --name <name> [--username u] [--password p] [--community 1,2] [--district 1]\n       npm run user -- list\n       npm run user -- drop-demo')
    process.exitCode = 2
  }
} catch (error) {
  console.error((error as Error).message)
  process.exitCode = 1
} finally {
  await db.close()
}
