import { describe, expect, test } from 'vitest'
import {
  checkTransition,
  nextStatuses,
  respondedInTime,
  responseMinutes,
  rolesFor,
  slaState,
  slaUsed,
  TRANSITIONS,
} from '../core/matter-machine.ts'
import { dueAt, STATUSES, type Status } from '../core/matters.ts'
import { ROLES, type Role } from '../core/roles.ts'

const LEADS: Role[] = ['admin', 'command', 'leader']
const EVERYONE: Role[] = [...ROLES]

/** Every move of the loop and who may make it, written out by hand from API.md and the brief. */
const EXPECTED: [Status, Status, Role[]][] = [
  ['reported', 'dispatched', LEADS],
  ['reopened', 'dispatched', LEADS],
  ['dispatched', 'rectifying', EVERYONE],
  ['rectifying', 'rectified', EVERYONE],
  ['rectified', 'verified', LEADS],
  ['rectified', 'reopened', LEADS],
  ['reported', 'rejected', LEADS],
  ['dispatched', 'rejected', LEADS],
  ['rectifying', 'rejected', LEADS],
  ['rectified', 'rejected', LEADS],
  ['reopened', 'rejected', LEADS],
]

/** The review of a resident's report (issue 15): only with `review: true` (POST /api/hazards/:id/review). */
const REVIEW_MOVES = ['pending_review→reported', 'pending_review→rejected']

const allowedPair = (from: Status, to: Status): boolean =>
  EXPECTED.some(([f, t]) => f === from && t === to) || (from === 'dispatched' && to === 'dispatched') || (from === 'rectifying' && to === 'dispatched') || REVIEW_MOVES.includes(`${from}→${to}`)

describe('transitions', () => {
  test('the machine holds exactly the moves of the contract (plus reassigning a dispatched hazard)', () => {
    const moves = TRANSITIONS.map((t) => `${t.from}→${t.to}`).sort()
    const expected = [...EXPECTED.map(([f, t]) => `${f}→${t}`), 'dispatched→dispatched', 'rectifying→dispatched', ...REVIEW_MOVES].sort()
    expect(moves).toEqual(expected)
  })

  test.each(EXPECTED.flatMap(([from, to, roles]) => ROLES.map((role) => [from, to, role, roles.includes(role)] as const)))(
    '%s → %s by %s: allowed = %s',
    (from, to, role, allowed) => {
      const verdict = checkTransition({ from, to, role, userId: 1, rectifiedBy: 2 })
      if (allowed) expect(verdict.ok).toBe(true)
      else expect(verdict).toMatchObject({ ok: false, status: 403 })
    },
  )

  test.each(STATUSES.flatMap((from) => STATUSES.filter((to) => !allowedPair(from, to)).map((to) => [from, to] as const)))(
    '%s → %s is not a move of the machine (409, whatever the role)',
    (from, to) => {
      for (const role of ROLES) {
        const verdict = checkTransition({ from, to, role, userId: 1 })
        expect(verdict).toMatchObject({ ok: false, status: 409 })
      }
    },
  )

  test('a matter in 整改中 is handed to someone else only by a lead and only to a different person (issue 19)', () => {
    expect(checkTransition({ from: 'rectifying', to: 'dispatched', role: 'leader', userId: 1, reassign: true }).ok).toBe(true)
    expect(checkTransition({ from: 'rectifying', to: 'dispatched', role: 'leader', userId: 1, reassign: false })).toMatchObject({ ok: false, status: 409 })
    expect(checkTransition({ from: 'rectifying', to: 'dispatched', role: 'patrol', userId: 1, reassign: true })).toMatchObject({ ok: false, status: 403 })
  })

  test('a resident report (待核实) leaves review only through the review, by admin or command (issue 15)', () => {
    for (const to of ['reported', 'rejected'] as const) {
      expect(checkTransition({ from: 'pending_review', to, role: 'command', userId: 1 })).toMatchObject({ ok: false, status: 409 })
      expect(checkTransition({ from: 'pending_review', to, role: 'command', userId: 1, review: true }).ok).toBe(true)
      expect(checkTransition({ from: 'pending_review', to, role: 'admin', userId: 1, review: true }).ok).toBe(true)
      expect(checkTransition({ from: 'pending_review', to, role: 'leader', userId: 1, review: true })).toMatchObject({ ok: false, status: 403 })
    }
    expect(checkTransition({ from: 'pending_review', to: 'dispatched', role: 'command', userId: 1, review: true })).toMatchObject({ ok: false, status: 409 })
  })

  test('closed states go nowhere', () => {
    expect(nextStatuses('verified')).toEqual([])
    expect(nextStatuses('rejected')).toEqual([])
  })

  test('the recheck by the person who rectified is refused with a reason', () => {
    const verdict = checkTransition({ from: 'rectified', to: 'verified', role: 'leader', userId: 7, rectifiedBy: 7 })
    expect(verdict.ok).toBe(false)
    if (!verdict.ok) {
      expect(verdict.status).toBe(403)
      expect(verdict.reason).toMatch(/someone other/)
    }
  })

  test('the rectifier may still reopen their own work', () => {
    expect(checkTransition({ from: 'rectified', to: 'reopened', role: 'leader', userId: 7, rectifiedBy: 7 }).ok).toBe(true)
  })

  test('a dispatched hazard is reassigned only to a different person', () => {
    expect(checkTransition({ from: 'dispatched', to: 'dispatched', role: 'leader', userId: 1, reassign: true }).ok).toBe(true)
    expect(checkTransition({ from: 'dispatched', to: 'dispatched', role: 'leader', userId: 1, reassign: false })).toMatchObject({ ok: false, status: 409 })
    expect(checkTransition({ from: 'dispatched', to: 'dispatched', role: 'patrol', userId: 1, reassign: true })).toMatchObject({ ok: false, status: 403 })
  })

  test('rolesFor names the roles of a move and none for a non-move', () => {
    expect([...rolesFor('rectified', 'verified')].sort()).toEqual([...LEADS].sort())
    expect(rolesFor('verified', 'reported')).toEqual([])
  })
})

describe('SLA', () => {
  // A minor hazard reported at 23:50 Shanghai time (15:50 UTC).
  const reportedAt = new Date('2026-03-01T23:50:00+08:00')
  const minor = { reportedAt, dueAt: dueAt(reportedAt, 'minor') }

  test('a minor hazard reported at 23:50 Shanghai time is due at 23:50 the next day', () => {
    expect(minor.dueAt.toISOString()).toBe(new Date('2026-03-02T23:50:00+08:00').toISOString())
  })

  test('major and critical hazards are due 3 and 5 days later, across month ends', () => {
    const late = new Date('2026-02-27T23:59:00+08:00')
    expect(dueAt(late, 'major').toISOString()).toBe(new Date('2026-03-02T23:59:00+08:00').toISOString())
    expect(dueAt(late, 'critical').toISOString()).toBe(new Date('2026-03-04T23:59:00+08:00').toISOString())
  })

  test('just after midnight Shanghai the hazard is still ok', () => {
    expect(slaState(minor, new Date('2026-03-02T00:10:00+08:00'))).toBe('ok')
  })

  test('the warning starts at exactly 80 % of the time used (19.2 h after the report)', () => {
    const boundary = new Date(reportedAt.getTime() + 0.8 * 86_400_000) // 2026-03-02 19:02 Shanghai
    expect(boundary.toISOString()).toBe(new Date('2026-03-02T19:02:00+08:00').toISOString())
    expect(slaState(minor, new Date(boundary.getTime() - 1000))).toBe('ok')
    expect(slaState(minor, boundary)).toBe('warning')
    expect(slaUsed(minor, boundary)).toBeCloseTo(0.8, 10)
  })

  test('at the due time it is still a warning; one second later it is overdue', () => {
    expect(slaState(minor, minor.dueAt)).toBe('warning')
    expect(slaState(minor, new Date(minor.dueAt.getTime() + 1000))).toBe('overdue')
    expect(slaUsed(minor, new Date(minor.dueAt.getTime() + 43_200_000))).toBeCloseTo(1.5, 10)
  })

  test('the clock stops at the close', () => {
    const closed = { ...minor, closedAt: new Date('2026-03-02T06:00:00+08:00') }
    expect(slaState(closed, new Date('2026-03-09T00:00:00+08:00'))).toBe('ok')
    expect(slaUsed(closed, new Date('2026-03-09T00:00:00+08:00'))).toBeCloseTo(6.1666 / 24, 3)
  })

  test('response minutes run from the report to the first rectifying; 7 minutes is on target', () => {
    expect(responseMinutes(reportedAt, null)).toBeNull()
    expect(responseMinutes(reportedAt, new Date('2026-03-01T23:57:00+08:00'))).toBe(7)
    expect(respondedInTime(reportedAt, new Date('2026-03-01T23:57:00+08:00'))).toBe(true)
    expect(respondedInTime(reportedAt, new Date('2026-03-01T23:57:01+08:00'))).toBe(false)
    // across midnight: 23:50 → 00:05 is 15 minutes
    expect(responseMinutes(reportedAt, new Date('2026-03-02T00:05:00+08:00'))).toBe(15)
  })
})
