/**
 * Personal return links (issue 9 item 3): a customer who signs out comes back through their
 * saved link as the same participant, so their words stay theirs. Only the hash is stored; a
 * renewed or revoked link is refused and changes nothing.
 */
import { describe, expect, it } from 'vitest'
import type { Service } from '../../server/service.js'
import { hashSecret } from '../../server/identity/secrets.js'
import { schema } from '../../shared/schema.js'
import { fetchAs, signInAs } from '../helpers/auth.js'
import { connectClient, synced } from '../helpers/clients.js'
import { eventually } from '../helpers/eventually.js'
import { bodyStart, editPm } from '../helpers/pm-edit.js'
import { createSpec, startTestService } from '../helpers/server.js'

type Session = { cookie: string; csrfToken: string }

/** The session a sign-in response set. */
function sessionFrom(headers: Headers, body: any): Session {
  const setCookie = headers.getSetCookie().find((c) => c.startsWith('valence_session=') && !c.startsWith('valence_session=;'))
  expect(setCookie).toBeDefined()
  return { cookie: setCookie!.split(';')[0]!, csrfToken: body.csrfToken as string }
}

/** A spec in a panel, and a customer who joined it through an invite link. */
async function joinedCustomer(service: Service) {
  const f = await signInAs(service, 'facilitator')
  const spec = await createSpec(service, 'Roadmap')
  const panel = (await fetchAs(service, f, 'POST', '/api/panels', { name: 'Panel' })).body.panel.id as string
  await fetchAs(service, f, 'PUT', `/api/panels/${panel}/specs/${spec}`)
  const invite = (await fetchAs(service, f, 'POST', `/api/panels/${panel}/invites`, { role: 'customer' })).body.token as string
  const joined = await fetchAs(service, null, 'POST', `/api/invites/${invite}/accept`, { displayName: 'Carla' })
  expect(joined.status).toBe(201)
  return { f, spec, invite, joined, session: sessionFrom(joined.headers, joined.body), id: joined.body.me.participantId as string }
}

const tokenOf = (url: string): string => url.slice(url.lastIndexOf('/return/') + '/return/'.length)

/** Signs in through a return link's token. */
const comeBack = (service: Service, token: string, caller: Session | null = null) =>
  fetchAs(service, caller, 'POST', '/api/auth/return', { token })

describe('personal return links', () => {
  it('brings a customer back as the same participant, and their new words are credited to them', async () => {
    const service = await startTestService({ storage: 'sqlite' })
    const { spec, joined, session, id } = await joinedCustomer(service)
    const url = joined.body.returnUrl as string
    expect(url).toMatch(new RegExp(`^${service.url}/return/[A-Za-z0-9_-]{43}$`))
    // Only the hash is kept: the token itself appears nowhere in the store.
    expect(await service.storage.identity.participantOfReturnLink(tokenOf(url))).toBeNull()
    expect(await service.storage.identity.participantOfReturnLink(hashSecret(tokenOf(url)))).toBe(id)

    expect((await fetchAs(service, session, 'POST', '/api/auth/logout')).status).toBe(204)
    expect((await fetchAs(service, session, 'GET', '/api/auth/me')).status).toBe(401)
    const back = await comeBack(service, tokenOf(url))
    expect(back.status).toBe(200)
    expect(back.body.me).toMatchObject({ participantId: id, displayName: 'Carla', role: 'customer' })
    const again = sessionFrom(back.headers, back.body)
    expect(again.cookie).not.toBe(session.cookie)

    const ws = await fetchAs(service, again, 'POST', '/api/auth/ws-token', { specId: spec })
    const client = connectClient(service, spec, { token: ws.body.token })
    await synced(client)
    editPm(client.doc, (tr) => tr.insert(bodyStart(tr.doc), schema.text('Carla is back with an idea')))
    await eventually(async () => {
      const a = await fetchAs(service, again, 'GET', `/api/specs/${spec}/attribution`)
      const block = a.body.attribution.blocks.find((b: any) => b.excerpt?.includes('Carla is back'))
      expect(block?.contributors.map((c: any) => c.participantId)).toEqual([id])
    })
    client.destroy()
    expect((await service.storage.identity.listMembers((await service.storage.identity.membershipsOf(id))[0]!.panelId)).length).toBe(1)
  })

  it('refuses an old link after renewal and a revoked link, changing nothing', async () => {
    const service = await startTestService()
    const { joined, session, id } = await joinedCustomer(service)
    const first = tokenOf(joined.body.returnUrl)
    const renewed = await fetchAs(service, session, 'POST', '/api/me/return-link')
    expect(renewed.status).toBe(201)
    const second = tokenOf(renewed.body.url)
    expect(second).not.toBe(first)
    const old = await comeBack(service, first)
    expect([old.status, old.body.error.code]).toEqual([404, 'return_link_not_found'])
    expect(old.headers.getSetCookie().some((c) => c.startsWith('valence_session=') && !c.startsWith('valence_session=;'))).toBe(false)
    expect((await comeBack(service, second)).body.me.participantId).toBe(id)

    expect((await fetchAs(service, session, 'DELETE', '/api/me/return-link')).status).toBe(204)
    expect((await comeBack(service, second)).status).toBe(404)
    // The session the customer revoked from still works; only the link is gone.
    expect((await fetchAs(service, session, 'GET', '/api/auth/me')).body.me.participantId).toBe(id)
  })

  it('ends the session the browser held and never reuses it', async () => {
    const service = await startTestService()
    const { joined, id } = await joinedCustomer(service)
    const other = await joinedCustomer(service)
    const back = await comeBack(service, tokenOf(joined.body.returnUrl), other.session)
    expect(back.body.me.participantId).toBe(id)
    expect(sessionFrom(back.headers, back.body).cookie).not.toBe(other.session.cookie)
    expect((await fetchAs(service, other.session, 'GET', '/api/auth/me')).status).toBe(401)
  })

  it('is for invitees only, and refuses bad input', async () => {
    const service = await startTestService()
    const team = await signInAs(service, 'team')
    expect((await fetchAs(service, team, 'POST', '/api/me/return-link')).status).toBe(409)
    expect((await fetchAs(service, team, 'DELETE', '/api/me/return-link')).status).toBe(409)
    expect((await fetchAs(service, null, 'POST', '/api/me/return-link')).status).toBe(401)
    expect((await fetchAs(service, null, 'POST', '/api/auth/return', { token: 'x' })).status).toBe(400)
    expect((await fetchAs(service, null, 'POST', '/api/auth/return', { token: 'a'.repeat(43), extra: 1 })).status).toBe(400)
    expect((await comeBack(service, 'a'.repeat(43))).status).toBe(404)
  })
})
