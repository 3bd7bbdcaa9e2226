/**
 * Throttling under concurrency (issue 7 item 7): an attempt is counted before its password is
 * verified, so a burst of concurrent guesses gets no more tries than the same guesses sent one
 * by one, and the right password is refused while the key is locked out.
 */
import { describe, expect, it } from 'vitest'
import { AttemptLimiter, LOGIN_LIMITS, Throttle } from '../../server/auth/throttle.js'
import { IdentityError } from '../../server/identity/errors.js'
import type { Service } from '../../server/service.js'
import { fetchAs, signInAs, TEST_PASSWORD } from '../helpers/auth.js'
import { startTestService } from '../helpers/server.js'

const login = (service: Service, email: string, password: string) =>
  fetchAs(service, null, 'POST', '/api/auth/login', { email, password })

const statuses = (results: Array<{ status: number }>): Record<number, number> => {
  const counts: Record<number, number> = {}
  for (const r of results) counts[r.status] = (counts[r.status] ?? 0) + 1
  return counts
}

describe('AttemptLimiter', () => {
  it('counts an attempt when it begins; a success resets the named keys and un-counts the others', () => {
    const limiter = new AttemptLimiter({
      a: new Throttle({ maxFailures: 2, windowMs: 60_000 }),
      b: new Throttle({ maxFailures: 3, windowMs: 60_000 })
    })
    const keys = { a: 'k', b: 'k' }
    const first = limiter.begin(keys, ['a'])
    limiter.begin(keys, ['a'])
    // Two attempts in flight: the third is refused before either is settled.
    expect(() => limiter.begin(keys, ['a'])).toThrowError(IdentityError)
    first.succeeded()
    first.succeeded()
    // `a` was reset; `b` lost only the successful attempt (one failure remains).
    expect(limiter.throttles.a.retryAfter('k')).toBe(0)
    limiter.begin(keys, ['a'])
    limiter.begin(keys, ['a'])
    try {
      limiter.begin(keys, ['a'])
      expect.unreachable()
    } catch (err) {
      expect(err).toMatchObject({ code: 'rate_limited' })
      expect((err as IdentityError).retryAfterSeconds).toBeGreaterThan(50)
    }
  })
})

describe('throttling under a concurrent burst', () => {
  it('40 concurrent wrong passwords: at most the limit get 401, the rest 429; the right one is refused', async () => {
    const service = await startTestService()
    const victim = await signInAs(service, 'team')
    const burst = await Promise.all(Array.from({ length: 40 }, () => login(service, victim.email!, 'wrong password')))
    const counts = statuses(burst)
    expect(counts[401] ?? 0).toBeLessThanOrEqual(LOGIN_LIMITS.perAccount.maxFailures)
    expect((counts[401] ?? 0) + (counts[429] ?? 0)).toBe(40)
    for (const r of burst) expect(r.body.error.code).toBe(r.status === 401 ? 'invalid_credentials' : 'rate_limited')
    const right = await login(service, victim.email!, TEST_PASSWORD)
    expect([right.status, right.body.error?.code]).toEqual([429, 'rate_limited'])
    expect(Number(right.headers.get('retry-after'))).toBeGreaterThan(800)
  })

  it('a burst mixing the right password in never lets more guesses through than the limit', async () => {
    const service = await startTestService()
    const victim = await signInAs(service, 'team')
    const guesses = Array.from({ length: 40 }, (_, i) => (i === 20 ? TEST_PASSWORD : `wrong password ${i}`))
    const burst = await Promise.all(guesses.map((p) => login(service, victim.email!, p)))
    const verified = burst.filter((r) => r.status !== 429)
    expect(verified.length).toBeLessThanOrEqual(LOGIN_LIMITS.perAccount.maxFailures)
  })

  it('a burst across many emails from one address stops at the per-address limit', async () => {
    const service = await startTestService()
    const burst = await Promise.all(
      Array.from({ length: 60 }, (_, i) => login(service, `nobody-${i}@example.com`, 'wrong password'))
    )
    const counts = statuses(burst)
    expect(counts[401]).toBe(LOGIN_LIMITS.perIp.maxFailures)
    expect(counts[429]).toBe(60 - LOGIN_LIMITS.perIp.maxFailures)
  })

  it('a successful sign-in un-counts itself: five right passwords at once do not lock the account', async () => {
    const service = await startTestService()
    const team = await signInAs(service, 'team')
    for (let round = 0; round < 3; round++) {
      const burst = await Promise.all(Array.from({ length: 5 }, () => login(service, team.email!, TEST_PASSWORD)))
      expect(burst.map((r) => r.status)).toEqual([200, 200, 200, 200, 200])
    }
  })

  it('changing the password: 40 concurrent wrong current passwords, then the right one is refused too', async () => {
    const service = await startTestService()
    const team = await signInAs(service, 'team')
    const change = (currentPassword: string) =>
      fetchAs(service, team, 'POST', '/api/auth/password', { currentPassword, newPassword: 'a brand new password' })
    const burst = await Promise.all(Array.from({ length: 40 }, () => change('wrong password')))
    const counts = statuses(burst)
    expect(counts[401] ?? 0).toBeLessThanOrEqual(5)
    expect((counts[401] ?? 0) + (counts[429] ?? 0)).toBe(40)
    const right = await change(TEST_PASSWORD)
    expect([right.status, right.body.error?.code]).toEqual([429, 'rate_limited'])
    // The password did not change, and the session still works.
    expect((await login(service, team.email!, TEST_PASSWORD)).status).toBe(200)
    expect((await fetchAs(service, team, 'GET', '/api/auth/me')).status).toBe(200)
  })
})
