/**
 * Readable addresses of places: a building is named by its compound and its number ("光谷花园 3栋"),
 * never by a database id ("楼栋 #164") or a raw OpenStreetMap name with its doubts ("烟草(?)").
 * Used by the map's building labels and wherever a place is listed (web and server alike).
 */

/** What is known of a building. */
export interface BuildingPlace {
  /** The building's own name (often from OpenStreetMap), if any. */
  name: string | null | undefined
  /** The name of the compound (小区) it stands in, if any. */
  compoundName?: string | null | undefined
}

/** A mapper's doubt marks and empty brackets: "烟草(?)", "商店（？）", "？". */
const DOUBT = /[(（]\s*[?？]*\s*[)）]|[?？]+/gu

/** A name without the mapper's question marks and stray spaces; null when nothing is left. */
export function cleanPlaceName(name: string | null | undefined): string | null {
  if (!name) return null
  const cleaned = name.replace(DOUBT, '').replace(/\s+/gu, ' ').trim()
  return cleaned === '' ? null : cleaned
}

/** "3栋", "12号楼", "A座", "5幢", "7号" at the end of a name (ASCII or full-width digits). */
const NUMBER_AT_END = /([0-9０-９]+|[A-Za-zＡ-Ｚａ-ｚ])\s*(栋|幢|号楼|座|号|单元楼)$/u

function toHalfWidth(s: string): string {
  return s.replace(/[０-９Ａ-Ｚａ-ｚ]/gu, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0))
}

/**
 * The building's number as people say it ("3栋", "12号楼"), from its name; null when the name has
 * none. A bare number ("3") counts as "3栋".
 */
export function buildingNumber(name: string | null | undefined): string | null {
  const cleaned = cleanPlaceName(name)
  if (!cleaned) return null
  if (/^[0-9０-９]+$/u.test(cleaned)) return `${toHalfWidth(cleaned)}栋`
  const m = NUMBER_AT_END.exec(cleaned)
  if (!m) return null
  return `${toHalfWidth(m[1]!).toUpperCase()}${m[2]}`
}

/**
 * The short label of a building on the map: its number when it has one, else its cleaned name
 * without the compound's name in front; null when there is nothing readable.
 */
export function buildingLabel(place: BuildingPlace): string | null {
  const number = buildingNumber(place.name)
  if (number) return number
  const cleaned = cleanPlaceName(place.name)
  const compound = cleanPlaceName(place.compoundName)
  if (cleaned && compound && cleaned.startsWith(compound) && cleaned.length > compound.length) {
    return cleaned.slice(compound.length).trim()
  }
  return cleaned
}

/**
 * The readable address of a building: "光谷花园 3栋" (compound + number), the compound and the
 * building's own name when it has no number ("光谷花园 物业楼"), the cleaned name alone outside any
 * compound, "光谷花园 楼栋" when only the compound is known, and "未命名楼栋" / "Unnamed building"
 * when nothing is.
 */
export function readableAddress(place: BuildingPlace, locale: 'zh' | 'en' = 'zh'): string {
  const compound = cleanPlaceName(place.compoundName)
  const label = buildingLabel(place)
  if (compound && label) return label === compound ? compound : `${compound} ${label}`
  if (label) return label
  if (compound) return locale === 'en' ? `${compound}, building` : `${compound} 楼栋`
  return locale === 'en' ? 'Unnamed building' : '未命名楼栋'
}
