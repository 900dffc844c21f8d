import { mkdir, writeFile } from 'node:fs/promises'
import { resolve } from 'node:path'

/** Latencies (ms) of a cheap request sent one after another while `busy` runs (at least `min` of them). */
export async function latenciesWhile(busy: Promise<unknown>, cheap: () => Promise<Response>, options: { gapMs?: number; min?: number } = {}): Promise<{ ms: number[]; statuses: number[]; duringBusy: number }> {
  let finished = false
  void busy.finally(() => (finished = true)).catch(() => {})
  const ms: number[] = []
  const statuses: number[] = []
  let duringBusy = 0
  while (!finished || ms.length < (options.min ?? 1)) {
    const started = performance.now()
    const res = await cheap()
    await res.arrayBuffer()
    ms.push(performance.now() - started)
    statuses.push(res.status)
    if (!finished) duringBusy++
    await new Promise((r) => setTimeout(r, options.gapMs ?? 25))
  }
  await busy
  return { ms, statuses, duringBusy }
}

/** The p-th percentile (0..100) of a list of numbers. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!
}

/** Write a measured figure to `test-results/<name>.json` (and the console), for docs/reliability.md. */
export async function recordFigure(name: string, figure: Record<string, unknown>): Promise<void> {
  console.log(`[figure] ${name}`, JSON.stringify(figure))
  const dir = resolve(import.meta.dirname, '../../test-results')
  await mkdir(dir, { recursive: true })
  await writeFile(resolve(dir, `${name}.json`), JSON.stringify(figure, null, 2)).catch(() => {})
}
