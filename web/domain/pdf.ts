/**
 * A minimal PDF 1.4 writer (issue 15, posters as a PDF file): one page per JPEG image, the image filling the
 * page (DCTDecode, so the JPEG bytes go in as they are). No fonts, no dependencies; the text is drawn into the
 * images (web/domain/poster-canvas.ts), so no font is embedded or fetched.
 */

/** One page: a baseline JPEG (RGB) and its pixel size. */
export interface PdfImagePage {
  jpeg: Uint8Array
  width: number
  height: number
}

/** A4 in PostScript points (1/72 inch). */
export const A4_POINTS = { width: 595.28, height: 841.89 } as const

const encoder = new TextEncoder()

/**
 * The PDF file of `pages` (each image stretched over a page of `size` points, A4 by default): catalog, page
 * tree, a page, its content stream and its image per page, the cross-reference table and the trailer.
 */
export function imagesToPdf(pages: readonly PdfImagePage[], size: { width: number; height: number } = A4_POINTS, title = 'SafeGrid'): Uint8Array {
  if (pages.length === 0) throw new Error('A PDF needs at least one page.')
  const chunks: Uint8Array[] = []
  let length = 0
  const offsets: number[] = []
  const push = (part: string | Uint8Array): void => {
    const bytes = typeof part === 'string' ? encoder.encode(part) : part
    chunks.push(bytes)
    length += bytes.length
  }
  const object = (id: number, body: () => void): void => {
    offsets[id] = length
    push(`${id} 0 obj\n`)
    body()
    push('\nendobj\n')
  }
  const w = size.width.toFixed(2)
  const h = size.height.toFixed(2)
  // Objects: 1 catalog, 2 page tree, 3 info, then per page k: page 4+3k, content 5+3k, image 6+3k.
  const pageId = (k: number): number => 4 + 3 * k
  push('%PDF-1.4\n%\xE2\xE3\xCF\xD3\n')
  object(1, () => push('<< /Type /Catalog /Pages 2 0 R >>'))
  object(2, () => push(`<< /Type /Pages /Count ${pages.length} /Kids [${pages.map((_, k) => `${pageId(k)} 0 R`).join(' ')}] >>`))
  // The title as UTF-16BE hex, so Chinese survives.
  const hex = Array.from(title)
    .flatMap((ch) => {
      const code = ch.codePointAt(0)!
      if (code <= 0xffff) return [code]
      const v = code - 0x10000
      return [0xd800 + (v >> 10), 0xdc00 + (v & 0x3ff)]
    })
    .map((u) => u.toString(16).padStart(4, '0'))
    .join('')
  object(3, () => push(`<< /Title <FEFF${hex}> /Producer (SafeGrid) >>`))
  pages.forEach((p, k) => {
    const id = pageId(k)
    object(id, () =>
      push(`<< /Type /Page /Parent 2 0 R /MediaBox [0 0 ${w} ${h}] /Resources << /XObject << /Im0 ${id + 2} 0 R >> /ProcSet [/PDF /ImageC] >> /Contents ${id + 1} 0 R >>`),
    )
    const content = `q ${w} 0 0 ${h} 0 0 cm /Im0 Do Q`
    object(id + 1, () => push(`<< /Length ${content.length} >>\nstream\n${content}\nendstream`))
    object(id + 2, () => {
      push(`<< /Type /XObject /Subtype /Image /Width ${p.width} /Height ${p.height} /ColorSpace /DeviceRGB /BitsPerComponent 8 /Filter /DCTDecode /Length ${p.jpeg.length} >>\nstream\n`)
      push(p.jpeg)
      push('\nendstream')
    })
  })
  const count = 4 + 3 * pages.length
  const xref = length
  push(`xref\n0 ${count}\n0000000000 65535 f \n`)
  for (let id = 1; id < count; id++) push(`${String(offsets[id]).padStart(10, '0')} 00000 n \n`)
  push(`trailer\n<< /Size ${count} /Root 1 0 R /Info 3 0 R >>\nstartxref\n${xref}\n%%EOF\n`)
  const out = new Uint8Array(length)
  let at = 0
  for (const c of chunks) {
    out.set(c, at)
    at += c.length
  }
  return out
}
