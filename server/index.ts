import { loadConfig } from './config.ts'
import { startServer, type RunningServer } from './start.ts'
import { DataDirLockedError } from './db/lock.ts'

const config = loadConfig()
const started = Date.now()
let server: RunningServer
try {
  server = await startServer({
    port: config.port,
    host: config.host,
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    seedDemo: config.demo ?? !config.databaseUrl,
    demoAccounts: config.demo ?? !config.databaseUrl,
    webRoot: config.webRoot,
    log: (m) => console.log(m),
  })
} catch (error) {
  // A refusal (data folder in use, demo passwords on a public address) is said plainly, without a stack.
  const refusal = error instanceof DataDirLockedError || (error instanceof Error && error.message.startsWith('Refusing to listen'))
  console.error(refusal ? (error as Error).message : error)
  process.exit(1)
}
const which = server.db.kind === 'embedded' ? `embedded PGlite + PostGIS in ${server.db.location}` : `PostgreSQL at ${server.db.location}`
const everywhere = server.listening.startsWith('0.0.0.0:') || server.listening.startsWith('[::]:')
console.log(
  `SafeGrid 平安网格 listening on ${server.listening}${everywhere ? ` (every address of this machine; here: ${server.url})` : ` — open ${server.url}`}` +
    `  (database: ${which}; ready in ${Date.now() - started} ms)`,
)

let stopping = false
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return
    stopping = true
    console.log(`${signal}: closing …`)
    server.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error)
        process.exit(1)
      },
    )
  })
}

// postgres.js can throw outside any request when PostgreSQL drops a connection (a write scheduled
// for the next tick meets a socket that is already gone). The pool reconnects by itself, so that one
// error is logged and survived; anything else unexpected still stops the process.
process.on('uncaughtException', (error) => {
  if (String(error.message).includes("reading 'write'") && String(error.stack ?? '').includes('postgres/src/connection.js')) {
    console.warn('database connection dropped mid-write; the pool reconnects')
    return
  }
  console.error(error)
  process.exit(1)
})
