/**
 * `npm start`: build the web app when `dist/` is missing or older than its sources, then serve.
 */
import { existsSync, readdirSync, statSync } from 'node:fs'
import { join, resolve } from 'node:path'

const root = resolve(import.meta.dirname, '..')

function newest(dir: string): number {
  let latest = 0
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    latest = Math.max(latest, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs)
  }
  return latest
}

const index = join(root, 'dist', 'index.html')
const sourcesChanged = () => Math.max(newest(join(root, 'web')), statSync(join(root, 'vite.config.ts')).mtimeMs) > statSync(index).mtimeMs
if (!existsSync(index) || sourcesChanged()) {
  console.log('building the web app …')
  const { build } = await import('vite')
  await build({ configFile: join(root, 'vite.config.ts'), logLevel: 'warn' })
}
await import('../server/index.ts')
