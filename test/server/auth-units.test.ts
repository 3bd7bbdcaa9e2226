/**
 * Units of server/auth: login throttle windows, password hashes, WebSocket token signatures,
 * cookie parsing.
 */
import { describe, expect, it } from 'vitest'
import { readCookie } from '../../server/auth/cookies.js'
import { hashPassword, verifyPassword } from '../../server/auth/passwords.js'
import { Throttle } from '../../server/auth/throttle.js'
import { WS_TOKEN_TTL_MS, WsTokens } from '../../server/auth/ws-tokens.js'

describe('Throttle', () => {
  it('blocks after maxFailures within the window and says for how long', () => {
    const t = new Throttle({ maxFailures: 3, windowMs: 60_000 })
    const t0 = 1_000_000
    for (let i = 0; i < 3; i++) {
      expect(t.retryAfter('k', t0 + i)).toBe(0)
      t.fail('k', t0 + i * 1000)
    }
    expect(t.retryAfter('k', t0 + 2000)).toBe(58)
    expect(t.retryAfter('other', t0 + 2000)).toBe(0)
    // The oldest failure leaves the window: one more attempt is allowed.
    expect(t.retryAfter('k', t0 + 60_001)).toBe(0)
    t.reset('k')
    expect(t.retryAfter('k', t0 + 2000)).toBe(0)
  })
})

describe('passwords', () => {
  it('hash with a random salt and stored parameters; verify only the right password', async () => {
    const a = await hashPassword('correct horse')
    const b = await hashPassword('correct horse')
    expect(a).toMatch(/^scrypt\$32768\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/)
    expect(a).not.toBe(b)
    expect(await verifyPassword('correct horse', a)).toBe(true)
    expect(await verifyPassword('correct horsf', a)).toBe(false)
    for (const bad of ['', 'plain', 'scrypt$x$8$1$AA==$AA==', 'bcrypt$1$1$1$AA==$AA==']) expect(await verifyPassword('x', bad)).toBe(false)
  })
})

describe('WsTokens', () => {
  it('verifies only authentic, unexpired tokens for the same spec and key', () => {
    const tokens = new WsTokens('key-one')
    const now = Date.now()
    const { token, expiresAt } = tokens.issue('participant', 'spec-aaaa', now)
    expect(Date.parse(expiresAt) - now).toBe(WS_TOKEN_TTL_MS)
    expect(tokens.verify(token, 'spec-aaaa', now + 1000)).toBe('participant')
    expect(tokens.verify(token, 'spec-bbbb', now + 1000)).toBeNull()
    expect(tokens.verify(token, 'spec-aaaa', now + WS_TOKEN_TTL_MS)).toBeNull()
    expect(new WsTokens('key-two').verify(token, 'spec-aaaa', now)).toBeNull()
    const [body, sig] = token.split('.') as [string, string]
    const forged = Buffer.from(JSON.stringify({ p: 'someone-else', s: 'spec-aaaa', e: now + 60_000 })).toString('base64url')
    expect(tokens.verify(`${forged}.${sig}`, 'spec-aaaa', now)).toBeNull()
    for (const bad of ['', '.', 'a.b.c', `${body}.`, `${body}.${sig}.x`]) expect(tokens.verify(bad, 'spec-aaaa', now)).toBeNull()
  })
})

describe('readCookie', () => {
  it('finds one cookie among many and tolerates junk', () => {
    expect(readCookie('a=1; valence_session=abc%3D; b=2', 'valence_session')).toBe('abc=')
    expect(readCookie('valence_sessionx=1; x=valence_session', 'valence_session')).toBeNull()
    expect(readCookie(undefined, 'valence_session')).toBeNull()
    expect(readCookie('valence_session=%E0%A4%A', 'valence_session')).toBeNull()
  })
})
