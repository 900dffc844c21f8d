/**
 * Issue 19 (the wall screen): the rules behind the header counters as filters, the search, the
 * relative time ranges and the alerts (which changes raise a flash), without a browser.
 */
import { describe, expect, test } from 'vitest'
import type { HazardFeature, HazardProperties } from '../web/api/types.ts'
import { countedBy, defaultFilters, matchesFilters, matchesText, timeRangeBounds } from '../web/stores/hazard-filters.ts'
import { hazardExportQuery } from '../web/domain/exports.ts'
import { newAlerts } from '../web/stores/wall.ts'
import { onDutyAt } from '../web/stores/on-duty.ts'
import type { DutySession } from '../web/api/plans.ts'

/** 2026-11-25 21:30 in Asia/Shanghai. */
const NOW = new Date('2026-11-25T21:30:00+08:00')

function hazard(id: number, p: Partial<HazardProperties> = {}): HazardFeature {
  return {
    type: 'Feature',
    id,
    geometry: { type: 'Point', coordinates: [114.4, 30.5] },
    // Every member the API answers (web/api/openapi-types.ts), then the test's own.
    properties: {
      id,
      communityId: 1,
      zoneId: 1,
      microGridId: null,
      buildingId: null,
      place: null,
      type: 'hazard',
      category: 'fire_lane_blocked',
      severity: 'minor',
      level: 'grid',
      source: 'patrol',
      escalations: 0,
      escalatedAt: null,
      unitId: null,
      unitName: null,
      contact: null,
      answer: null,
      answeredAt: null,
      rating: null,
      ratingComment: null,
      ratedAt: null,
      status: 'reported',
      description: '3栋楼道堆放纸箱',
      reportedAt: '2026-11-25T20:00:00+08:00',
      dueAt: '2026-11-28T20:00:00+08:00',
      respondedAt: null,
      closedAt: null,
      arrivedAt: null,
      arrivedBy: null,
      arrivalDistanceM: null,
      foundOnPatrol: false,
      fixedOnSpot: false,
      overdue: false,
      warning: false,
      slaUsed: null,
      assigneeId: null,
      assigneeName: null,
      reporterId: null,
      recurrenceOf: null,
      version: 1,
      updatedAt: '2026-11-25T20:00:00+08:00',
      ...p,
    },
  }
}

describe('relative time ranges', () => {
  test('last hour, today and tonight are read on the Asia/Shanghai clock', () => {
    expect(timeRangeBounds('hour', NOW)).toEqual([NOW.getTime() - 3_600_000, Infinity])
    expect(timeRangeBounds('today', NOW)[0]).toBe(Date.parse('2026-11-25T00:00:00+08:00'))
    expect(timeRangeBounds('tonight', NOW)).toEqual([Date.parse('2026-11-25T18:00:00+08:00'), Date.parse('2026-11-26T06:00:00+08:00')])
    // At 02:00 "tonight" is the night that began yesterday evening.
    const late = new Date('2026-11-26T02:00:00+08:00')
    expect(timeRangeBounds('tonight', late)).toEqual([Date.parse('2026-11-25T18:00:00+08:00'), Date.parse('2026-11-26T06:00:00+08:00')])
  })

  test('the since filter keeps only what was reported in the range', () => {
    const filters = { ...defaultFilters(), since: 'hour' as const }
    expect(matchesFilters(hazard(1, { reportedAt: '2026-11-25T21:00:00+08:00' }), filters, { now: NOW })).toBe(true)
    expect(matchesFilters(hazard(2, { reportedAt: '2026-11-25T20:00:00+08:00' }), filters, { now: NOW })).toBe(false)
    const tonight = { ...defaultFilters(), since: 'tonight' as const }
    expect(matchesFilters(hazard(3, { reportedAt: '2026-11-25T19:00:00+08:00' }), tonight, { now: NOW })).toBe(true)
    expect(matchesFilters(hazard(4, { reportedAt: '2026-11-25T17:59:00+08:00' }), tonight, { now: NOW })).toBe(false)
  })
})

describe('search', () => {
  test('a number finds exactly that matter; words are all required, in any field', () => {
    expect(matchesText(hazard(123), '123')).toBe(true)
    expect(matchesText(hazard(123), '#123')).toBe(true)
    expect(matchesText(hazard(1234), '123')).toBe(false)
    expect(matchesText(hazard(5), '纸箱')).toBe(true)
    expect(matchesText(hazard(5), '纸箱 第3网格', '第3网格 消防通道堵塞')).toBe(true)
    expect(matchesText(hazard(5), '纸箱 第4网格', '第3网格 消防通道堵塞')).toBe(false)
    expect(matchesText(hazard(5), '  ')).toBe(true)
  })
})

describe('header counters as filters', () => {
  test('each counter lets through exactly what it counts, closed ones too for closed today', () => {
    const closed = hazard(3, { status: 'verified', closedAt: '2026-11-25T10:00:00+08:00', reportedAt: '2026-11-20T10:00:00+08:00' })
    const overdue = hazard(4, { overdue: true, reportedAt: '2026-11-20T10:00:00+08:00' })
    const critical = hazard(5, { severity: 'critical' })
    expect(countedBy(closed, 'closedToday', NOW)).toBe(true)
    expect(countedBy(closed, 'open', NOW)).toBe(false)
    expect(countedBy(overdue, 'overdue', NOW)).toBe(true)
    expect(countedBy(overdue, 'reportedToday', NOW)).toBe(false)
    expect(countedBy(critical, 'critical', NOW)).toBe(true)
    expect(countedBy(critical, 'reportedToday', NOW)).toBe(true)
    // The counter replaces the status filter: "closed today" shows closed matters.
    expect(matchesFilters(closed, { ...defaultFilters(), counter: 'closedToday' }, { now: NOW })).toBe(true)
    expect(matchesFilters(closed, defaultFilters(), { now: NOW })).toBe(false)
  })

  test('the export asks the server for what a pressed counter shows', () => {
    const q = hazardExportQuery({ ...defaultFilters(), counter: 'critical' }, { now: NOW })
    expect(q.severity).toBe('critical')
    expect(q.status).not.toContain('verified')
    const today = hazardExportQuery({ ...defaultFilters(), counter: 'reportedToday' }, { now: NOW })
    expect(today.status).toBeUndefined()
    expect(today.from).toBe('2026-11-25T00:00:00+08:00')
  })
})

describe('alerts', () => {
  test('nothing on the first load; a new critical matter and a newly overdue one each raise one', () => {
    const before = [hazard(1), hazard(2, { severity: 'critical' })]
    expect(newAlerts(null, before)).toEqual([])
    const seen = new Map(before.map((f) => [String(f.id), { critical: f.properties.severity === 'critical', overdue: f.properties.overdue }]))
    const after = [hazard(1, { overdue: true }), hazard(2, { severity: 'critical' }), hazard(3, { severity: 'critical' }), hazard(4)]
    expect(newAlerts(seen, after).map((a) => [a.kind, a.feature.id])).toEqual([
      ['overdue', 1],
      ['critical', 3],
    ])
    // Closed matters never alert.
    expect(newAlerts(seen, [hazard(5, { severity: 'critical', status: 'verified' })])).toEqual([])
  })
})

describe('on duty', () => {
  test('people on duty at a moment: started before it, not stopped before it, each person once', () => {
    const session = (id: number, personId: number | null, startedAt: string, stoppedAt: string | null, communityId = 1): DutySession => ({
      id,
      communityId,
      personId,
      personName: null,
      deviceId: `dev-${id}`,
      startedAt,
      stoppedAt,
      open: stoppedAt === null,
      minutes: 0,
      distanceM: 0,
    })
    const sessions = [
      session(1, 7, '2026-11-25T19:00:00+08:00', null),
      session(2, 7, '2026-11-25T20:00:00+08:00', null),
      session(3, 8, '2026-11-25T18:00:00+08:00', '2026-11-25T21:00:00+08:00'),
      session(4, 9, '2026-11-25T21:45:00+08:00', null),
      session(5, null, '2026-11-25T20:00:00+08:00', '2026-11-25T22:00:00+08:00'),
      session(6, 10, '2026-11-25T20:00:00+08:00', null, 2),
    ]
    expect(onDutyAt(sessions, NOW, 1)).toBe(2)
    expect(onDutyAt(sessions, NOW)).toBe(3)
    expect(onDutyAt(sessions, new Date('2026-11-25T20:30:00+08:00'), 1)).toBe(3)
  })
})
