/**
 * The posters' PDF writer (web/domain/pdf.ts, issue 15): JPEG pages into a PDF that poppler reads — the page count,
 * A4, the title — and renders with the images' colours.
 */
import { execFile } from 'node:child_process'
import { mkdtemp, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import sharp from 'sharp'
import { expect, test } from 'vitest'
import { imagesToPdf } from '../web/domain/pdf.ts'

const run = promisify(execFile)

async function jpeg(color: { r: number; g: number; b: number }): Promise<{ jpeg: Uint8Array; width: number; height: number }> {
  const bytes = await sharp({ create: { width: 124, height: 175, channels: 3, background: color } }).jpeg({ quality: 90 }).toBuffer()
  return { jpeg: new Uint8Array(bytes), width: 124, height: 175 }
}

test('JPEG pages make an A4 PDF that pdfinfo reads, one page each, with its Chinese title', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'pdf-'))
  const file = join(dir, 'posters.pdf')
  await writeFile(file, imagesToPdf([await jpeg({ r: 200, g: 30, b: 30 }), await jpeg({ r: 30, g: 30, b: 200 })], undefined, '扫码上报海报'))
  const { stdout } = await run('pdfinfo', [file])
  expect(stdout).toMatch(/Pages:\s+2\n/)
  expect(stdout).toMatch(/Page size:\s+595\.28 x 841\.89 pts \(A4\)/)
  expect(stdout).toMatch(/Title:\s+扫码上报海报/)
})

test('poppler renders each page with its image', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'pdf-'))
  const file = join(dir, 'posters.pdf')
  await writeFile(file, imagesToPdf([await jpeg({ r: 200, g: 30, b: 30 }), await jpeg({ r: 30, g: 30, b: 200 })]))
  await run('pdftoppm', ['-r', '20', '-png', file, join(dir, 'page')])
  const pixel = async (name: string): Promise<number[]> => {
    const { data } = await sharp(await readFile(join(dir, name))).extract({ left: 5, top: 5, width: 1, height: 1 }).raw().toBuffer({ resolveWithObject: true })
    return [...data.subarray(0, 3)]
  }
  const [r1, , b1] = await pixel('page-1.png')
  const [r2, , b2] = await pixel('page-2.png')
  expect(r1! > 150 && b1! < 80).toBe(true)
  expect(b2! > 150 && r2! < 80).toBe(true)
})

test('a PDF without pages is refused', () => {
  expect(() => imagesToPdf([])).toThrow()
})
