import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import postgres from 'postgres'
import type { TestProject } from 'vitest/node'
import { openDatabase } from '../server/db/connect.ts'
import { migrate } from '../server/db/migrate.ts'
import { seedDemo } from '../server/seed/demo.ts'
import { withDatabase, type TemplateInfo } from './helpers/backend.ts'

declare module 'vitest' {
  export interface ProvidedContext {
    template: TemplateInfo
  }
}

/** Build one seeded template database per backend; every test file copies it. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const backend = project.name === 'postgres' ? 'postgres' : 'embedded'
  const now = new Date()
  const started = Date.now()
  if (backend === 'embedded') {
    const dir = await mkdtemp(join(tmpdir(), 'safegrid-template-'))
    const db = await openDatabase({ dataDir: dir })
    await migrate(db.sql)
    await seedDemo(db.sql, { now })
    await db.close()
    console.log(`[embedded] template seeded in ${((Date.now() - started) / 1000).toFixed(1)} s`)
    project.provide('template', { backend, dir, seededAt: now.toISOString() })
    return () => rm(dir, { recursive: true, force: true })
  }
  const url = process.env.TEST_DATABASE_URL
  if (!url) throw new Error('the postgres project needs TEST_DATABASE_URL')
  const template = `sg_template_${process.pid}`
  const admin = postgres(url, { max: 1, onnotice: () => {} })
  await admin.unsafe(`drop database if exists "${template}" with (force)`)
  await admin.unsafe(`create database "${template}"`)
  const db = await openDatabase({ url: withDatabase(url, template) })
  await migrate(db.sql)
  await seedDemo(db.sql, { now })
  await db.close()
  console.log(`[postgres] template seeded in ${((Date.now() - started) / 1000).toFixed(1)} s`)
  project.provide('template', { backend, url, template, seededAt: now.toISOString() })
  return async () => {
    await admin.unsafe(`drop database if exists "${template}" with (force)`)
    await admin.end()
  }
}
