/**
 * `npm run generate -- --communities N --seed S [--database-url URL | --data-dir DIR]
 *    [--hazards-per-community K] [--nights K] [--devices K] [--users] [--password P] [--now ISO]`
 *
 * Generates a synthetic city (server/seed/city.ts) into a database: the URL given, else DATABASE_URL,
 * else the embedded database in --data-dir / DATA_DIR. Migrates first. The same seed and --now give
 * the same city (--now defaults to the start of today, Asia/Shanghai).
 */
import { parseArgs } from 'node:util'
import { loadConfig } from '../server/config.ts'
import { openDatabase } from '../server/db/connect.ts'
import { migrate } from '../server/db/migrate.ts'
import { generateCity } from '../server/seed/city.ts'

const usage =
  'usage: npm run generate -- --communities N --seed S [--database-url URL | --data-dir DIR] [--hazards-per-community K] [--nights K] [--devices K] [--users] [--password P] [--now ISO]'

const { values } = parseArgs({
  options: {
    communities: { type: 'string' },
    seed: { type: 'string', default: 'city' },
    'database-url': { type: 'string' },
    'data-dir': { type: 'string' },
    'hazards-per-community': { type: 'string' },
    nights: { type: 'string' },
    devices: { type: 'string' },
    users: { type: 'boolean', default: false },
    password: { type: 'string' },
    now: { type: 'string' },
    help: { type: 'boolean', default: false },
  },
})

function count(name: string, text: string | undefined, fallback?: number): number | undefined {
  if (text === undefined) return fallback
  const n = Number(text)
  if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} must be a non-negative integer, got ${text}`)
  return n
}

if (values.help || !values.communities) {
  console.log(usage)
  process.exit(values.help ? 0 : 2)
}

const config = loadConfig()
const url = values['database-url'] ?? (values['data-dir'] ? undefined : config.databaseUrl)
const db = await openDatabase({ url, dataDir: values['data-dir'] ?? config.dataDir })
try {
  await migrate(db.sql)
  const now = values.now ? new Date(values.now) : undefined
  if (now && Number.isNaN(now.getTime())) throw new Error(`--now must be an ISO 8601 time, got ${values.now}`)
  const summary = await generateCity(db.sql, db.kind, {
    communities: count('communities', values.communities)!,
    seed: values.seed,
    hazardsPerCommunity: count('hazards-per-community', values['hazards-per-community']),
    nights: count('nights', values.nights),
    devicesPerCommunity: count('devices', values.devices),
    users: values.users,
    password: values.password,
    now,
    log: (m) => console.log(m),
  })
  const { communityIds, ...rest } = summary
  console.log(`generated into ${db.kind === 'embedded' ? `embedded ${db.location}` : db.location} in ${(summary.ms / 1000).toFixed(1)} s`)
  console.log(JSON.stringify({ ...rest, communityIds: `${communityIds[0]}..${communityIds[communityIds.length - 1]}` }, null, 2))
} catch (error) {
  console.error((error as Error).message)
  process.exitCode = 1
} finally {
  await db.close()
}
