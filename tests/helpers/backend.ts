import { randomBytes } from 'node:crypto'
import { cp, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import postgres from 'postgres'

/** Which database the current test project runs against. */
export type Backend = 'embedded' | 'postgres'

/** Where a fresh test database comes from: a seeded template made once per run by the global setup. */
export interface TemplateInfo {
  backend: Backend
  /** Embedded: folder of the seeded template database. */
  dir?: string
  /** Postgres: the maintenance URL and the template database's name. */
  url?: string
  template?: string
  /** When the demo data was seeded (its "now"). */
  seededAt: string
}

/** A fresh database for one test file, and how to throw it away. */
export interface FreshDatabase {
  databaseUrl?: string
  dataDir: string
  drop: () => Promise<void>
}

/** Replace the database name in a postgres URL. */
export function withDatabase(url: string, name: string): string {
  const u = new URL(url)
  u.pathname = `/${name}`
  return u.toString()
}

/** Copy the template into a fresh database. */
export async function freshDatabase(info: TemplateInfo): Promise<FreshDatabase> {
  const dataDir = await mkdtemp(join(tmpdir(), 'safegrid-test-'))
  if (info.backend === 'embedded') {
    if (!info.dir) throw new Error('embedded template folder missing')
    await cp(info.dir, dataDir, { recursive: true })
    return { dataDir, drop: () => rm(dataDir, { recursive: true, force: true }) }
  }
  if (!info.url || !info.template) throw new Error('postgres template missing')
  const name = `sg_test_${randomBytes(6).toString('hex')}`
  const admin = postgres(info.url, { max: 1, onnotice: () => {} })
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        await admin.unsafe(`create database "${name}" template "${info.template}"`)
        break
      } catch (error) {
        // Two workers copying the same template at once: PostgreSQL refuses one; try again.
        if (attempt > 20) throw error
        await new Promise((r) => setTimeout(r, 250 + Math.random() * 500))
      }
    }
  } finally {
    await admin.end()
  }
  return onServer(info.url, name, dataDir)
}

/** A database on the test server and the folder beside it, with how to drop both. */
function onServer(url: string, name: string, dataDir: string): FreshDatabase {
  return {
    databaseUrl: withDatabase(url, name),
    dataDir,
    drop: async () => {
      const a = postgres(url, { max: 1, onnotice: () => {} })
      try {
        await a.unsafe(`drop database if exists "${name}" with (force)`)
      } finally {
        await a.end()
      }
      await rm(dataDir, { recursive: true, force: true })
    },
  }
}

/** A fresh, empty database (no demo) of the same backend as the template: for first-start tests. */
export async function emptyDatabase(info: TemplateInfo): Promise<FreshDatabase> {
  const dataDir = await mkdtemp(join(tmpdir(), 'safegrid-empty-'))
  if (info.backend === 'embedded') return { dataDir, drop: () => rm(dataDir, { recursive: true, force: true }) }
  const name = `sg_empty_${randomBytes(6).toString('hex')}`
  const admin = postgres(info.url!, { max: 1, onnotice: () => {} })
  try {
    await admin.unsafe(`create database "${name}"`)
  } finally {
    await admin.end()
  }
  return onServer(info.url!, name, dataDir)
}
