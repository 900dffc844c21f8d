/** Areas are written one way everywhere (core/area.ts): m² below a hectare, 公顷/ha from one up. */
import { expect, test } from 'vitest'
import { formatArea, formatAreaChange, formatShare } from '../core/area.ts'

test('below one hectare: whole square metres with grouping', () => {
  expect(formatArea(0.4, 'zh')).toBe('0 m²')
  expect(formatArea(8520.4, 'zh')).toBe('8,520 m²')
  expect(formatArea(9999.4, 'en')).toBe('9,999 m²')
})

test('from one hectare up: hectares with at most two decimals, 公顷 in Chinese and ha in English', () => {
  expect(formatArea(10_000, 'zh')).toBe('1 公顷')
  expect(formatArea(13_456, 'zh')).toBe('1.35 公顷')
  expect(formatArea(2_500_000, 'en')).toBe('250 ha')
})

test('a change carries its sign; no change is ±0', () => {
  expect(formatAreaChange(320.2, 'zh')).toBe('+320 m²')
  expect(formatAreaChange(-12_000, 'zh')).toBe('−1.2 公顷')
  expect(formatAreaChange(0.3, 'en')).toBe('±0 m²')
})

test('a share is a percentage with one decimal', () => {
  expect(formatShare(0.1234, 'zh')).toBe('12.3%')
})
