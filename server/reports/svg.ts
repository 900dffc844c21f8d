/**
 * Inline SVG for the printable report: a static map drawn from the geometries themselves (lon/lat
 * projected onto the page box, so no tiles or network are needed) and bar charts.
 */
import { xmlEscape } from '../export/gpx.ts'
import type { Geometry, ReportData } from '../queries/reports.ts'

/** A function from lon/lat to page x/y. */
export type Projection = (lon: number, lat: number) => [number, number]

/**
 * An equirectangular projection of `bbox` ([minLon, minLat, maxLon, maxLat]) into a `width` × `height`
 * box with `pad` on every side, east–west scaled by cos(latitude) so shapes keep their proportions
 * (at community scale the error is far below a pixel), centred, north up.
 */
export function fitProjection(bbox: [number, number, number, number], width: number, height: number, pad = 10): Projection {
  const [minLon, minLat, maxLon, maxLat] = bbox
  const k = Math.cos((((minLat + maxLat) / 2) * Math.PI) / 180)
  const w = Math.max((maxLon - minLon) * k, 1e-9)
  const h = Math.max(maxLat - minLat, 1e-9)
  const scale = Math.min((width - 2 * pad) / w, (height - 2 * pad) / h)
  const ox = (width - w * scale) / 2
  const oy = (height - h * scale) / 2
  return (lon, lat) => [ox + (lon - minLon) * k * scale, oy + (maxLat - lat) * scale]
}

/** Every [lon, lat] position of a geometry. */
export function positions(geometry: Geometry | null | undefined): [number, number][] {
  const out: [number, number][] = []
  const walk = (c: unknown): void => {
    if (!Array.isArray(c)) return
    if (typeof c[0] === 'number' && typeof c[1] === 'number') out.push([c[0], c[1]])
    else for (const x of c) walk(x)
  }
  walk(geometry?.coordinates)
  return out
}

/** The bounding box of some geometries, or undefined when they hold no position. */
export function boundsOf(geometries: readonly (Geometry | null | undefined)[]): [number, number, number, number] | undefined {
  let b: [number, number, number, number] | undefined
  for (const g of geometries) {
    for (const [x, y] of positions(g)) {
      b = b ? [Math.min(b[0], x), Math.min(b[1], y), Math.max(b[2], x), Math.max(b[3], y)] : [x, y, x, y]
    }
  }
  return b
}

const f1 = (n: number) => (Math.round(n * 10) / 10).toString()

function ringPath(ring: unknown, project: Projection, close: boolean): string {
  if (!Array.isArray(ring) || ring.length === 0) return ''
  const pts = (ring as number[][]).filter((p) => typeof p[0] === 'number' && typeof p[1] === 'number').map((p) => project(p[0]!, p[1]!))
  if (pts.length === 0) return ''
  return `M${pts.map(([x, y]) => `${f1(x)} ${f1(y)}`).join('L')}${close ? 'Z' : ''}`
}

/** SVG path data of a (multi)polygon or (multi)line; '' for points and nothing. */
export function pathData(geometry: Geometry | null | undefined, project: Projection): string {
  if (!geometry) return ''
  const c = geometry.coordinates as unknown[]
  switch (geometry.type) {
    case 'Polygon':
      return c.map((r) => ringPath(r, project, true)).join('')
    case 'MultiPolygon':
      return c.map((poly) => (Array.isArray(poly) ? poly.map((r) => ringPath(r, project, true)).join('') : '')).join('')
    case 'LineString':
      return ringPath(c, project, false)
    case 'MultiLineString':
      return c.map((l) => ringPath(l, project, false)).join('')
    default:
      return ''
  }
}

/** Where to put a label: the centre of the bounding box of the geometry's largest ring. */
function labelPoint(geometry: Geometry, project: Projection): [number, number] | undefined {
  const b = boundsOf([geometry])
  if (!b) return undefined
  return project((b[0] + b[2]) / 2, (b[1] + b[3]) / 2)
}

/** Colours of the report map and charts. */
export const REPORT_COLORS = {
  land: '#f7f6f2',
  boundary: '#374151',
  building: '#d9d3c7',
  road: '#ffffff',
  roadCasing: '#c9c2b4',
  zone: '#2563eb',
  track: '#0f766e',
  unvisited: '#dc2626',
  hotspot: ['#fde68a', '#fdba74', '#f97316'],
  minor: '#f2b600',
  major: '#f07100',
  critical: '#d7263d',
  closed: '#9aa3ad',
  found: '#2563eb',
  done: '#16a34a',
  overdue: '#dc2626',
} as const

/**
 * The period's map: community boundaries, buildings and roads for orientation, Gi* hot-spot cells,
 * the zones (as valid in the period) with their names, the patrol tracks, the buildings and key places
 * not visited (red), and the hazards found (by severity; closed ones grey).
 */
export function reportMapSvg(map: ReportData['map'], width = 1000, height = 640): string {
  const bbox = boundsOf(map.communities) ?? boundsOf(map.hazards.map((h) => ({ type: 'Point', coordinates: [h.lon, h.lat] })))
  if (!bbox) return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} 80" role="img" aria-label="地图（无数据）"><text x="20" y="45" font-size="22">本期无地图数据</text></svg>`
  const project = fitProjection(bbox, width, height, 16)
  const C = REPORT_COLORS
  const paths = (geoms: readonly Geometry[]) => geoms.map((g) => pathData(g, project)).join('')
  const parts: string[] = []
  parts.push(`<rect width="${width}" height="${height}" fill="#e9e7e1"/>`)
  parts.push(`<path d="${paths(map.communities)}" fill="${C.land}" stroke="none"/>`)
  for (const cell of map.hotspots) {
    const fill = C.hotspot[Math.min(3, Math.max(1, cell.confidence)) - 1]
    parts.push(`<path d="${pathData(cell.geometry, project)}" fill="${fill}" fill-opacity="0.55" stroke="none"/>`)
  }
  parts.push(`<path d="${paths(map.roads)}" fill="none" stroke="${C.roadCasing}" stroke-width="3.2" stroke-linejoin="round" stroke-linecap="round"/>`)
  parts.push(`<path d="${paths(map.roads)}" fill="none" stroke="${C.road}" stroke-width="2" stroke-linejoin="round" stroke-linecap="round"/>`)
  parts.push(`<path d="${paths(map.buildings)}" fill="${C.building}" stroke="#b3aa9a" stroke-width="0.5"/>`)
  const unvisitedAreas = map.unvisited.filter((g) => g.type !== 'Point')
  const unvisitedPoints = map.unvisited.filter((g) => g.type === 'Point')
  parts.push(`<path d="${paths(unvisitedAreas)}" fill="${C.unvisited}" fill-opacity="0.28" stroke="${C.unvisited}" stroke-width="1.2"/>`)
  for (const g of unvisitedPoints) {
    const [x, y] = project(...(g.coordinates as [number, number]))
    parts.push(`<rect x="${f1(x - 3.5)}" y="${f1(y - 3.5)}" width="7" height="7" fill="none" stroke="${C.unvisited}" stroke-width="1.4"/>`)
  }
  parts.push(`<path d="${paths(map.tracks)}" fill="none" stroke="${C.track}" stroke-width="1.6" stroke-opacity="0.75" stroke-linejoin="round" stroke-linecap="round"/>`)
  parts.push(`<path d="${map.zones.map((z) => pathData(z.geometry, project)).join('')}" fill="none" stroke="${C.zone}" stroke-width="1.6" stroke-dasharray="7 4"/>`)
  parts.push(`<path d="${paths(map.communities)}" fill="none" stroke="${C.boundary}" stroke-width="2.4"/>`)
  const ordered = [...map.hazards].sort((a, b) => Number(a.status !== 'verified') - Number(b.status !== 'verified'))
  for (const h of ordered) {
    const [x, y] = project(h.lon, h.lat)
    const closed = h.status === 'verified'
    parts.push(
      `<circle cx="${f1(x)}" cy="${f1(y)}" r="${closed ? 3.2 : 4.6}" fill="${closed ? C.closed : C[h.severity]}" stroke="${closed ? '#ffffff' : '#1f2937'}" stroke-width="${closed ? 0.6 : 1}"/>`,
    )
  }
  for (const z of map.zones) {
    const at = labelPoint(z.geometry, project)
    if (!at) continue
    parts.push(
      `<text x="${f1(at[0])}" y="${f1(at[1])}" text-anchor="middle" dominant-baseline="middle" font-size="15" font-weight="600" fill="${C.zone}" stroke="#ffffff" stroke-width="3" paint-order="stroke">${xmlEscape(z.name)}</text>`,
    )
  }
  // Scale bar: a round number of metres about a fifth of the width.
  const [x0] = project(bbox[0], bbox[1])
  const metresPerUnit = (() => {
    const [x1] = project(bbox[0] + 0.01, bbox[1])
    const metres = 0.01 * 111_320 * Math.cos((bbox[1] * Math.PI) / 180)
    return metres / Math.max(1e-9, x1 - x0)
  })()
  const target = (width / 5) * metresPerUnit
  const nice = [50, 100, 200, 250, 500, 1000, 2000, 5000].reduce((best, n) => (Math.abs(n - target) < Math.abs(best - target) ? n : best), 100)
  const barLen = nice / metresPerUnit
  parts.push(
    `<g transform="translate(${width - barLen - 28} ${height - 26})"><rect x="-8" y="-18" width="${f1(barLen + 16)}" height="30" fill="#ffffff" fill-opacity="0.85"/>` +
      `<path d="M0 0H${f1(barLen)}" stroke="#111" stroke-width="3"/><text x="${f1(barLen / 2)}" y="-6" text-anchor="middle" font-size="13">${nice >= 1000 ? `${nice / 1000} 千米` : `${nice} 米`}</text></g>`,
  )
  parts.push(`<g transform="translate(26 34)"><path d="M0 -18L7 2L0 -3L-7 2Z" fill="#111"/><text y="18" text-anchor="middle" font-size="13" font-weight="700">北</text></g>`)
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" role="img" aria-label="本期隐患与巡查覆盖地图">${parts.join('')}</svg>`
}

/** One series of a bar chart. */
export interface BarSeries {
  name: string
  color: string
}

/**
 * Horizontal grouped bars: one group per row (label on the left), one bar per series, the value at
 * the bar's end. With `percent`, values are shares 0..1 on a 0–100 % axis, and `target` draws a line.
 */
export function barChartSvg(
  rows: readonly { label: string; values: readonly (number | null)[] }[],
  series: readonly BarSeries[],
  options: { width?: number; percent?: boolean; target?: number; labelWidth?: number; barHeight?: number; fontSize?: number } = {},
): string {
  const width = options.width ?? 1000
  const labelWidth = options.labelWidth ?? 210
  const barH = options.barHeight ?? 13
  const font = options.fontSize ?? 14
  const groupGap = Math.round(barH * 0.7)
  const groupH = series.length * barH + groupGap
  const legendH = font + 16
  const height = legendH + rows.length * groupH + 8
  const max = options.percent ? 1 : Math.max(1, ...rows.flatMap((r) => r.values.map((v) => v ?? 0)))
  const plotW = width - labelWidth - font * 4
  const x = (v: number) => labelWidth + (v / max) * plotW
  const out: string[] = []
  series.forEach((s, i) => {
    const lx = labelWidth + i * font * 7
    out.push(`<rect x="${lx}" y="6" width="${font}" height="${font}" fill="${s.color}"/><text x="${lx + font + 5}" y="${6 + font - 2}" font-size="${font}">${xmlEscape(s.name)}</text>`)
  })
  rows.forEach((r, gi) => {
    const y0 = legendH + gi * groupH
    out.push(`<text x="${labelWidth - 8}" y="${y0 + (series.length * barH) / 2 + font / 3}" text-anchor="end" font-size="${font}">${xmlEscape(r.label)}</text>`)
    r.values.forEach((v, si) => {
      const y = y0 + si * barH
      const value = v ?? 0
      out.push(`<rect x="${labelWidth}" y="${y}" width="${f1(Math.max(0, x(value) - labelWidth))}" height="${barH - 2}" fill="${series[si]?.color ?? '#888'}"/>`)
      const text = v === null ? '—' : options.percent ? `${Math.round(value * 1000) / 10}%` : String(value)
      out.push(`<text x="${f1(x(value) + 4)}" y="${f1(y + barH - 2)}" font-size="${Math.min(font - 2, barH + 1)}" fill="#374151">${text}</text>`)
    })
  })
  if (options.percent && options.target !== undefined) {
    const tx = x(options.target)
    out.push(`<path d="M${f1(tx)} ${legendH - 4}V${height - 4}" stroke="#111" stroke-width="1.2" stroke-dasharray="4 3"/>`)
    out.push(`<text x="${f1(tx)}" y="${legendH - 8}" text-anchor="end" font-size="12">目标 ${Math.round(options.target * 100)}%</text>`)
  }
  out.push(`<path d="M${labelWidth} ${legendH - 4}V${height - 4}" stroke="#6b7280" stroke-width="1"/>`)
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" role="img">${out.join('')}</svg>`
}

/** Vertical columns per day (found and closed side by side), day-of-month labels under them. */
export function dayChartSvg(days: readonly { day: string; found: number; closed: number }[], width = 1000, height = 230): string {
  const C = REPORT_COLORS
  const left = 40
  const bottom = 28
  const top = 30
  const plotH = height - top - bottom
  const max = Math.max(1, ...days.flatMap((d) => [d.found, d.closed]))
  const slot = (width - left - 10) / Math.max(1, days.length)
  const barW = Math.max(2, Math.min(16, slot / 2 - 2))
  const y = (v: number) => top + plotH - (v / max) * plotH
  const out: string[] = [
    `<rect x="${left}" y="6" width="14" height="14" fill="${C.found}"/><text x="${left + 20}" y="18" font-size="14">发现</text>`,
    `<rect x="${left + 90}" y="6" width="14" height="14" fill="${C.done}"/><text x="${left + 110}" y="18" font-size="14">办结</text>`,
    `<path d="M${left} ${top + plotH}H${width - 6}" stroke="#6b7280"/>`,
    `<text x="${left - 6}" y="${top + 5}" text-anchor="end" font-size="12">${max}</text>`,
    `<text x="${left - 6}" y="${top + plotH}" text-anchor="end" font-size="12">0</text>`,
  ]
  days.forEach((d, i) => {
    const cx = left + slot * i + slot / 2
    out.push(`<rect x="${f1(cx - barW - 1)}" y="${f1(y(d.found))}" width="${f1(barW)}" height="${f1(top + plotH - y(d.found))}" fill="${C.found}"/>`)
    out.push(`<rect x="${f1(cx + 1)}" y="${f1(y(d.closed))}" width="${f1(barW)}" height="${f1(top + plotH - y(d.closed))}" fill="${C.done}"/>`)
    if (days.length <= 10 || i % 2 === 0) out.push(`<text x="${f1(cx)}" y="${height - 8}" text-anchor="middle" font-size="12">${Number(d.day.slice(8, 10))}</text>`)
  })
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" role="img" aria-label="每日发现与办结">${out.join('')}</svg>`
}
