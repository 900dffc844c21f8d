/**
 * Draws the patrol app's icons (平安网格·巡逻) into web/public/icons/ as PNG: the web app manifest's
 * 192 and 512 px icons, a maskable 512 px icon (the mark inside the 80 % safe zone), the 180 px
 * Apple touch icon and a 32 px favicon. The mark is a shield over a 3 × 3 grid — the community's
 * responsibility grid — with a check: no text, so no fonts are needed.
 *
 *   npx tsx scripts/make-icons.ts
 */
import { mkdir, writeFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import sharp from 'sharp'

const OUT = resolve(import.meta.dirname, '../web/public/icons')

const NAVY = '#18202b'
const BLUE = '#2563eb'
const SKY = '#93c5fd'
const GREEN = '#22c55e'

/** The mark on a 100 × 100 canvas, scaled by `scale` around the centre. */
function mark(scale: number): string {
  const shield = 'M50 10 L82 22 V48 C82 68 68 82 50 90 C32 82 18 68 18 48 V22 Z'
  const grid = [38, 50, 62]
    .flatMap((x) => [
      `<line x1="${x}" y1="26" x2="${x}" y2="78" />`,
      `<line x1="22" y1="${x - 6}" x2="78" y2="${x - 6}" />`,
    ])
    .join('')
  return `
  <g transform="translate(50 50) scale(${scale}) translate(-50 -50)">
    <clipPath id="s"><path d="${shield}" /></clipPath>
    <path d="${shield}" fill="${BLUE}" />
    <g clip-path="url(#s)" stroke="${SKY}" stroke-width="1.6" opacity="0.55">${grid}</g>
    <path d="${shield}" fill="none" stroke="#fff" stroke-width="3.2" stroke-linejoin="round" />
    <path d="M36 50 L46 60 L66 38" fill="none" stroke="${GREEN}" stroke-width="7" stroke-linecap="round" stroke-linejoin="round" />
    <path d="M36 50 L46 60 L66 38" fill="none" stroke="#fff" stroke-width="3" stroke-linecap="round" stroke-linejoin="round" />
  </g>`
}

/** An icon: rounded tile (`radius` of 100) or full bleed (`radius` 0), the mark at `scale`. */
function svg(radius: number, scale: number): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 100" width="512" height="512">
  <rect width="100" height="100" rx="${radius}" fill="${NAVY}" />${mark(scale)}
</svg>`
}

const icons: { file: string; size: number; svg: string }[] = [
  { file: 'icon-192.png', size: 192, svg: svg(18, 1) },
  { file: 'icon-512.png', size: 512, svg: svg(18, 1) },
  // Maskable: launchers cut any shape out of the middle 80 %; keep the mark well inside.
  { file: 'maskable-512.png', size: 512, svg: svg(0, 0.74) },
  // iOS rounds the corners itself and shows transparency as black: full bleed.
  { file: 'apple-touch-icon-180.png', size: 180, svg: svg(0, 0.9) },
  { file: 'favicon-32.png', size: 32, svg: svg(20, 1.12) },
]

await mkdir(OUT, { recursive: true })
for (const icon of icons) {
  const png = await sharp(Buffer.from(icon.svg), { density: 72 * (icon.size / 512) * 4 })
    .resize(icon.size, icon.size)
    .png({ compressionLevel: 9 })
    .toBuffer()
  await writeFile(resolve(OUT, icon.file), png)
  console.log(`${icon.file}  ${icon.size}×${icon.size}  ${png.length} bytes`)
}
