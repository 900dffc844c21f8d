/** A position the phone reports once (`accuracy` in metres, null when the browser gives none). */
export interface PhonePosition {
  lon: number
  lat: number
  accuracy: number | null
}

/**
 * The phone's position now, or null when there is no geolocation or it is refused or times out
 * (15 s). `maxAgeMs`: how old a cached fix may be.
 */
export function currentPosition(maxAgeMs: number): Promise<PhonePosition | null> {
  return new Promise((resolve) => {
    const geo = globalThis.navigator?.geolocation
    if (!geo) return resolve(null)
    geo.getCurrentPosition(
      (p) => resolve({ lon: p.coords.longitude, lat: p.coords.latitude, accuracy: Number.isFinite(p.coords.accuracy) ? p.coords.accuracy : null }),
      () => resolve(null),
      { enableHighAccuracy: true, timeout: 15_000, maximumAge: maxAgeMs },
    )
  })
}
