/**
 * Merging two participants of one panel (issue 9 item 3; server/identity/merge-participants.ts):
 * a customer types, signs out, rejoins through the invite link as a stranger with the same name
 * and types again; the facilitator merges the newer identity into the first. Through a real
 * server: the attribution API and the live attribution message (101) credit every word to the
 * survivor, the survivor's bindings include the merged-away clientIDs (offline edits made with
 * one are accepted as the survivor's), the merged-away identity is signed out for good, the
 * contributions list credits the survivor, and a restart keeps all of it. Refused merges (wrong
 * role, another panel, a team member, self, twice, into a merged-away one) answer 4xx JSON and
 * change nothing.
 */
import * as decoding from 'lib0/decoding'
import { describe, expect, it } from 'vitest'
import type { SpecAttribution } from '../../shared/attribution.js'
import { CloseCode, messageAttribution, readAttribution } from '../../shared/protocol.js'
import { schema } from '../../shared/schema.js'
import type { Service } from '../../server/service.js'
import { fetchAs, signInAs, type Caller } from '../helpers/auth.js'
import { connectClient, synced, type TestClient } from '../helpers/clients.js'
import { eventually } from '../helpers/eventually.js'
import { bodyStart, editPm } from '../helpers/pm-edit.js'
import { createSpec, startTestService, tempDir } from '../helpers/server.js'

type Session = { cookie: string; csrfToken: string }

/** The session a sign-in or accept response set. */
function sessionFrom(res: { headers: Headers; body: any }): Session {
  const setCookie = res.headers.getSetCookie().find((c) => c.startsWith('valence_session=') && !c.startsWith('valence_session=;'))
  expect(setCookie).toBeDefined()
  return { cookie: setCookie!.split(';')[0]!, csrfToken: res.body.csrfToken as string }
}

/** Opens a provider on `spec` as `who` (a fresh ws token), on `doc` if given. */
async function open(service: Service, spec: string, who: Session, doc?: TestClient['doc']): Promise<TestClient> {
  const ws = await fetchAs(service, who, 'POST', '/api/auth/ws-token', { specId: spec })
  expect(ws.status).toBe(200)
  const client = connectClient(service, spec, { token: ws.body.token, ...(doc ? { doc } : {}) })
  await synced(client)
  return client
}

/** Types `text` as a new paragraph at the top of the body and waits until the server saved it. */
async function type(client: TestClient, text: string): Promise<void> {
  editPm(client.doc, (tr) => tr.insert(bodyStart(tr.doc), schema.nodes.paragraph.create(null, schema.text(text))))
  await eventually(() => expect(client.tracker.current.status).toBe('saved'))
}

/** Participant ids credited with the characters of the block whose excerpt holds `words`. */
function creditedFor(a: SpecAttribution, words: string): string[] {
  const block = a.blocks.find((b) => b.excerpt.includes(words))
  expect(block, `a block with "${words}"`).toBeDefined()
  return block!.contributors.map((c) => c.participantId)
}

const attributionOf = async (service: Service, caller: Caller, spec: string): Promise<SpecAttribution> => {
  const res = await fetchAs(service, caller, 'GET', `/api/specs/${spec}/attribution`)
  expect(res.status).toBe(200)
  return res.body.attribution as SpecAttribution
}

describe('merging two participants of one panel', () => {
  it('moves credit, bindings and contributions to the survivor, signs the other out, and a restart keeps it', async () => {
    const dataDir = tempDir()
    let service = await startTestService({ storage: 'sqlite', dataDir })
    const facilitator = await signInAs(service, 'facilitator')
    const spec = await createSpec(service, 'Roadmap')
    const panel = (await fetchAs(service, facilitator, 'POST', '/api/panels', { name: 'Pilot' })).body.panel.id as string
    await fetchAs(service, facilitator, 'PUT', `/api/panels/${panel}/specs/${spec}`)
    const invite = (await fetchAs(service, facilitator, 'POST', `/api/panels/${panel}/invites`, { role: 'customer' })).body.token as string

    // Carla joins (A), types, and signs out.
    const joinedA = await fetchAs(service, null, 'POST', `/api/invites/${invite}/accept`, { displayName: 'Carla' })
    expect(joinedA.status).toBe(201)
    const a = joinedA.body.me.participantId as string
    const returnA = (joinedA.body.returnUrl as string).split('/return/')[1]!
    const clientA = await open(service, spec, sessionFrom(joinedA))
    await type(clientA, 'Alpha idea from the first visit')
    expect((await fetchAs(service, sessionFrom(joinedA), 'POST', '/api/auth/logout')).status).toBe(204)
    await eventually(() => expect(clientA.closes.map((c) => c.code)).toContain(CloseCode.sessionEnded))
    clientA.destroy()

    // She opens the invite link again: a stranger with the same name (B), who types too.
    const joinedB = await fetchAs(service, null, 'POST', `/api/invites/${invite}/accept`, { displayName: 'Carla' })
    expect(joinedB.status).toBe(201)
    const b = joinedB.body.me.participantId as string
    const sessionB = sessionFrom(joinedB)
    const returnB = (joinedB.body.returnUrl as string).split('/return/')[1]!
    const clientB = await open(service, spec, sessionB)
    const clientIdB = clientB.doc.clientID
    await type(clientB, 'Beta idea from the second visit')
    expect(b).not.toBe(a)
    expect(creditedFor(await attributionOf(service, facilitator, spec), 'Beta idea')).toEqual([b])

    // Later she finds her return link and is A again, with the spec open (she watches 101).
    const back = await fetchAs(service, null, 'POST', '/api/auth/return', { token: returnA })
    expect(back.status).toBe(200)
    const sessionA = sessionFrom(back)
    const watcher = await open(service, spec, sessionA)
    let live: SpecAttribution | null = null
    watcher.provider.messageHandlers[messageAttribution] = (_e: unknown, d: decoding.Decoder) => {
      live = JSON.parse(readAttribution(d)) as SpecAttribution
    }

    // Refused merges: 4xx JSON, and nothing changes.
    const other = await signInAs(service, 'customer', { panelSpecIds: [spec] })
    const team = await signInAs(service, 'team')
    const viewer = await signInAs(service, 'viewer', { panelId: panel })
    const customer = await signInAs(service, 'customer', { panelId: panel })
    const merge = (caller: Caller, body: unknown, panelId = panel) => fetchAs(service, caller, 'POST', `/api/panels/${panelId}/merges`, body)
    const refusals: Array<[Caller, unknown, number, string, string?]> = [
      [sessionA, { from: b, into: a }, 403, 'forbidden'],
      [sessionB, { from: b, into: a }, 403, 'forbidden'],
      [team, { from: b, into: a }, 403, 'forbidden'],
      [viewer, { from: b, into: a }, 403, 'forbidden'],
      [customer, { from: b, into: a }, 403, 'forbidden'],
      [null, { from: b, into: a }, 401, 'unauthenticated'],
      // Another panel's customer, a team member, oneself, an unknown id, a panel they are not in.
      [facilitator, { from: other.principal.participantId, into: a }, 404, 'member_not_found'],
      [facilitator, { from: b, into: other.principal.participantId }, 404, 'member_not_found'],
      [facilitator, { from: team.principal.participantId, into: a }, 409, 'not_an_invitee'],
      [facilitator, { from: a, into: facilitator.principal.participantId }, 409, 'not_an_invitee'],
      [facilitator, { from: a, into: a }, 409, 'same_participant'],
      [facilitator, { from: 'zzunknownzz1', into: a }, 404, 'member_not_found'],
      [facilitator, { from: b, into: a }, 404, 'member_not_found', other.panelId!],
      [facilitator, { from: b, into: a }, 404, 'panel_not_found', 'zzunknownzz1'],
      [facilitator, { from: b }, 400, 'invalid_body'],
      [facilitator, { from: b, into: a, by: a }, 400, 'invalid_body']
    ]
    for (const [caller, body, status, code, panelId] of refusals) {
      const res = await merge(caller, body, panelId)
      expect([res.status, res.body?.error?.code], JSON.stringify(body)).toEqual([status, code])
    }
    expect(await service.storage.identity.listMerges()).toEqual([])
    expect((await fetchAs(service, sessionB, 'GET', '/api/auth/me')).status).toBe(200)
    expect(creditedFor(await attributionOf(service, facilitator, spec), 'Beta idea')).toEqual([b])
    expect(clientB.closes).toEqual([])

    // The facilitator merges B into A.
    const merged = await merge(facilitator, { from: b, into: a })
    expect(merged.status).toBe(200)
    expect(merged.body.merge).toMatchObject({ panelId: panel, from: { participantId: b, displayName: 'Carla' }, into: { participantId: a, displayName: 'Carla' }, by: { participantId: facilitator.principal.participantId } })

    // B is signed out for good: its socket closes with 4403, its session and return link are dead.
    await eventually(() => expect(clientB.closes.map((c) => c.code)).toContain(CloseCode.accessRevoked))
    clientB.provider.destroy()
    expect((await fetchAs(service, sessionB, 'GET', '/api/auth/me')).status).toBe(401)
    expect((await fetchAs(service, null, 'POST', '/api/auth/return', { token: returnB })).body.error.code).toBe('return_link_not_found')

    // Every word is A's, in the API and in the live message to A's open editor.
    const credited = (x: SpecAttribution): string[][] => [creditedFor(x, 'Alpha idea'), creditedFor(x, 'Beta idea')]
    expect(credited(await attributionOf(service, facilitator, spec))).toEqual([[a], [a]])
    await eventually(() => expect(live && credited(live)).toEqual([[a], [a]]))
    expect(JSON.stringify(live)).not.toContain(b)
    expect(service.rooms.get(spec)!.bindings.ownerOf(clientIdB)).toBe(a)

    // Words B typed offline (its clientID) are accepted as A's when A brings them in.
    editPm(clientB.doc, (tr) => tr.insert(bodyStart(tr.doc), schema.nodes.paragraph.create(null, schema.text('Gamma offline idea'))))
    const carried = await open(service, spec, sessionA, clientB.doc)
    expect(carried.doc.clientID).toBe(clientIdB)
    await eventually(() => expect(carried.tracker.current.status).toBe('saved'))
    expect(carried.closes).toEqual([])
    await eventually(async () => expect(creditedFor(await attributionOf(service, facilitator, spec), 'Gamma offline')).toEqual([a]))
    expect(watcher.closes).toEqual([])

    // Contributions: A's own list holds all three ideas; the facilitator's names only A.
    const mine = async (svc: Service) => {
      const res = await fetchAs(svc, sessionA, 'GET', `/api/specs/${spec}/contributions`)
      expect(res.status).toBe(200)
      return res.body
    }
    const check = async (svc: Service) => {
      const own = await mine(svc)
      expect(own.contributions.map((c: any) => c.excerpt).sort()).toEqual(['Alpha idea from the first visit', 'Beta idea from the second visit', 'Gamma offline idea'])
      expect(new Set(own.contributions.map((c: any) => [c.participantId, c.displayName].join()))).toEqual(new Set([`${a},Carla`]))
      const all = (await fetchAs(svc, facilitator, 'GET', `/api/specs/${spec}/contributions`)).body
      expect(Object.keys(all.byParticipant)).toEqual([a])
      // The merge is listed for the panel.
      const records = (await fetchAs(svc, facilitator, 'GET', `/api/panels/${panel}/merges`)).body.merges
      expect(records.map((m: any) => [m.from.participantId, m.into.participantId])).toEqual([[b, a]])
    }
    await eventually(() => check(service))

    // A second merge of B, or into B, is refused.
    expect((await merge(facilitator, { from: b, into: a })).body.error.code).toBe('already_merged')
    expect((await merge(facilitator, { from: customer.principal.participantId, into: b })).body.error.code).toBe('merged_away')
    watcher.destroy()
    carried.provider.destroy()

    // Restart: all of it holds.
    await service.stop()
    service = await startTestService({ storage: 'sqlite', dataDir })
    expect(credited(await attributionOf(service, facilitator, spec))).toEqual([[a], [a]])
    expect(creditedFor(await attributionOf(service, facilitator, spec), 'Gamma offline')).toEqual([a])
    expect(service.rooms.get(spec)!.bindings.ownerOf(clientIdB)).toBe(a)
    await check(service)
    expect((await fetchAs(service, sessionB, 'GET', '/api/auth/me')).status).toBe(401)
    expect((await fetchAs(service, sessionA, 'GET', '/api/auth/me')).body.me.participantId).toBe(a)
    // B's clientID still writes as A after the restart.
    editPm(clientB.doc, (tr) => tr.insert(bodyStart(tr.doc), schema.nodes.paragraph.create(null, schema.text('Delta after restart'))))
    const again = await open(service, spec, sessionA, clientB.doc)
    await eventually(() => expect(again.tracker.current.status).toBe('saved'))
    expect(again.closes).toEqual([])
    await eventually(async () => expect(creditedFor(await attributionOf(service, facilitator, spec), 'Delta after')).toEqual([a]))
  })

  it('two opposite merges at once: exactly one is recorded, the other refused', async () => {
    const service = await startTestService()
    const facilitator = await signInAs(service, 'facilitator')
    const x = await signInAs(service, 'customer', { displayName: 'Carla' })
    const y = await signInAs(service, 'viewer', { displayName: 'Carla', panelId: x.panelId! })
    const [p, q] = [x.principal.participantId, y.principal.participantId]
    const answers = await Promise.all([
      fetchAs(service, facilitator, 'POST', `/api/panels/${x.panelId}/merges`, { from: p, into: q }),
      fetchAs(service, facilitator, 'POST', `/api/panels/${x.panelId}/merges`, { from: q, into: p })
    ])
    expect(answers.map((r) => r.status).sort()).toEqual([200, 409])
    expect(answers.find((r) => r.status === 409)!.body.error.code).toMatch(/^(already_merged|merged_away)$/)
    const merges = await service.storage.identity.listMerges()
    expect(merges).toHaveLength(1)
    // The survivor keeps their own role (a viewer stays a viewer); the merged-away one is gone.
    const survivor = merges[0]!.intoId
    expect((await service.auth.access.principalOf(survivor))?.role).toBe(survivor === q ? 'viewer' : 'customer')
    expect(await service.auth.access.principalOf(merges[0]!.fromId)).toBeNull()
  })
})
