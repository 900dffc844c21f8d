/**
 * Issue 18, item 2 — demo accounts are not a deployment: with them present the server listens on
 * 127.0.0.1 unless HOST is set, says where it really listens, and refuses any non-loopback address
 * while a demo password is unchanged, saying how to fix it.
 */
import { afterEach, describe, expect, inject, test } from 'vitest'
import { openDatabase } from '../server/db/connect.ts'
import { hashPassword } from '../server/domain/password.ts'
import { demoAccounts, dropDemoAccounts, isLoopbackHost } from '../server/queries/demo-accounts.ts'
import { startServer, type RunningServer } from '../server/start.ts'
import { freshDatabase, type FreshDatabase } from './helpers/backend.ts'

const cleanup: (() => Promise<void>)[] = []

afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f().catch(() => {})
})

async function fresh(): Promise<FreshDatabase> {
  const db = await freshDatabase(inject('template'))
  cleanup.push(db.drop)
  return db
}

async function start(db: FreshDatabase, host: string | undefined): Promise<RunningServer> {
  const server = await startServer({ port: 0, host, databaseUrl: db.databaseUrl, dataDir: db.dataDir, seedDemo: false })
  cleanup.push(server.close)
  return server
}

/** Open the copy on its own (the server is not running), do something, close it. */
async function withDatabase<T>(db: FreshDatabase, fn: (sql: Awaited<ReturnType<typeof openDatabase>>['sql']) => Promise<T>): Promise<T> {
  const open = await openDatabase({ url: db.databaseUrl, dataDir: db.dataDir })
  try {
    return await fn(open.sql)
  } finally {
    await open.close()
  }
}

// Each test opens an embedded database two or three times (tens of seconds each on a busy two-core machine).
describe('demo accounts', { timeout: 240_000 }, () => {
  test('with HOST unset the server listens on 127.0.0.1 only, and says so', async () => {
    const db = await fresh()
    const server = await start(db, undefined)
    expect(server.listening).toMatch(/^127\.0\.0\.1:\d+$/)
    expect(server.url).toBe(`http://127.0.0.1:${server.port}`)
    expect((await fetch(`${server.url}/api/health`)).status).toBe(200)
  })

  test('a non-loopback HOST is refused while a demo password is unchanged, with how to fix it', async () => {
    const db = await fresh()
    const refused = start(db, '0.0.0.0')
    await expect(refused).rejects.toThrow(/Refusing to listen on 0\.0\.0\.0/)
    await expect(refused).rejects.toThrow('npm run user -- passwd')
    await expect(refused).rejects.toThrow('npm run user -- drop-demo')
    // One changed password is not enough: the others are named.
    await withDatabase(db, async (sql) => {
      await sql`update users set password_hash = ${await hashPassword('a-real-password-2026')} where username = 'admin'`
      expect((await demoAccounts(sql)).unchanged).toEqual(['planner', 'command', 'leader', 'patrol', 'wuye', 'police'])
    })
    await expect(start(db, '0.0.0.0')).rejects.toThrow(/planner, command, leader, patrol, wuye, police still have the password "demo"/)
  })

  test('after drop-demo the server listens where HOST says, reports the real address, and the demo passwords no longer sign in', async () => {
    const db = await fresh()
    const dropped = await withDatabase(db, (sql) => dropDemoAccounts(sql))
    expect(dropped).toEqual(['admin', 'planner', 'command', 'leader', 'patrol', 'wuye', 'police'])
    const server = await start(db, '0.0.0.0')
    expect(server.listening).toBe(`0.0.0.0:${server.port}`)
    expect((await fetch(`${server.url}/api/health`)).status).toBe(200)
    const login = await fetch(`${server.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: 'demo' }),
    })
    expect(login.status).toBe(401)
  })

  test('loopback addresses', () => {
    for (const h of ['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]']) expect(isLoopbackHost(h)).toBe(true)
    for (const h of ['0.0.0.0', '::', '192.168.1.5', '10.0.0.1', 'example.org']) expect(isLoopbackHost(h)).toBe(false)
  })
})
