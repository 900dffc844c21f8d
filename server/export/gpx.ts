/**
 * GPX 1.1 (https://www.topografix.com/GPX/1/1/) from patrol tracks: one `<trk>` per feature (a device
 * run) with one `<trkseg>` per line, `<time>` on each point when the feature carries its times
 * (`properties.from` + `properties.times`, seconds after `from`, as `GET /api/tracks` answers), and
 * points as `<wpt>`.
 */
import type { JsonFeature, JsonFeatureCollection } from './table.ts'

/** Escape text for XML content and attributes. */
export function xmlEscape(text: string): string {
  return text.replace(/[<>&"']/g, (ch) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[ch]!)
}

function pointXml(tag: 'trkpt' | 'wpt', position: unknown, time: string | undefined, indent: string, name?: string): string {
  const [lon, lat, ele] = Array.isArray(position) ? (position as number[]) : []
  if (typeof lon !== 'number' || typeof lat !== 'number') return ''
  const children = [
    typeof ele === 'number' ? `<ele>${ele}</ele>` : '',
    time ? `<time>${time}</time>` : '',
    name ? `<name>${xmlEscape(name)}</name>` : '',
  ].join('')
  return `${indent}<${tag} lat="${lat.toFixed(7)}" lon="${lon.toFixed(7)}">${children}</${tag}>\n`
}

function featureName(f: JsonFeature): string {
  const p = f.properties ?? {}
  const who = typeof p.personName === 'string' ? p.personName : undefined
  const device = typeof p.deviceId === 'string' ? p.deviceId : undefined
  return [who, device].filter(Boolean).join(' · ') || String(f.id ?? '')
}

/** The time of each vertex of a track feature, when it carries them. */
function vertexTimes(f: JsonFeature, count: number): (string | undefined)[] {
  const p = f.properties ?? {}
  const from = typeof p.from === 'string' ? Date.parse(p.from) : Number.NaN
  const times = Array.isArray(p.times) ? (p.times as unknown[]) : []
  return Array.from({ length: count }, (_, i) => {
    const s = times[i]
    return Number.isNaN(from) || typeof s !== 'number' ? undefined : new Date(from + s * 1000).toISOString()
  })
}

/** A FeatureCollection of tracks (LineString / MultiLineString) and points as a GPX 1.1 document. */
export function toGpx(fc: JsonFeatureCollection, meta: { name?: string; time?: Date } = {}): string {
  const parts: string[] = [
    '<?xml version="1.0" encoding="UTF-8"?>\n',
    '<gpx version="1.1" creator="SafeGrid" xmlns="http://www.topografix.com/GPX/1/1" ',
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" ',
    'xsi:schemaLocation="http://www.topografix.com/GPX/1/1 http://www.topografix.com/GPX/1/1/gpx.xsd">\n',
    `  <metadata>${meta.name ? `<name>${xmlEscape(meta.name)}</name>` : ''}<time>${(meta.time ?? new Date()).toISOString()}</time></metadata>\n`,
  ]
  const waypoints: string[] = []
  const tracks: string[] = []
  for (const f of fc.features) {
    const g = f.geometry
    if (!g) continue
    if (g.type === 'Point') {
      waypoints.push(pointXml('wpt', g.coordinates, undefined, '  ', featureName(f)))
      continue
    }
    const lines = g.type === 'LineString' ? [g.coordinates] : g.type === 'MultiLineString' && Array.isArray(g.coordinates) ? g.coordinates : []
    if (lines.length === 0) continue
    let vertex = 0
    const total = lines.reduce((n: number, l) => n + (Array.isArray(l) ? l.length : 0), 0)
    const times = vertexTimes(f, total)
    const segs = lines.map((line) => {
      const pts = (Array.isArray(line) ? line : []).map((pos) => pointXml('trkpt', pos, times[vertex++], '      ')).join('')
      return `    <trkseg>\n${pts}    </trkseg>\n`
    })
    const type = typeof f.properties?.teamName === 'string' ? `<type>${xmlEscape(f.properties.teamName)}</type>` : ''
    tracks.push(`  <trk><name>${xmlEscape(featureName(f))}</name>${type}\n${segs.join('')}  </trk>\n`)
  }
  return parts.join('') + waypoints.join('') + tracks.join('') + '</gpx>\n'
}
