/**
 * Issue 18, item 1 — one process per embedded database: the data folder is locked; a second
 * opener (a second server, `npm run user`, a harness) is refused with the PID holding it; a lock
 * left by a process killed with kill -9 is taken over at once.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterEach, describe, expect, test } from 'vitest'
import { openDatabase } from '../server/db/connect.ts'
import { DataDirLockedError, lockDataDir } from '../server/db/lock.ts'

const root = resolve(import.meta.dirname, '..')
const tsx = join(root, 'node_modules/.bin/tsx')
const cleanup: (() => Promise<void>)[] = []

afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f().catch(() => {})
})

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'safegrid-lock-'))
  cleanup.push(() => rm(dir, { recursive: true, force: true }))
  return dir
}

/** Run a command to its end; its exit code and output. */
function run(args: string[], env: Record<string, string>): Promise<{ code: number | null; out: string }> {
  return new Promise((done) => {
    const child = spawn(tsx, args, { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    child.stdout.on('data', (d: Buffer) => (out += d.toString()))
    child.stderr.on('data', (d: Buffer) => (out += d.toString()))
    child.on('exit', (code) => done({ code, out }))
  })
}

/** A child process that takes the lock on `dir` and keeps it until killed. */
async function holder(dir: string): Promise<ChildProcess> {
  const script = `${dir}-holder.mts`
  await writeFile(script, `import { lockDataDir } from ${JSON.stringify(join(root, 'server/db/lock.ts'))}\nawait lockDataDir(${JSON.stringify(dir)})\nconsole.log('locked')\nsetInterval(() => {}, 1000)\n`)
  cleanup.push(() => rm(script, { force: true }))
  // node itself (not the tsx wrapper), so the child's PID is the one holding the lock.
  const child = spawn(process.execPath, ['--import', 'tsx', script], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] })
  cleanup.push(async () => {
    child.kill('SIGKILL')
  })
  await new Promise<void>((ok, fail) => {
    let out = ''
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString()
      if (out.includes('locked')) ok()
    })
    child.on('exit', (c) => fail(new Error(`holder exited ${c}`)))
  })
  return child
}

// Each test opens an embedded database up to three times (tens of seconds each on a busy two-core machine).
describe('the data-folder lock', { timeout: 240_000 }, () => {
  test('a second open of the embedded database is refused, naming the PID; after close it opens', async () => {
    const dir = await tempDir()
    const first = await openDatabase({ dataDir: dir })
    cleanup.push(() => first.close())
    const second = openDatabase({ dataDir: dir })
    await expect(second).rejects.toBeInstanceOf(DataDirLockedError)
    await expect(second).rejects.toThrow(`PID ${process.pid}`)
    await first.close()
    const third = await openDatabase({ dataDir: dir })
    await third.close()
  })

  test('another live process holding the folder is named by its PID', async () => {
    const dir = await tempDir()
    const child = await holder(dir)
    const error = await lockDataDir(dir).then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(error).toBeInstanceOf(DataDirLockedError)
    expect((error as DataDirLockedError).owner?.pid).toBe(child.pid)
    expect((error as Error).message).toContain(`PID ${child.pid}`)
  })

  test('a lock left by kill -9 is taken over at once', async () => {
    const dir = await tempDir()
    const child = await holder(dir)
    const gone = new Promise((ok) => child.once('exit', ok))
    child.kill('SIGKILL')
    await gone
    const release = await lockDataDir(dir)
    await release()
  })

  test('npm run user refuses while the folder is in use: "stop the server first", with the PID', async () => {
    const dir = await tempDir()
    const release = await lockDataDir(dir)
    cleanup.push(release)
    const { code, out } = await run(['scripts/user.ts', 'list'], { DATA_DIR: dir, DATABASE_URL: '' })
    expect(code).toBe(1)
    expect(out).toContain('Stop the server first')
    expect(out).toContain(`PID ${process.pid}`)
  })
})
