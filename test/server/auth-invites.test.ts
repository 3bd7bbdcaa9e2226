/**
 * Customer panels over HTTP: invite links (preview, accept, expiry, revocation, maximum uses),
 * the same browser staying the same participant, removal, withdrawal of a panel from a spec,
 * and the access-change events that close live sockets.
 */
import { describe, expect, it } from 'vitest'
import { hashSecret, newSecret } from '../../server/identity/secrets.js'
import type { Service } from '../../server/service.js'
import { fetchAs, signInAs, tokenAs, type Caller, type SignedIn } from '../helpers/auth.js'
import { createSpec, startTestService } from '../helpers/server.js'

/** Accepts an invite as a new browser (no cookie) and returns that browser's caller. */
async function acceptAsNewBrowser(service: Service, token: string, displayName: string, email?: string) {
  const res = await fetch(`${service.url}/api/invites/${token}/accept`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(email ? { displayName, email } : { displayName })
  })
  const body = (await res.json()) as any
  const setCookie = res.headers.getSetCookie().find((c) => c.startsWith('valence_session='))
  const caller: Caller = setCookie ? { cookie: setCookie.split(';')[0]!, csrfToken: body.csrfToken as string } : null
  return { status: res.status, body, caller }
}

/** The caller a response's session cookie makes (null if it set none). */
function callerFrom(headers: Headers, body: any): Caller {
  const setCookie = headers.getSetCookie().find((c) => c.startsWith('valence_session=') && !c.startsWith('valence_session=;'))
  return setCookie ? { cookie: setCookie.split(';')[0]!, csrfToken: body.csrfToken as string } : null
}

/** Accepts an invite as `caller` (a browser that holds a session); returns the rotated caller. */
async function acceptAs(service: Service, caller: Caller, token: string, body: object) {
  const res = await fetchAs(service, caller, 'POST', `/api/invites/${token}/accept`, body)
  return { ...res, caller: callerFrom(res.headers, res.body) }
}

/** A facilitator with one panel invited to one spec. */
async function panelSetup(service: Service) {
  const f = await signInAs(service, 'facilitator', { displayName: 'Fran' })
  const spec = await createSpec(service, 'Checkout redesign')
  const panel = (await fetchAs(service, f, 'POST', '/api/panels', { name: 'Pilot customers', description: 'Early adopters' })).body.panel
  expect((await fetchAs(service, f, 'PUT', `/api/panels/${panel.id}/specs/${spec}`)).body.panel.specIds).toEqual([spec])
  return { f, spec, panelId: panel.id as string }
}

async function createInvite(service: Service, f: SignedIn, panelId: string, body: object) {
  const res = await fetchAs(service, f, 'POST', `/api/panels/${panelId}/invites`, body)
  expect(res.status).toBe(201)
  return res.body as { invite: any; url: string; token: string }
}

describe('panel invite links', () => {
  it('preview and accept: the invitee lands in the spec with a session and sees only it', async () => {
    const service = await startTestService()
    const { f, spec, panelId } = await panelSetup(service)
    const other = await createSpec(service, 'Secret roadmap')
    const { invite, url, token } = await createInvite(service, f, panelId, { role: 'customer', maxUses: 2 })
    expect(url).toBe(`${service.url}/invite/${token}`)
    expect(invite).toMatchObject({ panelId, role: 'customer', maxUses: 2, uses: 0, status: 'active', revokedAt: null })
    expect(invite).not.toHaveProperty('tokenHash')
    expect(Date.parse(invite.expiresAt) - Date.now()).toBeGreaterThan(167 * 3600_000)

    const preview = await fetchAs(service, null, 'GET', `/api/invites/${token}`)
    expect(preview.body).toEqual({
      panel: { name: 'Pilot customers', description: 'Early adopters' },
      specs: [{ id: spec, title: 'Checkout redesign' }],
      facilitator: { displayName: 'Fran' },
      role: 'customer',
      alreadyMember: false,
      signedInAs: null
    })

    const joined = await acceptAsNewBrowser(service, token, 'Cora', 'cora@customer.example')
    expect(joined.status).toBe(201)
    expect(joined.body).toMatchObject({
      me: { kind: 'invitee', role: 'customer', displayName: 'Cora', email: 'cora@customer.example' },
      redirectTo: `/specs/${spec}`
    })
    const cora = joined.caller
    expect((await fetchAs(service, cora, 'GET', '/api/specs')).body.specs.map((s: any) => s.id)).toEqual([spec])
    expect((await fetchAs(service, cora, 'GET', `/api/specs/${other}`)).status).toBe(404)
    expect((await fetchAs(service, cora, 'POST', '/api/auth/ws-token', { specId: spec })).status).toBe(200)
    const members = (await fetchAs(service, f, 'GET', `/api/panels/${panelId}/members`)).body.members
    expect(members).toEqual([expect.objectContaining({ participantId: joined.body.me.participantId, kind: 'invitee', role: 'customer', displayName: 'Cora' })])
    expect((await fetchAs(service, f, 'GET', '/api/panels')).body.panels[0]).toMatchObject({ id: panelId, memberCount: 1, specIds: [spec] })
  })

  it('the same browser returning is the same participant and uses no extra use', async () => {
    const service = await startTestService()
    const { f, panelId } = await panelSetup(service)
    const { invite, token } = await createInvite(service, f, panelId, { role: 'customer', maxUses: 2 })
    const first = await acceptAsNewBrowser(service, token, 'Cora')
    const pid = first.body.me.participantId
    // Without the CSRF header the session cookie cannot be used to act.
    const noCsrf = await fetch(`${service.url}/api/invites/${token}/accept`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: (first.caller as { cookie: string }).cookie },
      body: JSON.stringify({ displayName: 'Cora' })
    })
    expect(noCsrf.status).toBe(403)
    // Returning with a session: the browser must say who it joins as (see the describe below).
    const unchosen = await fetchAs(service, first.caller, 'POST', `/api/invites/${token}/accept`, { displayName: 'Cora B.' })
    expect([unchosen.status, unchosen.body.error.code]).toEqual([409, 'identity_choice_required'])
    expect((await fetchAs(service, first.caller, 'GET', `/api/invites/${token}`)).body.signedInAs).toEqual({ displayName: 'Cora' })
    const again = await acceptAs(service, first.caller, token, { displayName: 'Cora B.', identity: 'current' })
    expect(again.status).toBe(200)
    expect(again.body.me).toMatchObject({ participantId: pid, displayName: 'Cora B.' })
    // Every accept issues a fresh session: the cookie the browser came with is worthless now.
    expect(again.caller).not.toBeNull()
    expect(again.caller).not.toEqual(first.caller)
    expect((await fetchAs(service, first.caller, 'GET', '/api/auth/me')).status).toBe(401)
    expect((await fetchAs(service, again.caller, 'GET', '/api/auth/me')).body.me.participantId).toBe(pid)
    const cora = again.caller
    const listed = (await fetchAs(service, f, 'GET', `/api/panels/${panelId}/invites`)).body.invites
    expect(listed.find((i: any) => i.id === invite.id).uses).toBe(1)

    // A single-use link stays the way back in for the person who used it, and only for them.
    const single = await createInvite(service, f, panelId, { role: 'customer', maxUses: 1 })
    const solo = await acceptAsNewBrowser(service, single.token, 'Solo')
    expect((await acceptAsNewBrowser(service, single.token, 'Someone else')).status).toBe(410)
    expect((await fetchAs(service, solo.caller, 'GET', `/api/invites/${single.token}`)).body.alreadyMember).toBe(true)
    const back = await acceptAs(service, solo.caller, single.token, { identity: 'current' })
    expect([back.status, back.body.me.participantId, back.body.me.displayName]).toEqual([200, solo.body.me.participantId, 'Solo'])

    // A second panel's link adds a membership to the same participant.
    const spec2 = await createSpec(service, 'Second')
    const panel2 = (await fetchAs(service, f, 'POST', '/api/panels', { name: 'Viewers' })).body.panel.id
    await fetchAs(service, f, 'PUT', `/api/panels/${panel2}/specs/${spec2}`)
    const link2 = await createInvite(service, f, panel2, { role: 'viewer' })
    const joined2 = await acceptAs(service, cora, link2.token, { displayName: 'Cora', identity: 'current' })
    expect(joined2.body.me).toMatchObject({ participantId: pid, role: 'customer' })
    expect((await fetchAs(service, joined2.caller, 'GET', '/api/specs')).body.specs).toHaveLength(2)
    const principal = (await service.auth.access.principalOf(pid))!
    expect(await service.auth.access.accessTo(principal, spec2)).toBe('read')
  })

  it('refuses expired, revoked, used-up and unknown links', async () => {
    const service = await startTestService()
    const { f, panelId } = await panelSetup(service)
    const expiredToken = newSecret()
    await service.storage.identity.createInvite({
      panelId,
      tokenHash: hashSecret(expiredToken),
      role: 'customer',
      createdBy: f.principal.participantId,
      expiresAt: new Date(Date.now() - 1000).toISOString(),
      maxUses: null
    })
    const revoked = await createInvite(service, f, panelId, { role: 'viewer' })
    const revokedRes = await fetchAs(service, f, 'DELETE', `/api/invites/${revoked.invite.id}`)
    expect(revokedRes.body.invite.status).toBe('revoked')
    const once = await createInvite(service, f, panelId, { role: 'customer', maxUses: 1 })
    expect((await acceptAsNewBrowser(service, once.token, 'First')).status).toBe(201)

    const cases: Array<[string, number, string]> = [
      [expiredToken, 410, 'invite_expired'],
      [revoked.token, 410, 'invite_revoked'],
      [once.token, 410, 'invite_used_up'],
      [newSecret(), 404, 'invite_not_found']
    ]
    for (const [token, status, code] of cases) {
      const preview = await fetchAs(service, null, 'GET', `/api/invites/${token}`)
      expect([preview.status, preview.body.error.code]).toEqual([status, code])
      const accept = await acceptAsNewBrowser(service, token, 'Late')
      expect([accept.status, accept.body.error.code, accept.caller]).toEqual([status, code, null])
    }
    expect((await service.storage.identity.listMembers(panelId)).length).toBe(1)
    const bad = await fetchAs(service, f, 'POST', `/api/panels/${panelId}/invites`, { role: 'team' })
    expect(bad.status).toBe(400)
    expect((await fetchAs(service, f, 'POST', `/api/panels/${panelId}/invites`, { role: 'viewer', expiresInHours: 9000 })).status).toBe(400)
  })

  it('a team member opening a link joins nothing and uses nothing', async () => {
    const service = await startTestService()
    const { f, spec, panelId } = await panelSetup(service)
    const { invite, token } = await createInvite(service, f, panelId, { role: 'customer', maxUses: 1 })
    const team = await signInAs(service, 'team')
    const res = await fetchAs(service, team, 'POST', `/api/invites/${token}/accept`, { displayName: 'T' })
    expect(res.body).toMatchObject({ me: { kind: 'account', role: 'team' }, redirectTo: `/specs/${spec}` })
    expect((await service.storage.identity.getInvite(invite.id))!.uses).toBe(0)
  })
})

describe('removing access', () => {
  it('removing a member, withdrawing or deleting a panel, deleting a token: access ends and events name who', async () => {
    const service = await startTestService()
    const { f, spec, panelId } = await panelSetup(service)
    const { token } = await createInvite(service, f, panelId, { role: 'customer' })
    const a = await acceptAsNewBrowser(service, token, 'Ann')
    const b = await acceptAsNewBrowser(service, token, 'Ben')
    const aid = a.body.me.participantId as string
    const bid = b.body.me.participantId as string
    const events: string[][] = []
    service.auth.events.on((ids) => events.push([...ids].sort()))

    expect((await fetchAs(service, f, 'DELETE', `/api/panels/${panelId}/members/${aid}`)).status).toBe(204)
    expect(events).toEqual([[aid]])
    expect(await service.auth.access.recheck(aid, spec)).toBe('none')
    expect(await service.auth.access.recheck(bid, spec)).toBe('write')
    expect((await fetchAs(service, a.caller, 'GET', `/api/specs/${spec}`)).status).toBe(404)
    expect((await fetchAs(service, a.caller, 'GET', '/api/specs')).body.specs).toEqual([])
    expect((await fetchAs(service, f, 'DELETE', `/api/panels/${panelId}/members/${aid}`)).status).toBe(404)
    // The removed person cannot rejoin from the same browser with the link they still have.
    const rejoin = await acceptAs(service, a.caller, token, { displayName: 'Ann', identity: 'current' })
    expect([rejoin.status, rejoin.body.error.code]).toEqual([403, 'membership_removed'])
    // …nor by joining as someone new from that browser (still signed in as Ann, on a new session
    // whose CSRF token the page reads again from /api/auth/me).
    const stillAnn = await fetchAs(service, rejoin.caller, 'GET', '/api/auth/me')
    expect(stillAnn.body.me.participantId).toBe(aid)
    const annAgain = { cookie: (rejoin.caller as { cookie: string }).cookie, csrfToken: stillAnn.body.csrfToken as string }
    expect((await fetchAs(service, a.caller, 'GET', '/api/auth/me')).status).toBe(401)
    const renamed = await acceptAs(service, annAgain, token, { displayName: 'Not Ann', identity: 'new' })
    expect([renamed.status, renamed.body.error.code]).toEqual([403, 'membership_removed'])
    expect((await service.storage.identity.listMembers(panelId)).map((m) => m.participantId)).toEqual([bid])

    const customerToken = await tokenAs(service, 'customer', [panelId])
    expect(await service.auth.access.recheck(customerToken.id, spec)).toBe('write')
    await fetchAs(service, f, 'DELETE', `/api/panels/${panelId}/specs/${spec}`)
    expect(events[1]).toEqual([bid, customerToken.id].sort())
    expect(await service.auth.access.recheck(bid, spec)).toBe('none')
    expect(await service.auth.access.recheck(customerToken.id, spec)).toBe('none')
    // Withdrawing again changes nothing and announces nothing.
    await fetchAs(service, f, 'DELETE', `/api/panels/${panelId}/specs/${spec}`)
    expect(events).toHaveLength(2)

    await fetchAs(service, f, 'PUT', `/api/panels/${panelId}/specs/${spec}`)
    expect(await service.auth.access.recheck(bid, spec)).toBe('write')
    expect((await fetchAs(service, f, 'DELETE', `/api/panels/${panelId}`)).status).toBe(204)
    expect(events[2]).toEqual([bid, customerToken.id].sort())
    expect(await service.auth.access.recheck(bid, spec)).toBe('none')

    const teamToken = await tokenAs(service, 'team')
    expect(await service.auth.access.recheck(teamToken.id, spec)).toBe('write')
    expect((await fetchAs(service, f, 'DELETE', `/api/tokens/${teamToken.id}`)).status).toBe(204)
    expect(events[3]).toEqual([teamToken.id])
    expect(await service.auth.access.recheck(teamToken.id, spec)).toBe('none')
  })
})
