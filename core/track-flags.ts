/**
 * Physically impossible track points (track_points.flag): the rule's numbers and the reasons the
 * database writes (db/functions/tracks.sql, `sg_track_flags`), read back for people. Pure: no I/O.
 *
 * A hop between two consecutive fixes is impossible when it needs more than
 * {@link TRACK_MAX_SPEED_KMH} beyond {@link TRACK_NOISE_M} of GPS error. A point whose hops in and out
 * are both impossible is a `speed` point (a spike, or moving too fast for a walk or a bicycle); a
 * point reached by an impossible hop that then stays plausible, away from where the track was, is a
 * `teleport`. Flagged points are left out of coverage (and of points, 积分) as if never sent.
 */
import type { Term } from './terms.ts'

/** Fastest plausible pace of a patrol on foot or on a bicycle / e-bike (km/h). */
export const TRACK_MAX_SPEED_KMH = 36
/** Metres of GPS error allowed on every hop before the speed counts. */
export const TRACK_NOISE_M = 20

/** The kinds of flags. */
export const TRACK_FLAG_KINDS = ['speed', 'teleport'] as const
export type TrackFlagKind = (typeof TRACK_FLAG_KINDS)[number]

/** A flag as written by the database, read. */
export interface TrackFlag {
  kind: TrackFlagKind
  /** `speed`: the speed of the hop in (km/h). */
  kmh?: number
  /** `teleport`: the length (m) and duration (s) of the jump. */
  metres?: number
  seconds?: number
}

/** Read a flag (`speed 126 km/h`, `teleport 5200 m in 10 s`); null when it is not one of those. */
export function parseTrackFlag(flag: string | null | undefined): TrackFlag | null {
  if (!flag) return null
  const speed = /^speed (\d+) km\/h$/.exec(flag)
  if (speed) return { kind: 'speed', kmh: Number(speed[1]) }
  const jump = /^teleport (\d+) m in (\d+) s$/.exec(flag)
  if (jump) return { kind: 'teleport', metres: Number(jump[1]), seconds: Number(jump[2]) }
  return null
}

/** Names of the kinds. */
export const TRACK_FLAG_TERMS: Record<TrackFlagKind, Term> = {
  speed: { zh: '速度异常', en: 'Impossible speed' },
  teleport: { zh: '位置跳变', en: 'Position jump' },
}

/** A flag in words, e.g. "速度异常：126 km/h（上限 36 km/h）". Unknown text is shown as it is. */
export function describeTrackFlag(flag: string, locale: 'zh' | 'en'): string {
  const f = parseTrackFlag(flag)
  if (!f) return flag
  const name = TRACK_FLAG_TERMS[f.kind][locale]
  if (f.kind === 'speed') {
    return locale === 'zh' ? `${name}：${f.kmh} km/h（上限 ${TRACK_MAX_SPEED_KMH} km/h）` : `${name}: ${f.kmh} km/h (limit ${TRACK_MAX_SPEED_KMH} km/h)`
  }
  const distance = (f.metres ?? 0) >= 1000 ? `${((f.metres ?? 0) / 1000).toFixed(1)} km` : `${f.metres} m`
  return locale === 'zh' ? `${name}：${f.seconds} 秒移动 ${distance}` : `${name}: ${distance} in ${f.seconds} s`
}
