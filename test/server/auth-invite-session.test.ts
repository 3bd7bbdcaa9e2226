/**
 * Accepting an invite never keeps the session the browser came with (issue 7 item 8): a cookie
 * planted by an attacker (session fixation) must not come to reach the victim's new panel. A
 * browser holding an invitee session has to choose to continue as that person or join as
 * someone new; either way the old cookie stops working.
 */
import { describe, expect, it } from 'vitest'
import type { Service } from '../../server/service.js'
import { fetchAs, signInAs, type Caller } from '../helpers/auth.js'
import { upgradeStatus } from '../helpers/raw-socket.js'
import { createSpec, startTestService } from '../helpers/server.js'

type Session = { cookie: string; csrfToken: string }

/** The session a response's cookie makes (null if it set none). */
function sessionFrom(headers: Headers, body: any): Session | null {
  const setCookie = headers.getSetCookie().find((c) => c.startsWith('valence_session=') && !c.startsWith('valence_session=;'))
  return setCookie ? { cookie: setCookie.split(';')[0]!, csrfToken: body.csrfToken as string } : null
}

/** POST accept as `caller`; returns the answer and the session it set. */
async function accept(service: Service, caller: Caller, token: string, body: object) {
  const res = await fetchAs(service, caller, 'POST', `/api/invites/${token}/accept`, body)
  return { ...res, session: sessionFrom(res.headers, res.body) }
}

/** Two panels, each invited to its own spec, with a customer invite link each. */
async function twoPanels(service: Service) {
  const f = await signInAs(service, 'facilitator')
  const link = async (title: string) => {
    const spec = await createSpec(service, title)
    const panel = (await fetchAs(service, f, 'POST', '/api/panels', { name: `${title} panel` })).body.panel.id as string
    await fetchAs(service, f, 'PUT', `/api/panels/${panel}/specs/${spec}`)
    const invite = await fetchAs(service, f, 'POST', `/api/panels/${panel}/invites`, { role: 'customer' })
    return { spec, panel, token: invite.body.token as string }
  }
  return { f, attacker: await link('Attacker bait'), victim: await link('Victim roadmap') }
}

/**
 * The attacker joins through their own link and copies the cookie into the victim's browser.
 * The victim's invite page reads the CSRF token of whatever session its cookie holds (as the
 * client does through GET /api/auth/me), so the victim's requests pass the CSRF check.
 */
async function plantedCookie(service: Service, attackerToken: string): Promise<{ attacker: Session; victimBrowser: Session; attackerId: string }> {
  const joined = await accept(service, null, attackerToken, { displayName: 'Mallory' })
  expect(joined.status).toBe(201)
  const attacker = joined.session!
  const me = await fetchAs(service, { cookie: attacker.cookie, csrfToken: '' }, 'GET', '/api/auth/me')
  return { attacker, victimBrowser: { cookie: attacker.cookie, csrfToken: me.body.csrfToken }, attackerId: joined.body.me.participantId }
}

/** Everything the attacker could try with `session` to read the victim's spec. */
async function expectLockedOut(service: Service, session: Session | null, spec: string): Promise<void> {
  const list = await fetchAs(service, session, 'GET', '/api/specs')
  if (list.status === 200) expect(list.body.specs.map((s: any) => s.id)).not.toContain(spec)
  else expect(list.status).toBe(401)
  expect([401, 404]).toContain((await fetchAs(service, session, 'GET', `/api/specs/${spec}`)).status)
  expect([401, 404]).toContain((await fetchAs(service, session, 'POST', '/api/auth/ws-token', { specId: spec })).status)
  const ws = `${service.url.replace(/^http/, 'ws')}/ws/${spec}?v=1`
  const status = await upgradeStatus(ws, { ...(session ? { cookie: session.cookie } : {}), origin: service.url })
  expect([401, 403]).toContain(status)
}

describe('accepting an invite with a session already in the browser', () => {
  it('is refused until the browser chooses who it joins as; nothing is used and the session stays', async () => {
    const service = await startTestService()
    const { attacker, victim } = await twoPanels(service)
    const { victimBrowser, attackerId } = await plantedCookie(service, attacker.token)
    const preview = await fetchAs(service, victimBrowser, 'GET', `/api/invites/${victim.token}`)
    expect(preview.body).toMatchObject({ alreadyMember: false, signedInAs: { displayName: 'Mallory' } })

    const unchosen = await accept(service, victimBrowser, victim.token, { displayName: 'Vic' })
    expect([unchosen.status, unchosen.body.error.code, unchosen.session]).toEqual([409, 'identity_choice_required', null])
    expect(await service.storage.identity.listMembers(victim.panel)).toEqual([])
    expect(await service.storage.identity.membershipsOf(attackerId)).toHaveLength(1)
    expect((await fetchAs(service, victimBrowser, 'GET', '/api/auth/me')).status).toBe(200)
    // Continuing needs a current identity; a browser without a session must join as someone new.
    const noSession = await accept(service, null, victim.token, { identity: 'current' })
    expect([noSession.status, noSession.body.error.code]).toEqual([409, 'no_current_identity'])
    expect((await accept(service, null, victim.token, { identity: 'new' })).status).toBe(400)
  })

  it('planted cookie, victim joins as someone new: a new participant on a new session; the attacker sees nothing', async () => {
    const service = await startTestService()
    const { attacker, victim } = await twoPanels(service)
    const { attacker: attackerSession, victimBrowser, attackerId } = await plantedCookie(service, attacker.token)
    const changed: string[][] = []
    service.auth.events.on((ids) => changed.push(ids))

    const joined = await accept(service, victimBrowser, victim.token, { displayName: 'Vic', identity: 'new' })
    expect(joined.status).toBe(201)
    expect(joined.body.me).toMatchObject({ kind: 'invitee', role: 'customer', displayName: 'Vic' })
    expect(joined.body.me.participantId).not.toBe(attackerId)
    expect(joined.session!.cookie).not.toBe(victimBrowser.cookie)
    expect((await fetchAs(service, joined.session, 'GET', '/api/specs')).body.specs.map((s: any) => s.id)).toEqual([victim.spec])

    // The planted session ended: the attacker's copy is signed out, and their sockets re-checked.
    expect((await fetchAs(service, attackerSession, 'GET', '/api/auth/me')).status).toBe(401)
    expect(changed).toEqual([[attackerId]])
    await expectLockedOut(service, attackerSession, victim.spec)
    expect(await service.storage.identity.membershipsOf(attackerId)).toHaveLength(1)
  })

  it('planted cookie, victim continues as that person anyway: the session is rotated, the attacker’s copy is dead', async () => {
    const service = await startTestService()
    const { attacker, victim } = await twoPanels(service)
    const { attacker: attackerSession, victimBrowser, attackerId } = await plantedCookie(service, attacker.token)

    const joined = await accept(service, victimBrowser, victim.token, { identity: 'current' })
    expect(joined.status).toBe(200)
    expect(joined.body.me).toMatchObject({ participantId: attackerId, displayName: 'Mallory' })
    expect(joined.session!.cookie).not.toBe(victimBrowser.cookie)
    expect((await fetchAs(service, joined.session, 'GET', `/api/specs/${victim.spec}`)).status).toBe(200)

    await expectLockedOut(service, attackerSession, victim.spec)
    // Going back through their own link only makes the attacker someone new, without the panel.
    const again = await accept(service, null, attacker.token, { displayName: 'Mallory' })
    expect(again.body.me.participantId).not.toBe(attackerId)
    await expectLockedOut(service, again.session, victim.spec)
  })

  it('racing the victim with the same planted cookie never yields a second session for the identity', async () => {
    const service = await startTestService()
    const { attacker, victim } = await twoPanels(service)
    for (let round = 0; round < 5; round++) {
      const { attacker: attackerSession, victimBrowser } = await plantedCookie(service, attacker.token)
      const [victimSide, attackerSide] = await Promise.all([
        accept(service, victimBrowser, victim.token, { identity: 'current' }),
        accept(service, attackerSession, attacker.token, { identity: 'current' })
      ])
      const winners = [victimSide, attackerSide].filter((r) => r.status === 200)
      expect(winners.length).toBeLessThanOrEqual(1)
      // Whatever the attacker ends up holding, it does not reach the victim's spec.
      await expectLockedOut(service, attackerSide.session ?? attackerSession, victim.spec)
    }
  })
})
