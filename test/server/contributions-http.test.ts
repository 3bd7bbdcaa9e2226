/**
 * Contributions on the real service: customers write over the sync protocol, the room records
 * contributions (debounced), `GET /api/specs/:id/contributions` lists them with their current
 * decision and counts by panel and participant; a customer sees only their own; contributions
 * keep their id through a team member's restructuring and a restart (SQLite, same database).
 */
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { fromBase64 } from 'lib0/buffer'
import type { ContributionPiece, ContributionsResponse } from '../../shared/api-review.js'
import { schema } from '../../shared/schema.js'
import { signInAs, type SignedIn } from '../helpers/auth.js'
import { connectClient, synced, type TestClient } from '../helpers/clients.js'
import { eventually } from '../helpers/eventually.js'
import { editPm, pmDoc, posOf, bodyStart } from '../helpers/pm-edit.js'
import { createSpec, startTestService, tempDir } from '../helpers/server.js'
import type { Service } from '../../server/service.js'

const IDEA_1 = 'Customers want offline mode'
const IDEA_2 = 'Export every spec as PDF'

async function list(who: SignedIn, spec: string): Promise<{ status: number; body: ContributionsResponse }> {
  const res = await who.fetch(`/api/specs/${spec}/contributions`)
  return { status: res.status, body: (await res.json()) as ContributionsResponse }
}

/** The text between a piece's two relative positions, resolved on `doc` (one block: one Y.XmlText). */
function pieceText(doc: Y.Doc, piece: ContributionPiece): string {
  const at = (b64: string) => Y.createAbsolutePositionFromRelativePosition(Y.decodeRelativePosition(fromBase64(b64)), doc)
  const start = at(piece.start)
  const end = at(piece.end)
  if (!start || !end || start.type !== end.type) throw new Error('piece does not resolve to one block')
  const text = (start.type as Y.XmlText).toDelta() as Array<{ insert: string }>
  return text.map((d) => d.insert).join('').slice(start.index, end.index)
}

async function settle(...clients: TestClient[]): Promise<void> {
  await eventually(() => {
    for (const c of clients) expect(c.tracker.current.status).toBe('saved')
  })
}

const join = (service: Service, spec: string, who: SignedIn): TestClient => connectClient(service, spec, { token: who.wsToken(spec) })

describe('contributions over HTTP', () => {
  it('lists contributions with decisions and counts; customers see their own; ids survive restructuring and restart', async () => {
    const dataDir = tempDir()
    let service = await startTestService({ storage: 'sqlite', dataDir })
    const spec = await createSpec(service)
    const carla = await signInAs(service, 'customer', { panelSpecIds: [spec] })
    const cem = await signInAs(service, 'customer', { panelSpecIds: [spec] })
    const team = await signInAs(service, 'team')
    const viewer = await signInAs(service, 'viewer', { panelId: carla.panelId! })
    const c1 = join(service, spec, carla)
    const c2 = join(service, spec, cem)
    const t = join(service, spec, team)
    await Promise.all([synced(c1), synced(c2), synced(t)])
    editPm(c1.doc, (tr) => tr.insert(bodyStart(tr.doc), schema.text(IDEA_1)))
    await settle(c1)
    await eventually(() => expect(pmDoc(c2.doc).textContent).toContain(IDEA_1))
    editPm(c2.doc, (tr) => tr.insert(tr.doc.content.size, schema.nodes.paragraph.create(null, schema.text(IDEA_2))))
    await settle(c2)

    const all = await list(team, spec)
    expect(all.status).toBe(200)
    // Both may be recorded in one pass (same createdAt, then ordered by id): compare by author.
    const byAuthor = (body: ContributionsResponse) => [...body.contributions].sort((a, b) => (a.participantId === carla.principal.participantId ? -1 : b.participantId === carla.principal.participantId ? 1 : 0))
    expect(byAuthor(all.body).map((c) => [c.participantId, c.excerpt, c.state, c.panelIds])).toEqual([
      [carla.principal.participantId, IDEA_1, 'new', [carla.panelId]],
      [cem.principal.participantId, IDEA_2, 'new', [cem.panelId]]
    ])
    const [first, second] = byAuthor(all.body).map((c) => c.id) as [string, string]
    expect(first).toMatch(/^c\d+-\d+$/)

    expect((await team.fetch(`/api/specs/${spec}/decisions`, { method: 'POST', body: { subjectId: first, state: 'accepted' } })).status).toBe(201)
    const decided = await list(team, spec)
    expect(byAuthor(decided.body).map((c) => c.state)).toEqual(['accepted', 'new'])
    expect(byAuthor(decided.body)[0]!.decision).toMatchObject({ subjectId: first, state: 'accepted' })
    expect(decided.body.counts).toEqual({ total: 2, byState: { new: 1, under_discussion: 0, accepted: 1, planned: 0, declined: 0 } })
    expect(decided.body.byPanel[carla.panelId!]).toEqual({ total: 1, byState: { new: 0, under_discussion: 0, accepted: 1, planned: 0, declined: 0 } })
    expect(decided.body.byParticipant[cem.principal.participantId]).toMatchObject({ total: 1, byState: { new: 1 } })
    // A team member (who may not list panels) gets the names of the panels counted.
    const panelName = async (id: string): Promise<string> => (await service.storage.identity.getPanel(id))!.name
    expect(decided.body.panelNames).toEqual({ [carla.panelId!]: await panelName(carla.panelId!), [cem.panelId!]: await panelName(cem.panelId!) })

    // A customer lists only their own; a viewer may not list.
    const own = await list(carla, spec)
    expect(own.status).toBe(200)
    expect(own.body.contributions.map((c) => c.id)).toEqual([first])
    expect(own.body.counts.total).toBe(1)
    expect(own.body.panelNames).toEqual({})
    expect((await viewer.fetch(`/api/specs/${spec}/contributions`)).status).toBe(403)

    // The team splits the first idea and turns the second into a heading: same ids, same words.
    editPm(t.doc, (tr) => tr.split(posOf(tr.doc, ' offline')))
    editPm(t.doc, (tr) => tr.setBlockType(posOf(tr.doc, 'Export'), posOf(tr.doc, 'Export') + 1, schema.nodes.heading, { level: 2 }))
    await settle(t)
    const after = await list(team, spec)
    expect(byAuthor(after.body).map((c) => [c.id, c.excerpt, c.state])).toEqual([
      [first, 'Customers want\n offline mode', 'accepted'],
      [second, IDEA_2, 'new']
    ])
    // Each piece's positions, resolved on a client's replica, hold exactly that piece's words.
    expect(byAuthor(after.body).map((c) => c.pieces.map((p) => pieceText(t.doc, p)))).toEqual([['Customers want', ' offline mode'], [IDEA_2]])

    for (const c of [c1, c2, t]) c.destroy()
    await service.stop()
    service = await startTestService({ storage: 'sqlite', dataDir })
    const again = await list(await signInAs(service, 'team'), spec)
    expect(again.body.contributions.map((c) => [c.id, c.excerpt, c.state])).toEqual(after.body.contributions.map((c) => [c.id, c.excerpt, c.state]))
  })
})
