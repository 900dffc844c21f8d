/** Pure rules of the offline patrol phone (issue 10): failure classes, backoff, fixes kept, scanned codes. */
import { expect, test } from 'vitest'
import { ApiError } from '../web/api/client.ts'
import { codeFromScan } from '../web/domain/checkin-code.ts'
import { BASE_BACKOFF_MS, backoffMs, classify, MAX_BACKOFF_MS } from '../web/offline/sync.ts'
import { PHONE_RECORDING } from '../core/tracking.ts'
import { keepFix } from '../web/stores/duty.ts'

const http = (status: number, title = 'x', detail: string | null = null): ApiError => new ApiError({ status, title, detail, kind: 'http' })

test('failures: no answer and 408/429/5xx are retried, 401 asks to sign in, other 4xx are permanent', () => {
  expect(classify(new ApiError({ status: 0, title: 'Network error', kind: 'network' }))).toBe('offline')
  expect(classify(new ApiError({ status: 0, title: 'Request timed out', kind: 'timeout' }))).toBe('offline')
  expect(classify(http(401))).toBe('unauthorized')
  for (const s of [408, 429, 500, 502, 503, 504]) expect(classify(http(s))).toBe('transient')
  for (const s of [400, 404, 409, 413, 422]) expect(classify(http(s))).toBe('permanent')
  expect(classify(http(403, 'Forbidden', 'Missing or wrong CSRF token (send the X-CSRF-Token header).'))).toBe('csrf')
  expect(classify(http(403, 'Forbidden', 'The device belongs to a community you may not act in.'))).toBe('permanent')
  expect(classify(new ApiError({ status: 201, title: 'Invalid JSON from server', kind: 'parse' }))).toBe('transient')
})

test('backoff doubles from 5 s up to 5 min, with jitter', () => {
  expect(backoffMs(0, 0.5)).toBe(BASE_BACKOFF_MS)
  expect(backoffMs(1, 0.5)).toBe(2 * BASE_BACKOFF_MS)
  expect(backoffMs(3, 0.5)).toBe(8 * BASE_BACKOFF_MS)
  expect(backoffMs(30, 0.5)).toBe(MAX_BACKOFF_MS)
  expect(backoffMs(0, 0)).toBe(0.8 * BASE_BACKOFF_MS)
  expect(backoffMs(0, 1)).toBe(1.2 * BASE_BACKOFF_MS)
})

test('a fix is recorded when it is the first, moved 5 m, or 15 s later; never when it is a guess', () => {
  const at = { lon: 114.4, lat: 30.5, accuracy: 8, t: 1_000_000 }
  expect(keepFix(at, null)).toBe(true)
  expect(keepFix({ ...at, accuracy: PHONE_RECORDING.maxAccuracyM + 1 }, null)).toBe(false)
  expect(keepFix({ ...at, t: at.t + 2000, lat: at.lat + 0.00001 }, at)).toBe(false) // ~1 m
  expect(keepFix({ ...at, t: at.t + 2000, lat: at.lat + 0.0001 }, at)).toBe(true) // ~11 m
  expect(keepFix({ ...at, t: at.t + PHONE_RECORDING.minIntervalMs }, at)).toBe(true)
  expect(keepFix({ ...at, t: at.t }, at)).toBe(false)
})

test('the code of a scanned QR (the check-in URL) or a typed code', () => {
  expect(codeFromScan('https://safegrid.example/patrol/checkin?code=KP-000123')).toBe('KP-000123')
  expect(codeFromScan('/patrol/checkin?code=KP-000042')).toBe('KP-000042')
  expect(codeFromScan('  kp-000123 ')).toBe('KP-000123')
  expect(codeFromScan('KP-000123')).toBe('KP-000123')
  expect(codeFromScan('https://safegrid.example/patrol')).toBeNull()
  expect(codeFromScan('not a code!')).toBeNull()
  expect(codeFromScan('')).toBeNull()
})
