/**
 * One process per embedded database: an exclusive lock on the data folder (proper-lockfile: an
 * atomic `mkdir` of `<dataDir>/safegrid.lock`, its mtime refreshed while held), and beside it a note
 * of who holds it (`safegrid.lock.json`: PID, host, start time, command), so a second opener — a
 * second `npm start`, `npm run user`, a test harness — is refused with the PID that holds it.
 *
 * Stale after kill -9: a lock whose holder is gone is taken over at once when the note names a PID
 * of this host that no longer runs (or this very process, restarted under the same PID in a
 * container), and in any case once its mtime is older than {@link LOCK_STALE_MS}.
 */
import { readFileSync } from 'node:fs'
import { hostname } from 'node:os'
import { readFile, rm, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import lockfile from 'proper-lockfile'

/** A lock not refreshed for this long is stale whoever holds it (the holder refreshes it every {@link LOCK_UPDATE_MS}). */
export const LOCK_STALE_MS = 30_000
/** How often the holder refreshes the lock's mtime. */
export const LOCK_UPDATE_MS = 5_000

/** Who holds a data folder. */
export interface LockOwner {
  pid: number
  host: string
  startedAt: string
  command: string
}

/** The data folder is locked by a live process (its PID in {@link owner}). */
export class DataDirLockedError extends Error {
  readonly owner: LockOwner | null
  constructor(dataDir: string, owner: LockOwner | null) {
    super(
      owner
        ? `The data folder ${dataDir} is in use by another SafeGrid process: PID ${owner.pid} on ${owner.host} (${owner.command}, since ${owner.startedAt}). ` +
            'One process per embedded database: stop that process first (account commands too: stop the server first), or use another DATA_DIR.'
        : `The data folder ${dataDir} is in use by another SafeGrid process (it did not say which; the lock frees itself ${LOCK_STALE_MS / 1000} s after its holder stops).`,
    )
    this.name = 'DataDirLockedError'
    this.owner = owner
  }
}

const lockPath = (dataDir: string): string => join(dataDir, 'safegrid.lock')
const ownerPath = (dataDir: string): string => join(dataDir, 'safegrid.lock.json')

/** Folders this process holds (a second open in the same process is refused too). */
const held = new Set<string>()

async function readOwner(dataDir: string): Promise<LockOwner | null> {
  try {
    const owner = JSON.parse(await readFile(ownerPath(dataDir), 'utf8')) as LockOwner
    return typeof owner.pid === 'number' ? owner : null
  } catch {
    return null
  }
}

function running(pid: number): boolean {
  try {
    process.kill(pid, 0)
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
  // A dead process nobody has reaped yet (a zombie, state Z on Linux) answers signal 0 but holds nothing.
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z'
  } catch {
    return true
  }
}

/** Whether a lock held by `owner` is left over from a process that is gone. */
async function isLeftOver(dataDir: string, owner: LockOwner | null): Promise<boolean> {
  try {
    const { mtimeMs } = await stat(lockPath(dataDir))
    if (Date.now() - mtimeMs > LOCK_STALE_MS) return true
  } catch {
    return true
  }
  if (!owner || owner.host !== hostname()) return false
  if (owner.pid === process.pid) return !held.has(dataDir)
  return !running(owner.pid)
}

/**
 * Take the exclusive lock on an embedded data folder (which must exist). Resolves with the
 * function that releases it; rejects with {@link DataDirLockedError} while another live process
 * holds it.
 */
export async function lockDataDir(dataDir: string): Promise<() => Promise<void>> {
  const options = {
    lockfilePath: lockPath(dataDir),
    stale: LOCK_STALE_MS,
    update: LOCK_UPDATE_MS,
    realpath: false,
    onCompromised: (error: Error) => {
      // Another process took the lock over (this one stalled for longer than the stale time): say so loudly.
      console.error(`[lock] the lock on ${dataDir} was lost: ${error.message}. Stop one of the processes using this data folder.`)
    },
  }
  let release: () => Promise<void>
  try {
    if (held.has(dataDir)) throw Object.assign(new Error('held by this process'), { code: 'ELOCKED' })
    release = await lockfile.lock(dataDir, options)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ELOCKED') throw error
    const owner = await readOwner(dataDir)
    if (!(await isLeftOver(dataDir, owner))) throw new DataDirLockedError(dataDir, owner)
    // Left over by a killed process: take it over.
    await rm(lockPath(dataDir), { recursive: true, force: true })
    try {
      release = await lockfile.lock(dataDir, options)
    } catch (again) {
      if ((again as NodeJS.ErrnoException).code === 'ELOCKED') throw new DataDirLockedError(dataDir, await readOwner(dataDir))
      throw again
    }
  }
  held.add(dataDir)
  const owner: LockOwner = {
    pid: process.pid,
    host: hostname(),
    startedAt: new Date().toISOString(),
    command: process.argv.slice(1).map((a) => a.replace(/^.*\/(?=[^/]+$)/, '')).join(' ').slice(0, 200) || 'node',
  }
  await writeFile(ownerPath(dataDir), JSON.stringify(owner))
  let released = false
  return async () => {
    if (released) return
    released = true
    held.delete(dataDir)
    await rm(ownerPath(dataDir), { force: true })
    await release().catch(() => {})
  }
}
