/**
 * `npm run user -- add --role admin --name 张三 --username zhangsan [--password …] [--community 1,2] [--district 1]`
 * `npm run user -- list`
 * Uses DATABASE_URL, or the embedded database in DATA_DIR. Prints a generated password when none is given.
 */
import { randomBytes } from 'node:crypto'
import { parseArgs } from 'node:util'
import { loadConfig } from '../server/config.ts'
import { openDatabase } from '../server/db/connect.ts'
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
const db = await openDatabase({ url: config.databaseUrl, dataDir: config.dataDir })
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
  } else if (command === 'list') {
    const rows = await db.sql`select id, username, name, role, disabled from users order by id`
    console.table(rows)
  } else {
    console.log('usage: npm run user -- add --role <admin|planner|command|leader|patrol> --name <name> [--username u] [--password p] [--community 1,2] [--district 1]\n       npm run user -- list')
    process.exitCode = 2
  }
} catch (error) {
  console.error((error as Error).message)
  process.exitCode = 1
} finally {
  await db.close()
}
