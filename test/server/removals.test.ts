/**
 * Removals on the real service (server/review/removals.ts): a customer writes over the sync
 * protocol, a team member deletes their words, and the server records one removal; moves make
 * none (or end `returned`); a team member restores the words where they were, credited to the
 * customer, durably; customers and viewers cannot restore and see only what they may.
 */
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import type { Node as PMNode } from 'prosemirror-model'
import type { RemovalsResponse, RemovalView } from '../../shared/api-removals.js'
import type { SpecAttribution } from '../../shared/attribution.js'
import type { ContributionsResponse } from '../../shared/api-review.js'
import { schema } from '../../shared/schema.js'
import { signInAs, type SignedIn } from '../helpers/auth.js'
import { connectClient, synced, type TestClient } from '../helpers/clients.js'
import { eventually } from '../helpers/eventually.js'
import { editPm, pmDoc, posOf } from '../helpers/pm-edit.js'
import { ySyncPluginKey } from 'y-prosemirror'
import { FRAGMENT_NAME } from '../../shared/schema.js'
import { createSpec, startTestService, tempDir } from '../helpers/server.js'
import { openRaw, updateFrame } from '../helpers/raw-socket.js'
import { captureUpdate } from '../helpers/capture-update.js'
import { CloseCode } from '../../shared/protocol.js'
import type { Service } from '../../server/service.js'

const IDEA_1 = 'Customers want offline mode'
const IDEA_2 = 'Export every spec as PDF'
const IDEA_3 = 'A dark theme for night owls'

const join = (service: Service, spec: string, who: SignedIn): TestClient => connectClient(service, spec, { token: who.wsToken(spec) })

async function settle(...clients: TestClient[]): Promise<void> {
  await eventually(() => {
    for (const c of clients) expect(c.tracker.current.status).toBe('saved')
  })
}

async function removals(who: SignedIn, spec: string): Promise<RemovalView[]> {
  const res = await who.fetch(`/api/specs/${spec}/removals`)
  expect(res.status).toBe(200)
  return ((await res.json()) as RemovalsResponse).removals
}

const restore = (who: SignedIn, spec: string, id: string): Promise<Response> => who.fetch(`/api/specs/${spec}/removals/${id}/restore`, { method: 'POST' })

async function customerChars(who: SignedIn, spec: string): Promise<number> {
  const res = await who.fetch(`/api/specs/${spec}/attribution`)
  const a = ((await res.json()) as { attribution: SpecAttribution }).attribution
  return a.blocks.reduce((n, b) => n + b.byGroup.customer, 0)
}

/** The top-level blocks' texts. */
const blocks = (doc: PMNode): string[] => {
  const out: string[] = []
  doc.forEach((node) => out.push(node.textContent))
  return out
}

/** Range of the whole block holding `text`. */
function blockRange(doc: PMNode, text: string): [number, number] {
  const $pos = doc.resolve(posOf(doc, text))
  return [$pos.before(1), $pos.after(1)]
}

async function setup(config: { dataDir?: string } = {}) {
  const service = await startTestService({ storage: 'sqlite', ...config })
  const spec = await createSpec(service)
  const carla = await signInAs(service, 'customer', { panelSpecIds: [spec], displayName: 'Carla Customer' })
  const team = await signInAs(service, 'team', { displayName: 'Tom Team' })
  const c = join(service, spec, carla)
  const t = join(service, spec, team)
  await Promise.all([synced(c), synced(t)])
  // Three paragraphs of Carla's ideas, recorded as contributions before anyone deletes them.
  editPm(c.doc, (tr) => tr.insert(tr.doc.child(0).nodeSize + 1, schema.text(IDEA_1)))
  editPm(c.doc, (tr) => tr.insert(tr.doc.content.size, schema.nodes.paragraph.create(null, schema.text(IDEA_2))))
  editPm(c.doc, (tr) => tr.insert(tr.doc.content.size, schema.nodes.paragraph.create(null, schema.text(IDEA_3))))
  await settle(c)
  await eventually(() => expect(blocks(pmDoc(t.doc)).slice(1)).toEqual([IDEA_1, IDEA_2, IDEA_3]))
  await eventually(async () => {
    const res = await team.fetch(`/api/specs/${spec}/contributions`)
    expect(((await res.json()) as ContributionsResponse).contributions.length).toBeGreaterThanOrEqual(1)
  })
  return { service, spec, carla, team, c, t }
}

describe('removals', () => {
  it('records one removal of a deleted paragraph; the team restores it in place, credited, durably', async () => {
    const dataDir = tempDir()
    const { service, spec, carla, team, c, t } = await setup({ dataDir })
    const cem = await signInAs(service, 'customer', { panelSpecIds: [spec] })
    const viewer = await signInAs(service, 'viewer', { panelId: carla.panelId! })
    const before = await customerChars(team, spec)
    const topics: string[] = []
    service.events.subscribe((e) => topics.push(...e.topics))

    editPm(t.doc, (tr) => tr.delete(...blockRange(tr.doc, IDEA_2)))
    await settle(t)
    await eventually(() => expect(blocks(pmDoc(c.doc)).slice(1)).toEqual([IDEA_1, IDEA_3]))
    const [removal, ...rest] = await removals(team, spec)
    expect(rest).toEqual([])
    expect(removal).toMatchObject({
      specId: spec,
      text: IDEA_2,
      status: 'open',
      author: { participantId: carla.principal.participantId, displayName: 'Carla Customer', role: 'customer' },
      removedBy: { participantId: team.principal.participantId, displayName: 'Tom Team', role: 'team' },
      restoredBy: null,
      decision: null
    })
    expect(removal!.contributionId).toMatch(/^c\d+-\d+$/)
    expect(await customerChars(team, spec)).toBe(before - IDEA_2.length)
    await eventually(() => expect(topics).toContain('removals'))
    topics.length = 0

    // Carla sees it; another customer does not; a viewer may not list.
    expect((await removals(carla, spec)).map((r) => r.id)).toEqual([removal!.id])
    expect(await removals(cem, spec)).toEqual([])
    expect((await viewer.fetch(`/api/specs/${spec}/removals`)).status).toBe(403)

    // Customers and viewers cannot restore; nothing changes.
    expect((await restore(carla, spec, removal!.id)).status).toBe(403)
    expect((await restore(viewer, spec, removal!.id)).status).toBe(403)
    expect((await restore(team, spec, 'rnot-a-removal')).status).toBe(404)
    expect((await removals(team, spec))[0]!.status).toBe('open')
    expect(blocks(pmDoc(t.doc)).slice(1)).toEqual([IDEA_1, IDEA_3])
    expect(topics).toEqual([])

    // The team restores it: back between the other two, as Carla's, on every client.
    const res = await restore(team, spec, removal!.id)
    expect(res.status).toBe(200)
    expect(((await res.json()) as { removal: RemovalView }).removal).toMatchObject({ id: removal!.id, status: 'restored', restoredBy: { participantId: team.principal.participantId } })
    for (const client of [c, t]) await eventually(() => expect(blocks(pmDoc(client.doc)).slice(1)).toEqual([IDEA_1, IDEA_2, IDEA_3]))
    expect(await customerChars(team, spec)).toBe(before)
    await eventually(() => expect(topics).toContain('removals'))
    expect((await restore(team, spec, removal!.id)).status).toBe(409)
    const contributions = ((await (await team.fetch(`/api/specs/${spec}/contributions`)).json()) as ContributionsResponse).contributions
    expect(contributions.find((k) => k.id === removal!.contributionId)?.excerpt).toBe(IDEA_2)

    // Carla keeps writing in the restored paragraph: no conflict with the server's clientID.
    editPm(c.doc, (tr) => tr.insert(posOf(tr.doc, IDEA_2) + IDEA_2.length, schema.text(' and Word')))
    await settle(c)
    await eventually(() => expect(blocks(pmDoc(t.doc))[2]).toBe(`${IDEA_2} and Word`))

    // Durable: a restart keeps the text, its credit and the removal's status.
    c.destroy()
    t.destroy()
    await service.stop()
    const again = await startTestService({ storage: 'sqlite', dataDir })
    const team2 = await signInAs(again, 'team')
    const fresh = join(again, spec, team2)
    await synced(fresh)
    expect(blocks(pmDoc(fresh.doc)).slice(1)).toEqual([IDEA_1, `${IDEA_2} and Word`, IDEA_3])
    expect(await customerChars(team2, spec)).toBe(before + ' and Word'.length)
    expect((await removals(team2, spec)).map((r) => [r.id, r.status])).toEqual([[removal!.id, 'restored']])
  })

  it('restores words deleted inside a surviving paragraph at their place', async () => {
    const { spec, team, c, t } = await setup()
    const from = posOf(pmDoc(t.doc), ' offline')
    editPm(t.doc, (tr) => tr.delete(from, from + ' offline'.length))
    await settle(t)
    const [removal] = await eventually(async () => {
      const list = await removals(team, spec)
      expect(list).toHaveLength(1)
      return list
    })
    // y-prosemirror's text diff may delete "offline " instead: the same words.
    expect(removal!.text.trim()).toBe('offline')
    expect((await restore(team, spec, removal!.id)).status).toBe(200)
    for (const client of [c, t]) await eventually(() => expect(blocks(pmDoc(client.doc)).slice(1)).toEqual([IDEA_1, IDEA_2, IDEA_3]))
  })

  it('refuses a crafted client writing with the clientID the server restored with', async () => {
    const { service, spec, team, t } = await setup()
    editPm(t.doc, (tr) => tr.delete(...blockRange(tr.doc, IDEA_3)))
    await settle(t)
    const [removal] = await eventually(async () => {
      const list = await removals(team, spec)
      expect(list).toHaveLength(1)
      return list
    })
    expect((await restore(team, spec, removal!.id)).status).toBe(200)
    const room = service.rooms.get(spec)!
    const serverId = room.doc.clientID
    expect(room.bindings.isDurable(serverId)).toBe(true)
    // A team member's crafted client claims more words under the server's clientID.
    const forged = new Y.Doc()
    Y.applyUpdate(forged, Y.encodeStateAsUpdate(room.doc))
    forged.clientID = serverId
    const update = captureUpdate(forged, (d) => editPm(d, (tr) => tr.insert(tr.doc.child(0).nodeSize + 1, schema.text('Forged restored words '))))
    const before = Y.encodeStateAsUpdate(room.doc)
    const raw = await openRaw(service, spec, `v=1&token=${team.wsToken(spec)}`)
    raw.send(updateFrame(update))
    expect((await raw.closed).code).toBe(CloseCode.clientIdForeign)
    expect(Y.encodeStateAsUpdate(room.doc)).toEqual(before)
  })

  it('moves make no removal: drag, split, join, heading change; cut and paste later ends returned', async () => {
    const { spec, carla, team, c, t } = await setup()
    // Drag: the third paragraph moved to the top in one update.
    editPm(t.doc, (tr) => {
      const [a, b] = blockRange(tr.doc, IDEA_3)
      const slice = tr.doc.slice(a, b)
      tr.delete(a, b)
      tr.insert(blockRange(tr.doc, IDEA_1)[0], slice.content)
    })
    editPm(t.doc, (tr) => tr.split(posOf(tr.doc, ' offline')))
    editPm(t.doc, (tr) => tr.join(posOf(tr.doc, ' offline') - 1))
    editPm(t.doc, (tr) => tr.setBlockType(posOf(tr.doc, 'Export'), posOf(tr.doc, 'Export') + 1, schema.nodes.heading, { level: 2 }))
    await settle(t)
    await eventually(() => expect(blocks(pmDoc(c.doc)).slice(1)).toEqual([IDEA_3, IDEA_1, IDEA_2]))
    expect(await removals(team, spec)).toEqual([])

    // Cut (one update), paste elsewhere (a later update): open, then returned by itself.
    editPm(t.doc, (tr) => tr.delete(...blockRange(tr.doc, IDEA_1)))
    await settle(t)
    await eventually(async () => expect((await removals(team, spec)).map((r) => [r.text, r.status])).toEqual([[IDEA_1, 'open']]))
    editPm(t.doc, (tr) => tr.insert(tr.doc.content.size, schema.nodes.paragraph.create(null, schema.text(IDEA_1))))
    await settle(t)
    await eventually(async () => expect((await removals(carla, spec)).map((r) => [r.text, r.status])).toEqual([[IDEA_1, 'returned']]))
    const [returned] = await removals(team, spec)
    expect((await restore(team, spec, returned!.id)).status).toBe(409)

    // Delete, then undo (Yjs's UndoManager, as the editor's undo): returned as well.
    const undo = new Y.UndoManager(t.doc.getXmlFragment(FRAGMENT_NAME), { trackedOrigins: new Set([ySyncPluginKey]) })
    editPm(t.doc, (tr) => tr.delete(...blockRange(tr.doc, IDEA_2)))
    await settle(t)
    await eventually(async () => expect((await removals(team, spec)).map((r) => [r.text, r.status])).toEqual([[IDEA_1, 'returned'], [IDEA_2, 'open']]))
    undo.undo()
    await settle(t)
    await eventually(() => expect(blocks(pmDoc(c.doc))).toContain(IDEA_2))
    await eventually(async () => expect((await removals(team, spec)).map((r) => [r.text, r.status])).toEqual([[IDEA_1, 'returned'], [IDEA_2, 'returned']]))
    undo.destroy()
  })

  it('a customer deleting their own words is editing; a decision after a removal closes it', async () => {
    const { spec, team, c, t } = await setup()
    editPm(c.doc, (tr) => tr.delete(...blockRange(tr.doc, IDEA_3)))
    await settle(c)
    await eventually(() => expect(blocks(pmDoc(t.doc)).slice(1)).toEqual([IDEA_1, IDEA_2]))
    expect(await removals(team, spec)).toEqual([])

    editPm(t.doc, (tr) => tr.delete(...blockRange(tr.doc, IDEA_2)))
    await settle(t)
    const [removal] = await eventually(async () => {
      const list = await removals(team, spec)
      expect(list).toHaveLength(1)
      return list
    })
    const decided = await team.fetch(`/api/specs/${spec}/decisions`, { method: 'POST', body: { subjectId: removal!.contributionId, state: 'declined', note: 'Out of scope for v1' } })
    expect(decided.status).toBe(201)
    const [closed] = await removals(team, spec)
    expect(closed).toMatchObject({ status: 'closed', decision: { state: 'declined', note: 'Out of scope for v1' } })
    // A closed removal can still be restored (the team changed its mind).
    expect((await restore(team, spec, removal!.id)).status).toBe(200)
  })
})
