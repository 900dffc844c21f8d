/**
 * Issue 18, item 5 — sign-in cannot be bypassed or used to lock people out: one throttle per
 * (account, address) with backoff, shared by `POST /api/auth/login` and HTTP Basic on
 * `/api/owntracks`; a cap per address; no lock of an account as a whole; one password hash per
 * attempt whether the account exists or not.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { SIGN_IN_LIMITS, SignInThrottle } from '../server/auth/throttle.ts'
import { passwordChecks } from '../server/domain/password.ts'
import { rawRequest } from './helpers/http.ts'
import { recordFigure } from './helpers/latency.ts'
import { startTestServer, type TestServer } from './helpers/server.ts'

let server: TestServer

// Backoff from the fourth failure, a minute long: the throttled attempts below never race the clock.
const LIMITS = { ...SIGN_IN_LIMITS, freeFailures: 3, baseBackoffMs: 60_000 }

beforeAll(async () => {
  server = await startTestServer({ signIn: new SignInThrottle(LIMITS) })
})

afterAll(async () => {
  await server?.close()
})

const basic = (username: string, password: string) => `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`
const location = JSON.stringify({ _type: 'location', lat: 30.5, lon: 114.4, tst: Math.floor(Date.now() / 1000), tid: 'ZZ' })

/** `POST /api/auth/login` from a chosen loopback address. */
const login = (username: string, password: string, from = '127.0.0.1') =>
  rawRequest(server.url, '/api/auth/login', { method: 'POST', body: JSON.stringify({ username, password }), localAddress: from })

/** `POST /api/owntracks` with Basic credentials from a chosen loopback address. */
const owntracks = (username: string, password: string, from = '127.0.0.1') =>
  rawRequest(server.url, '/api/owntracks', { method: 'POST', body: location, headers: { authorization: basic(username, password) }, localAddress: from })

describe('one throttle for both sign-in paths', () => {
  test('an account throttled at /api/auth/login is throttled for HTTP Basic too (429, not signed in)', async () => {
    for (let i = 0; i < 3; i++) expect((await login('patrol', `wrong-${i}`, '127.0.0.11')).status).toBe(401)
    const res = await owntracks('patrol', 'demo', '127.0.0.11')
    expect(res.status).toBe(429)
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0)
  })

  test('failures over HTTP Basic count at /api/auth/login', async () => {
    for (let i = 0; i < 3; i++) expect((await owntracks('leader', `wrong-${i}`, '127.0.0.12')).status).toBe(401)
    expect((await login('leader', 'demo', '127.0.0.12')).status).toBe(429)
  })

  test('HTTP Basic is held to the per-address cap like the login form', async () => {
    for (let i = 0; i < 30; i++) expect((await owntracks(`nobody-${i}`, 'x', '127.0.0.13')).status).toBe(401)
    expect((await owntracks('command', 'demo', '127.0.0.13')).status).toBe(429)
    expect((await login('command', 'demo', '127.0.0.13')).status).toBe(429)
  })
})

describe('nobody can lock an account out', () => {
  test('wrong passwords for ADMIN from one address leave admin signing in from another', async () => {
    for (let i = 0; i < 3; i++) expect((await login('ADMIN', `wrong-${i}`, '127.0.0.14')).status).toBe(401)
    expect((await login('ADMIN', 'wrong-again', '127.0.0.14')).status).toBe(429)
    expect((await login('admin', 'demo', '127.0.0.14')).status).toBe(429)
    expect((await login('admin', 'demo', '127.0.0.15')).status).toBe(200)
    expect((await owntracks('admin', 'demo', '127.0.0.15')).status).toBe(200)
  })
})

describe('backoff', () => {
  test('five free failures per (account, address), then 1 s, 2 s, 4 s … up to 15 min, forgotten after', () => {
    const t = new SignInThrottle()
    const now = 1_000_000_000
    for (let i = 0; i < 5; i++) t.fail('admin', '10.0.0.1', now)
    expect(t.retryAfter('admin', '10.0.0.1', now)).toBe(1)
    expect(t.retryAfter('admin', '10.0.0.1', now + 1000)).toBe(0)
    expect(t.retryAfter('ADMIN', '10.0.0.2', now)).toBe(0)
    expect(t.retryAfter('planner', '10.0.0.1', now)).toBe(0)
    t.fail('admin', '10.0.0.1', now + 1000)
    expect(t.retryAfter('admin', '10.0.0.1', now + 1000)).toBe(2)
    for (let i = 0; i < 20; i++) t.fail('admin', '10.0.0.1', now + 2000)
    expect(t.retryAfter('admin', '10.0.0.1', now + 2000)).toBe(15 * 60)
    expect(t.retryAfter('admin', '10.0.0.1', now + 2000 + 15 * 60_000 + 1)).toBe(0)
  })

  test('a success clears that (account, address)', () => {
    const t = new SignInThrottle()
    for (let i = 0; i < 6; i++) t.fail('leader', '10.0.0.1', 0)
    t.succeed('LEADER', '10.0.0.1')
    expect(t.retryAfter('leader', '10.0.0.1', 0)).toBe(0)
  })
})

describe('timing does not tell which accounts exist', () => {
  test('an unknown username costs one password hash, like a known one with a wrong password (both paths)', async () => {
    const checks = async (send: () => Promise<{ status: number }>): Promise<number> => {
      const before = passwordChecks()
      expect((await send()).status).toBe(401)
      return passwordChecks() - before
    }
    expect(await checks(() => owntracks('no-such-user', 'x', '127.0.0.16'))).toBe(1)
    expect(await checks(() => owntracks('planner', 'wrong', '127.0.0.16'))).toBe(1)
    expect(await checks(() => login('no-such-user', 'x', '127.0.0.16'))).toBe(1)
    expect(await checks(() => login('planner', 'wrong', '127.0.0.16'))).toBe(1)
  })

  test('records the time of an unknown and a known username over HTTP Basic (figure for docs/reliability.md)', async () => {
    const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
    const time = async (username: string, from: string): Promise<number> => {
      const started = performance.now()
      await owntracks(username, 'wrong', from)
      return performance.now() - started
    }
    const unknown: number[] = []
    const known: number[] = []
    for (let i = 0; i < 4; i++) {
      unknown.push(await time(`ghost-${i}`, `127.0.1.${i + 1}`))
      known.push(await time('planner', `127.0.2.${i + 1}`))
    }
    const figure = { backend: server.backend, unknownMedianMs: Math.round(median(unknown)), knownMedianMs: Math.round(median(known)) }
    await recordFigure(`sign-in-timing-${server.backend}`, figure)
    expect(unknown.length).toBe(4)
  })
})
