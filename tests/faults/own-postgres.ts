import { execFile } from 'node:child_process'
import { chmod, mkdtemp, rm } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'

const run = promisify(execFile)
const BIN = process.env.PG_BIN ?? '/usr/lib/postgresql/15/bin'

/** A throwaway PostgreSQL cluster of this test's own, which it may stop and restart at will. */
export interface OwnPostgres {
  /** `postgres://postgres@127.0.0.1:<port>/postgres` */
  url: string
  port: number
  dir: string
  start: () => Promise<void>
  /** Fast shutdown: open connections are cut. */
  stop: () => Promise<void>
  restart: () => Promise<void>
  /** Stop it and delete its folder. */
  destroy: () => Promise<void>
}

/** A free TCP port on loopback. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer()
    s.once('error', reject)
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number }
      s.close(() => resolve(port))
    })
  })
}

/** Run a PostgreSQL binary as the `postgres` user when we are root (initdb refuses root). */
async function pgBin(name: string, args: string[]): Promise<void> {
  const asRoot = process.getuid?.() === 0
  const [cmd, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', join(BIN, name), ...args]] : [join(BIN, name), args]
  await run(cmd, argv, { timeout: 120_000 })
}

/**
 * initdb a fresh cluster in a temporary folder (trust auth, fsync on) on a free port; not started.
 * Never touches the machine's own PostgreSQL.
 */
export async function createOwnPostgres(): Promise<OwnPostgres> {
  const dir = await mkdtemp(join(tmpdir(), 'sg-faults-pg-'))
  await chmod(dir, 0o777)
  const data = join(dir, 'data')
  const port = await freePort()
  if (process.getuid?.() === 0) await run('chown', ['postgres:postgres', dir])
  await pgBin('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8'])
  const opts = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1`
  const ctl = (args: string[]) => pgBin('pg_ctl', ['-D', data, '-o', opts, '-l', join(dir, 'log'), '-w', ...args])
  let running = false
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    dir,
    start: async () => {
      await ctl(['start'])
      running = true
    },
    stop: async () => {
      await ctl(['stop', '-m', 'fast'])
      running = false
    },
    restart: async () => {
      await ctl(['restart', '-m', 'fast'])
      running = true
    },
    destroy: async () => {
      if (running) await ctl(['stop', '-m', 'immediate']).catch(() => {})
      await rm(dir, { recursive: true, force: true })
    },
  }
}
