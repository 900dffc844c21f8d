import { mkdir, writeFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import { Worker } from 'node:worker_threads'

/** A cheap request: a GET of `url` with `headers`. */
export interface CheapRequest {
  url: string
  headers?: Record<string, string>
}

/**
 * The cheap client's loop, in a worker thread of its own: the embedded database runs statements on the
 * server's thread (here, the test's), so a client on that thread would stop its clock while a statement
 * runs and never see the wait. Sends GETs one after another (`gapMs` apart) until told to stop and has
 * sent at least `min`; posts `{ ms, statuses, duringBusy }`.
 */
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads')
const { url, headers, gapMs, min } = workerData
let stopped = false
parentPort.on('message', () => { stopped = true })
;(async () => {
  const ms = [], statuses = []
  let duringBusy = 0
  while (!stopped || ms.length < min) {
    const busy = !stopped
    const started = performance.now()
    const res = await fetch(url, { headers })
    await res.arrayBuffer()
    ms.push(performance.now() - started)
    statuses.push(res.status)
    if (busy && !stopped) duringBusy++
    await new Promise((r) => setTimeout(r, gapMs))
  }
  parentPort.postMessage({ ms, statuses, duringBusy })
})().catch((error) => parentPort.postMessage({ error: String(error) }))
`

/**
 * Latencies (ms) of a cheap request sent one after another while `busy` runs (at least `min` of them),
 * measured from a worker thread; `duringBusy` counts those answered before `busy` settled.
 */
export async function latenciesWhile(busy: Promise<unknown>, cheap: CheapRequest, options: { gapMs?: number; min?: number } = {}): Promise<{ ms: number[]; statuses: number[]; duringBusy: number }> {
  const worker = new Worker(WORKER, { eval: true, workerData: { url: cheap.url, headers: cheap.headers ?? {}, gapMs: options.gapMs ?? 25, min: options.min ?? 1 } })
  const answer = new Promise<{ ms: number[]; statuses: number[]; duringBusy: number; error?: string }>((resolve, reject) => {
    worker.once('message', resolve)
    worker.once('error', reject)
  })
  try {
    await busy.catch(() => {})
    worker.postMessage('stop')
    const result = await answer
    if (result.error) throw new Error(`cheap client: ${result.error}`)
    await busy
    return { ms: result.ms, statuses: result.statuses, duringBusy: result.duringBusy }
  } finally {
    await worker.terminate()
  }
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
