/**
 * Areas, written one way everywhere (planner, suggestion previews, zone history, reports): whole square
 * metres below one hectare, hectares (公顷 / ha) with at most two decimals from one hectare up.
 */

/** Square metres in a hectare: from this area up, areas are written in hectares. */
export const HECTARE_M2 = 10_000

/** An area for people: "8,520 m²", "1.35 公顷" (zh) or "1.35 ha" (en); a negative area keeps its sign. */
export function formatArea(m2: number, locale: 'zh' | 'en'): string {
  const tag = locale === 'en' ? 'en-GB' : 'zh-CN'
  if (Math.abs(m2) < HECTARE_M2) {
    const whole = Math.round(m2)
    return `${new Intl.NumberFormat(tag, { maximumFractionDigits: 0 }).format(whole === 0 ? 0 : whole)} m²`
  }
  const ha = new Intl.NumberFormat(tag, { maximumFractionDigits: 2 }).format(m2 / HECTARE_M2)
  return locale === 'en' ? `${ha} ha` : `${ha} 公顷`
}

/** A change of area with its sign: "+320 m²", "−1.2 公顷", "±0 m²". */
export function formatAreaChange(m2: number, locale: 'zh' | 'en'): string {
  if (Math.round(m2) === 0) return '±0 m²'
  return `${m2 > 0 ? '+' : '−'}${formatArea(Math.abs(m2), locale)}`
}

/** A share as a percentage with one decimal: "12.3%". */
export function formatShare(share: number, locale: 'zh' | 'en'): string {
  return new Intl.NumberFormat(locale === 'en' ? 'en-GB' : 'zh-CN', { style: 'percent', maximumFractionDigits: 1 }).format(share)
}
