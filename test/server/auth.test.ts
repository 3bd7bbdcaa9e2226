/**
 * Team accounts over HTTP: first run, sign-in, cookies, CSRF, throttling, sign-out, passwords
 * kept out of storage and logs, team sign-up links, role changes and deactivation.
 */
import fs from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { createLogger } from '../../server/observability/logger.js'
import type { Service } from '../../server/service.js'
import { fetchAs, signInAs, TEST_PASSWORD, type Caller } from '../helpers/auth.js'
import { createSpec, startTestService, tempDir } from '../helpers/server.js'

/** A logger at trace level whose output the test can read. */
function capturedLog() {
  const lines: string[] = []
  return { log: createLogger('trace', { write: (s: string) => void lines.push(s) }), lines }
}

async function login(service: Service, email: string, password: string, headers: Record<string, string> = {}) {
  const res = await fetch(`${service.url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ email, password })
  })
  const setCookie = res.headers.getSetCookie().find((c) => c.startsWith('valence_session=')) ?? null
  const body = (await res.json()) as any
  const caller: Caller = setCookie ? { cookie: setCookie.split(';')[0]!, csrfToken: body.csrfToken as string } : null
  return { status: res.status, body, setCookie, caller, headers: res.headers }
}

describe('first run', () => {
  it('prints one setup link; the link creates the first facilitator once and signs them in', async () => {
    const { log, lines } = capturedLog()
    const service = await startTestService({}, { log })
    const setupLines = lines.filter((l) => l.includes('/setup?token='))
    expect(setupLines).toHaveLength(1)
    const token = /setup\?token=([A-Za-z0-9_-]+)/.exec(setupLines[0]!)![1]!
    expect(setupLines[0]).toContain(`${service.url}/setup?token=`)
    expect((await fetchAs(service, null, 'GET', '/api/auth/setup-status')).body).toEqual({ needsSetup: true })

    const body = { token: 'x'.repeat(43), email: 'Boss@Example.com', password: 'a long password', displayName: 'Boss' }
    expect((await fetchAs(service, null, 'POST', '/api/auth/setup', body)).body.error.code).toBe('invalid_setup_token')
    const res = await fetch(`${service.url}/api/auth/setup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...body, token })
    })
    expect(res.status).toBe(201)
    const me = (await res.json()) as any
    expect(me.me).toMatchObject({ role: 'facilitator', kind: 'account', email: 'boss@example.com', displayName: 'Boss' })
    expect(me.permissions).toContain('member:manage')
    expect(res.headers.getSetCookie().some((c) => c.startsWith('valence_session='))).toBe(true)
    expect((await fetchAs(service, null, 'GET', '/api/auth/setup-status')).body).toEqual({ needsSetup: false })
    const again = await fetchAs(service, null, 'POST', '/api/auth/setup', { ...body, token, email: 'second@example.com' })
    expect([again.status, again.body.error.code]).toEqual([409, 'setup_done'])
    expect((await login(service, 'boss@example.com', 'a long password')).status).toBe(200)
  })

  it('ADMIN_EMAIL/ADMIN_PASSWORD create the facilitator at startup, once; no setup link', async () => {
    const dataDir = tempDir()
    const admin = { email: 'ops@example.com', password: 'operator password', displayName: 'Ops' }
    const { log, lines } = capturedLog()
    const first = await startTestService({ storage: 'sqlite', dataDir, admin }, { log })
    expect(lines.some((l) => l.includes('/setup?token='))).toBe(false)
    expect((await login(first, 'OPS@example.com', 'operator password')).body.me).toMatchObject({ role: 'facilitator', displayName: 'Ops' })
    await first.stop()
    const second = await startTestService({ storage: 'sqlite', dataDir, admin: { ...admin, password: 'other password' } })
    expect(await second.storage.identity.countAccounts()).toBe(1)
    expect((await login(second, 'ops@example.com', 'operator password')).status).toBe(200)
  })
})

describe('sessions', () => {
  it('sign-in sets an httpOnly, SameSite=Lax, Path=/ cookie; Secure only behind HTTPS with TRUST_PROXY', async () => {
    const service = await startTestService()
    const f = await signInAs(service, 'facilitator')
    const plain = await login(service, f.email!, TEST_PASSWORD)
    expect(plain.status).toBe(200)
    expect(plain.body.me.participantId).toBe(f.principal.participantId)
    const flags = plain.setCookie!.split(';').map((s) => s.trim().toLowerCase())
    expect(flags).toEqual(expect.arrayContaining(['httponly', 'samesite=lax', 'path=/']))
    expect(flags).not.toContain('secure')
    // Without TRUST_PROXY a forged X-Forwarded-Proto changes nothing.
    const forged = await login(service, f.email!, TEST_PASSWORD, { 'x-forwarded-proto': 'https' })
    expect(forged.setCookie!.toLowerCase()).not.toContain('secure')

    const proxied = await startTestService({ trustProxy: true })
    const g = await signInAs(proxied, 'team')
    const https = await login(proxied, g.email!, TEST_PASSWORD, { 'x-forwarded-proto': 'https' })
    expect(https.setCookie!.split(';').map((s) => s.trim().toLowerCase())).toEqual(
      expect.arrayContaining(['httponly', 'samesite=lax', 'path=/', 'secure'])
    )
  })

  it('GET /api/auth/me describes the caller, its CSRF token and its permissions', async () => {
    const service = await startTestService()
    expect((await fetchAs(service, null, 'GET', '/api/auth/me')).status).toBe(401)
    const team = await signInAs(service, 'team', { displayName: 'Tess' })
    const me = await fetchAs(service, team, 'GET', '/api/auth/me')
    expect(me.body).toEqual({
      me: { participantId: team.principal.participantId, displayName: 'Tess', role: 'team', kind: 'account', email: team.email },
      csrfToken: team.csrfToken,
      // spec:export: the route also asks that a facilitator allowed the team to export (exports-http.test.ts).
      permissions: ['spec:list', 'spec:read', 'spec:write', 'spec:review', 'spec:comment', 'spec:resolve-any', 'spec:restore', 'spec:export']
    })
  })

  it('CSRF: cookie requests that change state need X-CSRF-Token; bearer requests do not', async () => {
    const service = await startTestService()
    const f = await signInAs(service, 'facilitator')
    const post = (headers: Record<string, string>) =>
      fetch(`${service.url}/api/specs`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', cookie: f.cookie, ...headers },
        body: JSON.stringify({ title: 'CSRF' })
      })
    const attempts: Array<Record<string, string>> = [{}, { 'x-csrf-token': 'wrong' }, { 'x-csrf-token': '' }]
    for (const headers of attempts) {
      const res = await post(headers)
      expect(res.status).toBe(403)
      expect(((await res.json()) as any).error.code).toBe('csrf_failed')
    }
    expect(await service.storage.specs.list()).toEqual([])
    expect((await post({ 'x-csrf-token': f.csrfToken })).status).toBe(201)
    const created = await fetchAs(service, f, 'POST', '/api/tokens', { name: 'bot', role: 'facilitator' })
    const bearer = await fetch(`${service.url}/api/specs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${created.body.secret}` },
      body: JSON.stringify({ title: 'By bot' })
    })
    expect(bearer.status).toBe(201)
    // Logout is a state change too.
    expect((await fetch(`${service.url}/api/auth/logout`, { method: 'POST', headers: { cookie: f.cookie } })).status).toBe(403)
  })

  it('sign-in forms accept only JSON bodies (no cross-site form posts)', async () => {
    const service = await startTestService()
    const f = await signInAs(service, 'facilitator')
    const res = await fetch(`${service.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: JSON.stringify({ email: f.email, password: TEST_PASSWORD })
    })
    expect(res.status).toBe(415)
  })

  it('sign-in is throttled after 5 failures per email and IP, with Retry-After', async () => {
    const service = await startTestService()
    const f = await signInAs(service, 'team')
    for (let i = 0; i < 5; i++) expect((await login(service, f.email!, 'wrong password')).status).toBe(401)
    const blocked = await login(service, f.email!, TEST_PASSWORD)
    expect(blocked.status).toBe(429)
    expect(blocked.body.error.code).toBe('rate_limited')
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(800)
    // Another account from the same address is not locked by these failures.
    const g = await signInAs(service, 'team')
    expect((await login(service, g.email!, TEST_PASSWORD)).status).toBe(200)
    // Unknown emails fail the same way as wrong passwords.
    expect((await login(service, 'nobody@example.com', 'whatever')).body.error.code).toBe('invalid_credentials')
  })

  it('logout ends the session on the server: the old cookie is refused afterwards', async () => {
    const service = await startTestService()
    const f = await signInAs(service, 'facilitator')
    const session = await login(service, f.email!, TEST_PASSWORD)
    const changed: string[][] = []
    service.auth.events.on((ids) => changed.push(ids))
    expect((await fetchAs(service, session.caller, 'GET', '/api/auth/me')).status).toBe(200)
    const out = await fetch(`${service.url}/api/auth/logout`, {
      method: 'POST',
      headers: { cookie: session.setCookie!.split(';')[0]!, 'x-csrf-token': session.body.csrfToken }
    })
    expect(out.status).toBe(204)
    expect(out.headers.getSetCookie().join()).toMatch(/valence_session=;/)
    expect((await fetchAs(service, session.caller, 'GET', '/api/auth/me')).status).toBe(401)
    expect((await fetchAs(service, session.caller, 'GET', '/api/specs')).status).toBe(401)
    expect(changed).toEqual([[f.principal.participantId]])
    // The other session of the same account is untouched.
    expect((await fetchAs(service, f, 'GET', '/api/auth/me')).status).toBe(200)
  })

  it('changing the password ends every other session', async () => {
    const service = await startTestService()
    const f = await signInAs(service, 'team')
    const other = await login(service, f.email!, TEST_PASSWORD)
    const wrong = await fetchAs(service, f, 'POST', '/api/auth/password', { currentPassword: 'nope', newPassword: 'brand new password' })
    expect(wrong.body.error.code).toBe('invalid_credentials')
    const res = await fetch(`${service.url}/api/auth/password`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: f.cookie, 'x-csrf-token': f.csrfToken },
      body: JSON.stringify({ currentPassword: TEST_PASSWORD, newPassword: 'brand new password' })
    })
    expect(res.status).toBe(200)
    expect(res.headers.getSetCookie().some((c) => c.startsWith('valence_session='))).toBe(true)
    expect((await fetchAs(service, other.caller, 'GET', '/api/auth/me')).status).toBe(401)
    expect((await fetchAs(service, f, 'GET', '/api/auth/me')).status).toBe(401)
    expect((await login(service, f.email!, 'brand new password')).status).toBe(200)
  })

  it('never stores or logs a password in clear', async () => {
    const dataDir = tempDir()
    const { log, lines } = capturedLog()
    const service = await startTestService({ storage: 'sqlite', dataDir, logLevel: 'trace' }, { log })
    const token = /setup\?token=([A-Za-z0-9_-]+)/.exec(lines.join('\n'))![1]!
    const secrets = ['first-Secret-Passw0rd', 'second-Secret-Passw0rd', 'third-Secret-Passw0rd', 'wrong-Secret-Passw0rd']
    const setup = await fetchAs(service, null, 'POST', '/api/auth/setup', { token, email: 'f@example.com', password: secrets[0], displayName: 'F' })
    expect(setup.status).toBe(201)
    expect((await login(service, 'f@example.com', secrets[3]!)).status).toBe(401)
    const f = (await login(service, 'f@example.com', secrets[0]!)).caller
    const invite = await fetchAs(service, f, 'POST', '/api/members/invites', { email: 't@example.com', displayName: 'T', role: 'team' })
    expect((await fetchAs(service, null, 'POST', '/api/auth/signup', { token: invite.body.token, password: secrets[1] })).status).toBe(201)
    const t = (await login(service, 't@example.com', secrets[1]!)).caller
    expect((await fetchAs(service, t, 'POST', '/api/auth/password', { currentPassword: secrets[1], newPassword: secrets[2] })).status).toBe(200)
    // Something that logs a password field by mistake is redacted too.
    service.log.info({ password: secrets[0], body: { password: secrets[1] } }, 'careless')
    await service.stop()
    // Every file under the data folder (exports/ included), however deep.
    const files = fs.readdirSync(dataDir, { recursive: true, encoding: 'utf8' }).map((f) => path.join(dataDir, f)).filter((f) => fs.statSync(f).isFile())
    const bytes = files.map((f) => fs.readFileSync(f).toString('latin1')).join('')
    expect(bytes.length).toBeGreaterThan(0)
    const logText = lines.join('')
    expect(logText).toContain('careless')
    for (const secret of secrets) {
      expect(bytes.includes(secret), `database contains ${secret}`).toBe(false)
      expect(logText.includes(secret), `log contains ${secret}`).toBe(false)
    }
    expect(bytes).toContain('scrypt$')
  })
})

describe('team members', () => {
  it('a facilitator invites a team member, who signs up once with the link', async () => {
    const service = await startTestService()
    const f = await signInAs(service, 'facilitator')
    const created = await fetchAs(service, f, 'POST', '/api/members/invites', { email: 'New@Example.com', displayName: 'Newt', role: 'team' })
    expect(created.status).toBe(201)
    expect(created.body.url).toBe(`${service.url}/signup?token=${created.body.token}`)
    expect(JSON.stringify(created.body.invite)).not.toContain('tokenHash')
    const preview = await fetchAs(service, null, 'GET', `/api/auth/signup/${created.body.token}`)
    expect(preview.body).toEqual({ email: 'new@example.com', displayName: 'Newt', role: 'team', purpose: 'signup' })
    const signup = await fetchAs(service, null, 'POST', '/api/auth/signup', { token: created.body.token, password: 'short' })
    expect(signup.status).toBe(400)
    const ok = await fetchAs(service, null, 'POST', '/api/auth/signup', { token: created.body.token, password: 'long enough pw' })
    expect(ok.status).toBe(201)
    expect(ok.body.me).toMatchObject({ role: 'team', displayName: 'Newt', email: 'new@example.com' })
    const reused = await fetchAs(service, null, 'POST', '/api/auth/signup', { token: created.body.token, password: 'long enough pw' })
    expect([reused.status, reused.body.error.code]).toEqual([410, 'signup_used'])
    expect((await fetchAs(service, null, 'GET', `/api/auth/signup/${'x'.repeat(43)}`)).status).toBe(404)
    const dup = await fetchAs(service, f, 'POST', '/api/members/invites', { email: 'new@example.com', displayName: 'N', role: 'team' })
    expect([dup.status, dup.body.error.code]).toEqual([409, 'email_taken'])
    const list = await fetchAs(service, f, 'GET', '/api/members')
    expect(list.body.members.map((m: any) => m.email)).toContain('new@example.com')
  })

  it('role changes and deactivation take effect at once and never remove the last facilitator', async () => {
    const service = await startTestService()
    const f = await signInAs(service, 'facilitator')
    const t = await signInAs(service, 'team')
    const changed: string[][] = []
    service.auth.events.on((ids) => changed.push(ids))
    const fid = f.principal.participantId
    const tid = t.principal.participantId
    const self = await fetchAs(service, f, 'PATCH', `/api/members/${fid}`, { role: 'team' })
    expect([self.status, self.body.error.code]).toEqual([409, 'last_facilitator'])
    expect((await fetchAs(service, f, 'DELETE', `/api/members/${fid}`)).body.error.code).toBe('last_facilitator')
    const promoted = await fetchAs(service, f, 'PATCH', `/api/members/${tid}`, { role: 'facilitator' })
    expect(promoted.body.member).toMatchObject({ participantId: tid, role: 'facilitator', active: true })
    expect((await fetchAs(service, t, 'GET', '/api/members')).status).toBe(200)
    expect((await fetchAs(service, t, 'PATCH', `/api/members/${tid}`, { role: 'team' })).status).toBe(200)
    expect((await fetchAs(service, t, 'GET', '/api/members')).status).toBe(403)
    expect((await fetchAs(service, f, 'DELETE', `/api/members/${tid}`)).status).toBe(204)
    expect((await fetchAs(service, t, 'GET', '/api/auth/me')).status).toBe(401)
    expect((await login(service, t.email!, TEST_PASSWORD)).status).toBe(401)
    // Promotion, demotion, deactivation: each makes the sync layer re-check that person's sockets.
    expect(changed).toEqual([[tid], [tid], [tid]])
    expect((await fetchAs(service, f, 'PATCH', `/api/members/${tid}`, { active: true })).body.member.active).toBe(true)
    expect((await login(service, t.email!, TEST_PASSWORD)).status).toBe(200)
    expect((await fetchAs(service, f, 'PATCH', '/api/members/unknown-member', { role: 'team' })).status).toBe(404)
    expect((await fetchAs(service, f, 'PATCH', `/api/members/${tid}`, { role: 'customer' })).status).toBe(400)
  })

  it('issues WebSocket tokens only for specs the caller can read', async () => {
    const service = await startTestService()
    const spec = await createSpec(service)
    const other = await createSpec(service)
    const c = await signInAs(service, 'customer', { panelSpecIds: [spec] })
    const ok = await fetchAs(service, c, 'POST', '/api/auth/ws-token', { specId: spec })
    expect(ok.status).toBe(200)
    expect(Date.parse(ok.body.expiresAt) - Date.now()).toBeLessThanOrEqual(5 * 60 * 1000)
    expect(service.auth.wsTokens.verify(ok.body.token, spec)).toBe(c.principal.participantId)
    expect(service.auth.wsTokens.verify(ok.body.token, other)).toBeNull()
    expect((await fetchAs(service, c, 'POST', '/api/auth/ws-token', { specId: other })).status).toBe(404)
    expect((await fetchAs(service, c, 'POST', '/api/auth/ws-token', { specId: 'missing-spec-1' })).status).toBe(404)
    expect((await fetchAs(service, null, 'POST', '/api/auth/ws-token', { specId: spec })).status).toBe(401)
  })
})
