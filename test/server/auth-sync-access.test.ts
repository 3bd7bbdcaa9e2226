/**
 * The SyncAccess implementation (server/auth/sync-access.ts): which credentials authenticate a
 * WebSocket upgrade, the Origin rule for cookies, short-lived tokens, per-spec roles, re-checks.
 */
import type { IncomingMessage } from 'node:http'
import { describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { createSyncAccess } from '../../server/auth/sync-access.js'
import { WS_TOKEN_TTL_MS } from '../../server/auth/ws-tokens.js'
import type { Service } from '../../server/service.js'
import { fetchAs, signInAs, tokenAs } from '../helpers/auth.js'
import { createSpec, startTestService } from '../helpers/server.js'

/** A minimal upgrade request. */
function upgrade(path: string, headers: Record<string, string> = {}, host = 'valence.test:3000'): IncomingMessage {
  return { url: path, headers: { host, ...headers }, socket: {} } as unknown as IncomingMessage
}

async function setup(config: Parameters<typeof startTestService>[0] = {}) {
  const service = await startTestService(config)
  const spec = await createSpec(service)
  return { service, spec, access: createSyncAccess(service.auth) }
}

/** Opens a real WebSocket and reports the HTTP status of a refused upgrade (or 101). */
function upgradeStatus(service: Service, path: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(service.url.replace(/^http/, 'ws') + path, { headers })
    ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0))
    ws.once('open', () => {
      ws.close()
      resolve(101)
    })
    ws.once('error', reject)
  })
}

describe('SyncAccess', () => {
  it('accepts the session cookie only from the own origin', async () => {
    const { service, spec, access } = await setup()
    const team = await signInAs(service, 'team')
    const own = await access.authenticate(upgrade(`/ws/${spec}`, { cookie: team.cookie, origin: 'http://valence.test:3000' }), spec)
    expect(own).toMatchObject({ ok: true, access: 'write', principal: { participantId: team.principal.participantId, role: 'team' } })
    for (const origin of ['http://evil.example', 'https://valence.test:3000', 'null']) {
      const foreign = await access.authenticate(upgrade(`/ws/${spec}`, { cookie: team.cookie, origin }), spec)
      expect(foreign).toMatchObject({ ok: false, status: 403, code: 'origin_forbidden' })
    }
    expect(await access.authenticate(upgrade(`/ws/${spec}`, { cookie: team.cookie }), spec)).toMatchObject({ ok: false, status: 403 })
    expect(await access.authenticate(upgrade(`/ws/${spec}`, { origin: 'http://valence.test:3000' }), spec)).toMatchObject({
      ok: false,
      status: 401,
      code: 'unauthenticated'
    })
    const stale = await access.authenticate(upgrade(`/ws/${spec}`, { cookie: 'valence_session=stale', origin: 'http://valence.test:3000' }), spec)
    expect(stale).toMatchObject({ ok: false, status: 401 })
  })

  it('derives the own origin from PUBLIC_URL, or from X-Forwarded-Proto behind a trusted proxy', async () => {
    const pub = await setup({ publicUrl: 'https://specs.example.com' })
    const a = await signInAs(pub.service, 'team')
    const ok = await pub.access.authenticate(upgrade(`/ws/${pub.spec}`, { cookie: a.cookie, origin: 'https://specs.example.com' }), pub.spec)
    expect(ok.ok).toBe(true)
    const hostOnly = await pub.access.authenticate(upgrade(`/ws/${pub.spec}`, { cookie: a.cookie, origin: 'http://valence.test:3000' }), pub.spec)
    expect(hostOnly.ok).toBe(false)

    const proxied = await setup({ trustProxy: true })
    const b = await signInAs(proxied.service, 'team')
    const headers = { cookie: b.cookie, origin: 'https://valence.test:3000', 'x-forwarded-proto': 'https' }
    expect((await proxied.access.authenticate(upgrade(`/ws/${proxied.spec}`, headers), proxied.spec)).ok).toBe(true)
  })

  it('accepts short-lived tokens for their own spec only, and API tokens in the Authorization header', async () => {
    const { service, spec, access } = await setup()
    const other = await createSpec(service)
    const viewer = await signInAs(service, 'viewer', { panelSpecIds: [spec, other] })
    const token = viewer.wsToken(spec)
    expect(await access.authenticate(upgrade(`/ws/${spec}?v=1&token=${token}`), spec)).toMatchObject({
      ok: true,
      access: 'read',
      principal: { role: 'viewer', kind: 'invitee' }
    })
    expect(await access.authenticate(upgrade(`/ws/${other}?token=${token}`), other)).toMatchObject({ ok: false, status: 401, code: 'invalid_token' })
    const [body, sig] = token.split('.')
    const tampered = `${body}x.${sig}`
    expect((await access.authenticate(upgrade(`/ws/${spec}?token=${tampered}`), spec)).ok).toBe(false)
    const expired = service.auth.wsTokens.issue(viewer.principal.participantId, spec, Date.now() - WS_TOKEN_TTL_MS - 1).token
    expect(await access.authenticate(upgrade(`/ws/${spec}?token=${expired}`), spec)).toMatchObject({ ok: false, status: 401 })

    const bot = await tokenAs(service, 'team')
    expect(await access.authenticate(upgrade(`/ws/${spec}`, { authorization: `Bearer ${bot.secret}` }), spec)).toMatchObject({
      ok: true,
      access: 'write',
      principal: { kind: 'token', role: 'team', participantId: bot.id }
    })
    expect(await access.authenticate(upgrade(`/ws/${spec}`, { authorization: 'Bearer nope' }), spec)).toMatchObject({ ok: false, status: 401 })
  })

  it('authorizes per spec: other panels are refused, the role shown is the one held on that spec', async () => {
    const { service, spec, access } = await setup()
    const specB = await createSpec(service)
    const cust = await signInAs(service, 'customer', { panelSpecIds: [spec] })
    // Same participant is also a viewer in a panel invited to spec B.
    const panelB = await service.storage.identity.createPanel({ name: 'B', description: '' })
    await service.storage.identity.setPanelSpec(panelB.id, specB, true)
    await service.storage.identity.addMembership(panelB.id, cust.principal.participantId, 'viewer')
    const onA = await access.authenticate(upgrade(`/ws/${spec}?token=${cust.wsToken(spec)}`), spec)
    expect(onA).toMatchObject({ ok: true, access: 'write', principal: { role: 'customer' } })
    const onB = await access.authenticate(upgrade(`/ws/${specB}?token=${cust.wsToken(specB)}`), specB)
    expect(onB).toMatchObject({ ok: true, access: 'read', principal: { role: 'viewer' } })
    const outsider = await signInAs(service, 'customer', { panelSpecIds: [specB] })
    expect(await access.authenticate(upgrade(`/ws/${spec}?token=${outsider.wsToken(spec)}`), spec)).toMatchObject({
      ok: false,
      status: 403,
      code: 'forbidden'
    })
  })

  it('recheck follows sign-out, deactivation and token revocation; events reach subscribers', async () => {
    const { service, spec, access } = await setup()
    const seen: string[][] = []
    const off = access.onAccessChanged((ids) => seen.push(ids))
    const f = await signInAs(service, 'facilitator')
    const team = await signInAs(service, 'team')
    expect(await access.recheck(team.principal.participantId, spec)).toBe('write')
    expect((await fetchAs(service, team, 'POST', '/api/auth/logout')).status).toBe(204)
    expect(await access.recheck(team.principal.participantId, spec)).toBe('signed-out')
    // A token issued before sign-out is useless afterwards.
    expect((await access.authenticate(upgrade(`/ws/${spec}?token=${team.wsToken(spec)}`), spec)).ok).toBe(false)
    const other = await signInAs(service, 'team')
    await fetchAs(service, f, 'DELETE', `/api/members/${other.principal.participantId}`)
    expect(await access.recheck(other.principal.participantId, spec)).toBe('none')
    expect(seen).toEqual([[team.principal.participantId], [other.principal.participantId]])
    off()
    await fetchAs(service, f, 'PATCH', `/api/members/${other.principal.participantId}`, { active: true })
    expect(seen).toHaveLength(2)
  })

  it('is wired into the real upgrade: foreign-origin cookies and missing credentials are refused before any room loads', async () => {
    const { service, spec } = await setup()
    const team = await signInAs(service, 'team')
    expect(await upgradeStatus(service, `/ws/${spec}?v=1`, { cookie: team.cookie, origin: 'http://evil.example' })).toBe(403)
    expect(await upgradeStatus(service, `/ws/${spec}?v=1`, {})).toBe(401)
    expect(service.rooms.loaded).toEqual([])
    expect(await upgradeStatus(service, `/ws/${spec}?v=1`, { cookie: team.cookie, origin: service.url })).toBe(101)
    expect(await upgradeStatus(service, `/ws/${spec}?v=1&token=${team.wsToken(spec)}`, {})).toBe(101)
  })
})
