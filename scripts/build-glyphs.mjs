/**
 * Builds the map's glyph PBFs (signed distance fields, MapLibre's glyph format) for the Latin
 * ranges from Noto Sans (the @fontsource/noto-sans package), so that labels need no glyph server.
 * CJK is not in these files: MapLibre draws it locally with `localIdeographFontFamily`.
 *
 *     node scripts/build-glyphs.mjs [out-dir]     (default web/public/glyphs/noto-sans)
 *
 * The output is committed (a few tens of kilobytes); run this again only to change font or ranges.
 * Needs the dev dependencies opentype.js and @fontsource/noto-sans.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import opentype from 'opentype.js'
import { PbfWriter as Pbf } from 'pbf'

const require = createRequire(import.meta.url)
const FONT = require.resolve('@fontsource/noto-sans/files/noto-sans-latin-400-normal.woff')
/** Ranges shipped: Basic Latin + Latin-1, and General Punctuation (dashes, quotes, …). */
const RANGES = [0, 8192]
/** MapLibre's glyph metrics: 24 px em, 3 px border, SDF radius 8, edge at 0.75 (fontnik's values). */
const SIZE = 24
const BORDER = 3
const RADIUS = 8
const CUTOFF = 0.25
/** Server glyph "top" is measured from an origin above the em box (MapLibre's topAdjustment). */
const TOP_ORIGIN = 27

const outDir = process.argv[2] ?? join(import.meta.dirname, '..', 'web', 'public', 'glyphs', 'noto-sans')
const buf = readFileSync(FONT)
const font = opentype.parse(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength))

/** Flattens a glyph path (y down, baseline at 0) into closed polygons. */
function polygons(path) {
  const rings = []
  let ring = []
  let x = 0
  let y = 0
  const steps = 8
  for (const c of path.commands) {
    if (c.type === 'M') {
      if (ring.length > 1) rings.push(ring)
      ring = [[c.x, c.y]]
      x = c.x
      y = c.y
    } else if (c.type === 'L') {
      ring.push([c.x, c.y])
      x = c.x
      y = c.y
    } else if (c.type === 'Q') {
      for (let i = 1; i <= steps; i++) {
        const t = i / steps
        const u = 1 - t
        ring.push([u * u * x + 2 * u * t * c.x1 + t * t * c.x, u * u * y + 2 * u * t * c.y1 + t * t * c.y])
      }
      x = c.x
      y = c.y
    } else if (c.type === 'C') {
      for (let i = 1; i <= steps; i++) {
        const t = i / steps
        const u = 1 - t
        ring.push([
          u * u * u * x + 3 * u * u * t * c.x1 + 3 * u * t * t * c.x2 + t * t * t * c.x,
          u * u * u * y + 3 * u * u * t * c.y1 + 3 * u * t * t * c.y2 + t * t * t * c.y,
        ])
      }
      x = c.x
      y = c.y
    } else if (c.type === 'Z') {
      if (ring.length > 1) rings.push(ring)
      ring = []
    }
  }
  if (ring.length > 1) rings.push(ring)
  return rings
}

/** Distance from (px, py) to the segment a–b. */
function segmentDistance(px, py, ax, ay, bx, by) {
  const dx = bx - ax
  const dy = by - ay
  const len = dx * dx + dy * dy
  const t = len === 0 ? 0 : Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / len))
  const qx = ax + t * dx - px
  const qy = ay + t * dy - py
  return Math.sqrt(qx * qx + qy * qy)
}

/** Signed distance field of one glyph, as MapLibre reads it. */
function renderGlyph(code) {
  const glyph = font.charToGlyph(String.fromCodePoint(code))
  if (!glyph || glyph.index === 0) return null
  const advance = Math.round((glyph.advanceWidth * SIZE) / font.unitsPerEm)
  const rings = polygons(glyph.getPath(0, 0, SIZE))
  if (rings.length === 0) return { id: code, width: 0, height: 0, left: 0, top: -TOP_ORIGIN, advance }
  let x1 = Infinity
  let y1 = Infinity
  let x2 = -Infinity
  let y2 = -Infinity
  for (const r of rings)
    for (const [x, y] of r) {
      x1 = Math.min(x1, x)
      y1 = Math.min(y1, y)
      x2 = Math.max(x2, x)
      y2 = Math.max(y2, y)
    }
  const left = Math.floor(x1)
  const topY = Math.floor(y1)
  const width = Math.ceil(x2) - left
  const height = Math.ceil(y2) - topY
  const w = width + 2 * BORDER
  const h = height + 2 * BORDER
  const bitmap = new Uint8Array(w * h)
  for (let j = 0; j < h; j++) {
    const py = topY + j - BORDER + 0.5
    for (let i = 0; i < w; i++) {
      const px = left + i - BORDER + 0.5
      let d = Infinity
      let winding = 0
      for (const r of rings) {
        for (let k = 0; k < r.length; k++) {
          const [ax, ay] = r[k]
          const [bx, by] = r[(k + 1) % r.length]
          d = Math.min(d, segmentDistance(px, py, ax, ay, bx, by))
          if (ay <= py) {
            if (by > py && (bx - ax) * (py - ay) - (px - ax) * (by - ay) > 0) winding++
          } else if (by <= py && (bx - ax) * (py - ay) - (px - ax) * (by - ay) < 0) winding--
        }
      }
      const signed = winding !== 0 ? -d : d
      bitmap[j * w + i] = Math.max(0, Math.min(255, Math.round(255 - 255 * (signed / RADIUS + CUTOFF))))
    }
  }
  return { id: code, bitmap, width, height, left, top: -topY - TOP_ORIGIN, advance }
}

function writeGlyph(g, pbf) {
  pbf.writeVarintField(1, g.id)
  if (g.bitmap) pbf.writeBytesField(2, g.bitmap)
  pbf.writeVarintField(3, g.width)
  pbf.writeVarintField(4, g.height)
  pbf.writeSVarintField(5, g.left)
  pbf.writeSVarintField(6, g.top)
  pbf.writeVarintField(7, g.advance)
}

mkdirSync(outDir, { recursive: true })
for (const start of RANGES) {
  const end = start + 255
  const range = `${start}-${end}`
  const glyphs = []
  for (let code = start; code <= end; code++) {
    const g = renderGlyph(code)
    if (g) glyphs.push(g)
  }
  const pbf = new Pbf()
  pbf.writeMessage(1, (_, p) => {
    p.writeStringField(1, 'Noto Sans Regular')
    p.writeStringField(2, range)
    for (const g of glyphs) p.writeMessage(3, writeGlyph, g)
  })
  writeFileSync(join(outDir, `${range}.pbf`), pbf.finish())
  console.log(`${range}.pbf: ${glyphs.length} glyphs`)
}
