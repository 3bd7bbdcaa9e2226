/**
 * Threads on the real service: people write over the sync protocol, start threads on ranges
 * of text the way the editor does (y-prosemirror relative positions), reply, resolve and reopen
 * over HTTP. Authority comes from credentials: a customer can't resolve a team thread, a viewer
 * may comment and reply, a customer of another panel gets 404, and refused calls change
 * nothing. Anchors keep their words through a team member's edits around and inside them, and
 * deleting the words leaves the thread marked "text removed" with its quote.
 */
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { absolutePositionToRelativePosition, initProseMirrorDoc } from 'y-prosemirror'
import type { ThreadResponse, ThreadsResponse, ThreadView } from '../../shared/api-threads.js'
import type { ContributionsResponse } from '../../shared/api-review.js'
import type { ReviewEvent } from '../../shared/review-events.js'
import { FRAGMENT_NAME, schema } from '../../shared/schema.js'
import { signInAs, type SignedIn } from '../helpers/auth.js'
import { connectClient, synced, type TestClient } from '../helpers/clients.js'
import { eventually } from '../helpers/eventually.js'
import { editPm, pmDoc, posOf } from '../helpers/pm-edit.js'
import { createSpec, startTestService, tempDir } from '../helpers/server.js'
import type { Service } from '../../server/service.js'
import { MemoryThreadStore } from '../../server/review/threads-memory.js'

const IDEA = 'Customers want offline mode'
const TEAM_TEXT = 'Dark theme for night shifts'

const join = (service: Service, spec: string, who: SignedIn): TestClient => connectClient(service, spec, { token: who.wsToken(spec) })

/** Adds a paragraph of `text` at the end of the spec (whatever the title block holds). */
const addParagraph = (client: TestClient, text: string): void =>
  editPm(client.doc, (tr) => tr.insert(tr.doc.content.size, schema.nodes.paragraph.create(null, schema.text(text))))

async function settle(...clients: TestClient[]): Promise<void> {
  await eventually(() => {
    for (const c of clients) expect(c.tracker.current.status).toBe('saved')
  })
}

/** Base64 relative positions around the first occurrence of `text` in `doc`, as the editor makes them. */
function anchorsOf(doc: Y.Doc, text: string): { start: string; end: string } {
  const fragment = doc.getXmlFragment(FRAGMENT_NAME)
  const { doc: pm, mapping } = initProseMirrorDoc(fragment, schema)
  const from = posOf(pm, text)
  const b64 = (pos: number) => Buffer.from(Y.encodeRelativePosition(absolutePositionToRelativePosition(pos, fragment, mapping))).toString('base64')
  return { start: b64(from), end: b64(from + text.length) }
}

async function call(who: SignedIn, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await who.fetch(path, body === undefined ? {} : { method: 'POST', body })
  const text = await res.text()
  return { status: res.status, body: text ? JSON.parse(text) : null }
}

async function threadsOf(who: SignedIn, spec: string): Promise<ThreadView[]> {
  const res = await call(who, `/api/specs/${spec}/threads`)
  expect(res.status).toBe(200)
  return (res.body as ThreadsResponse).threads
}

/** Counts 'threads' events of `spec`. */
function countEvents(service: Service, spec: string): { n: number } {
  const seen = { n: 0 }
  service.events.subscribe((e: ReviewEvent) => {
    if (e.specId === spec && e.topics.includes('threads')) seen.n++
  })
  return seen
}

describe('threads over HTTP', () => {
  it('create, list, reply, resolve and reopen, with authority from credentials', async () => {
    const dataDir = tempDir()
    const service = await startTestService({ storage: 'sqlite', dataDir })
    const spec = await createSpec(service)
    const carla = await signInAs(service, 'customer', { panelSpecIds: [spec], displayName: 'Carla' })
    const dora = await signInAs(service, 'customer', { panelId: carla.panelId!, displayName: 'Dora' })
    const viewer = await signInAs(service, 'viewer', { panelId: carla.panelId!, displayName: 'Vic' })
    const outsider = await signInAs(service, 'customer', { displayName: 'Olga' })
    const team = await signInAs(service, 'team', { displayName: 'Tom' })
    const events = countEvents(service, spec)
    const c = join(service, spec, carla)
    const d = join(service, spec, dora)
    const t = join(service, spec, team)
    await Promise.all([synced(c), synced(d), synced(t)])
    addParagraph(c, IDEA)
    await settle(c)
    await eventually(() => expect(pmDoc(t.doc).textContent).toContain(IDEA))
    addParagraph(t, TEAM_TEXT)
    await settle(t)
    await eventually(() => expect(pmDoc(d.doc).textContent).toContain(TEAM_TEXT))
    addParagraph(d, 'Dora wants SSO')
    await settle(d)
    await eventually(() => expect(pmDoc(c.doc).textContent).toContain('Dora wants SSO'))

    const base = `/api/specs/${spec}/threads`
    const mine = await call(carla, base, { ...anchorsOf(c.doc, 'offline mode'), body: '  Could this work on the train?  ' })
    expect(mine.status).toBe(201)
    const thread = (mine.body as ThreadResponse).thread
    expect(thread).toMatchObject({
      specId: spec,
      contributionId: null,
      quote: 'offline mode',
      text: 'offline mode',
      textRemoved: false,
      status: 'open',
      createdBy: { participantId: carla.principal.participantId, displayName: 'Carla', role: 'customer' },
      resolvedBy: null,
      resolvedAt: null
    })
    expect(thread.comments).toEqual([{ id: expect.any(String), author: thread.createdBy, body: 'Could this work on the train?', createdAt: thread.createdAt }])
    const teamThread = (await call(team, base, { ...anchorsOf(t.doc, TEAM_TEXT), body: 'Needs design review' })).body.thread as ThreadView
    expect(teamThread.createdBy).toMatchObject({ displayName: 'Tom', role: 'team' })
    expect(teamThread.quote).toBe(TEAM_TEXT)
    // A range across blocks quotes each block's part, joined by a line break.
    const across = await call(team, base, { start: anchorsOf(t.doc, 'mode').start, end: anchorsOf(t.doc, 'Dark theme').end, body: 'Both' })
    expect(across.body.thread.quote).toBe('mode\nDark theme')
    await eventually(() => expect(events.n).toBeGreaterThanOrEqual(1))

    // A viewer reads every thread and may reply.
    expect((await threadsOf(viewer, spec)).map((x) => x.id)).toEqual([thread.id, teamThread.id, across.body.thread.id])
    const reply = await call(viewer, `${base}/${thread.id}/replies`, { body: 'Same for us' })
    expect(reply.status).toBe(201)
    expect(reply.body.thread.comments.map((x: { author: { displayName: string; role: string }; body: string }) => [x.author.displayName, x.author.role, x.body])).toEqual([
      ['Carla', 'customer', 'Could this work on the train?'],
      ['Vic', 'viewer', 'Same for us']
    ])

    // Refused calls change nothing and publish nothing.
    const before = await threadsOf(team, spec)
    const eventsBefore = events.n
    const refusals: Array<[SignedIn, string, unknown, number, string]> = [
      [carla, `${base}/${teamThread.id}/resolve`, {}, 403, 'forbidden'],
      [viewer, `${base}/${teamThread.id}/resolve`, {}, 403, 'forbidden'],
      [viewer, `${base}/${thread.id}/resolve`, {}, 403, 'forbidden'],
      [carla, `${base}/${teamThread.id}/reopen`, {}, 403, 'forbidden'],
      [outsider, base, { ...anchorsOf(c.doc, 'offline'), body: 'hi' }, 404, 'spec_not_found'],
      [outsider, `${base}/${thread.id}/replies`, { body: 'hi' }, 404, 'spec_not_found'],
      [outsider, `${base}/${thread.id}/resolve`, {}, 404, 'spec_not_found'],
      [carla, base, { ...anchorsOf(c.doc, 'offline'), body: 'x', createdBy: team.principal.participantId }, 400, 'invalid_body'],
      [carla, base, { ...anchorsOf(c.doc, 'offline'), body: '   ' }, 400, 'invalid_body'],
      [carla, base, { ...anchorsOf(c.doc, 'offline'), body: 'bell\u0007' }, 400, 'invalid_body'],
      [carla, base, { ...anchorsOf(c.doc, 'offline'), body: 'x'.repeat(4001) }, 400, 'invalid_body'],
      [carla, base, { start: '////', end: '////', body: 'garbage anchors' }, 400, 'invalid_anchor'],
      [carla, base, { ...anchorsOf(foreignDoc(), 'elsewhere'), body: 'anchors of another doc' }, 400, 'invalid_anchor'],
      [carla, base, { start: anchorsOf(c.doc, 'offline').start, end: anchorsOf(c.doc, 'offline').start, body: 'empty' }, 400, 'empty_range'],
      [carla, base, { ...anchorsOf(c.doc, 'offline'), body: 'not hers', contributionId: 'c1-1' }, 404, 'contribution_not_found'],
      [carla, `${base}/${thread.id}/resolve`, { status: 'resolved' }, 400, 'invalid_body'],
      [carla, `${base}/tnot-a-thread/replies`, { body: 'hi' }, 404, 'thread_not_found'],
      [carla, `${base}/${'t'.padEnd(23, 'A')}/replies`, { body: 'hi' }, 404, 'thread_not_found']
    ]
    for (const [who, path, body, status, code] of refusals) {
      const res = await call(who, path, body)
      expect([res.status, res.body?.error?.code], `${who.principal.displayName} ${path} ${JSON.stringify(body)}`).toEqual([status, code])
    }
    expect((await call(outsider, base)).status).toBe(404)
    expect(await threadsOf(team, spec)).toEqual(before)
    expect(events.n).toBe(eventsBefore)

    // Own threads: resolve and reopen; the team may resolve anyone's.
    // No body at all is fine for resolve and reopen.
    const res = await carla.fetch(`${base}/${thread.id}/resolve`, { method: 'POST' })
    const resolved = { status: res.status, body: (await res.json()) as ThreadResponse }
    expect(resolved.status).toBe(200)
    expect(resolved.body.thread).toMatchObject({ status: 'resolved', resolvedBy: { displayName: 'Carla', role: 'customer' } })
    const reopened = await call(carla, `${base}/${thread.id}/reopen`, {})
    expect(reopened.body.thread).toMatchObject({ status: 'open', resolvedBy: null, resolvedAt: null })
    const byTeam = await call(team, `${base}/${thread.id}/resolve`, {})
    expect(byTeam.body.thread).toMatchObject({ status: 'resolved', resolvedBy: { displayName: 'Tom', role: 'team' } })
    expect(byTeam.body.thread.comments).toHaveLength(2)
    await eventually(() => expect(events.n).toBeGreaterThan(eventsBefore))

    // Threads on contributions: a customer on their own only; the team on anyone's.
    const contributions = ((await call(team, `/api/specs/${spec}/contributions`)).body as ContributionsResponse).contributions
    const carlas = contributions.find((x) => x.participantId === carla.principal.participantId)!
    const doras = contributions.find((x) => x.participantId === dora.principal.participantId)!
    const onOwn = await call(carla, base, { ...anchorsOf(c.doc, 'Customers'), body: 'Mine', contributionId: carlas.id })
    expect([onOwn.status, onOwn.body.thread.contributionId]).toEqual([201, carlas.id])
    const onDoras = await call(carla, base, { ...anchorsOf(c.doc, 'SSO'), body: 'Hers', contributionId: doras.id })
    expect([onDoras.status, onDoras.body.error.code]).toEqual([403, 'forbidden'])
    const viewerOnDoras = await call(viewer, base, { ...anchorsOf(c.doc, 'SSO'), body: 'Hers', contributionId: doras.id })
    expect(viewerOnDoras.status).toBe(404)
    expect((await call(team, base, { ...anchorsOf(t.doc, 'SSO'), body: 'On it', contributionId: doras.id })).status).toBe(201)
    expect((await threadsOf(dora, spec)).map((x) => x.contributionId)).toEqual([null, null, null, carlas.id, doras.id])

    // Threads live in the specs' database file: a restarted service lists them alike.
    const all = await threadsOf(team, spec)
    for (const x of [c, d, t]) x.destroy()
    await service.stop()
    const again = await startTestService({ storage: 'sqlite', dataDir })
    const teamAgain = await signInAs(again, 'team')
    const sameNames = (list: ThreadView[]) => list.map((x) => ({ ...x, comments: x.comments.map((m) => m.body) }))
    expect(sameNames(await threadsOf(teamAgain, spec))).toEqual(sameNames(all))
  })

  it('anchors keep their words through edits around and inside them; deleted words leave the quote', async () => {
    const service = await startTestService()
    const spec = await createSpec(service)
    const carla = await signInAs(service, 'customer', { panelSpecIds: [spec] })
    const team = await signInAs(service, 'team')
    const c = join(service, spec, carla)
    const t = join(service, spec, team)
    await Promise.all([synced(c), synced(t)])
    addParagraph(c, IDEA)
    await settle(c)
    const created = await call(carla, `/api/specs/${spec}/threads`, { ...anchorsOf(c.doc, 'want offline'), body: 'Offline please' })
    expect(created.status).toBe(201)
    const id = created.body.thread.id as string
    const current = async (): Promise<ThreadView> => (await threadsOf(team, spec)).find((x) => x.id === id)!
    await eventually(() => expect(pmDoc(t.doc).textContent).toContain(IDEA))

    // Typing before and inside the range, splitting the block and making a heading of it.
    editPm(t.doc, (tr) => tr.insert(posOf(tr.doc, 'Customers'), schema.text('All ')))
    editPm(t.doc, (tr) => tr.insert(posOf(tr.doc, 'offline'), schema.text('REALLY ')))
    editPm(t.doc, (tr) => tr.split(posOf(tr.doc, 'REALLY')))
    editPm(t.doc, (tr) => tr.setBlockType(posOf(tr.doc, 'All'), posOf(tr.doc, 'All') + 1, schema.nodes.heading, { level: 2 }))
    await settle(t)
    expect(pmDoc(t.doc).textContent).toContain('All Customers want REALLY offline mode')
    await eventually(async () => expect(await current()).toMatchObject({ quote: 'want offline', text: 'want \noffline', textRemoved: false }))

    // Deleting part, then all of the words.
    editPm(t.doc, (tr) => tr.delete(posOf(tr.doc, 'want'), posOf(tr.doc, 'want') + 5))
    await settle(t)
    await eventually(async () => expect(await current()).toMatchObject({ text: 'offline', textRemoved: false }))
    editPm(t.doc, (tr) => tr.delete(posOf(tr.doc, 'offline'), posOf(tr.doc, 'offline') + 7))
    await settle(t)
    await eventually(async () => expect(await current()).toMatchObject({ quote: 'want offline', text: '', textRemoved: true, status: 'open' }))
    // A thread on words that are gone can still be discussed.
    expect((await call(team, `/api/specs/${spec}/threads/${id}/replies`, { body: 'Removed on purpose' })).status).toBe(201)
  })

  it('limits: one thread or comment too many is 409 limit_reached', async () => {
    const service = await startTestService({}, { threads: new MemoryThreadStore({ maxThreadsPerSpec: 1, maxThreadsPerPerson: 1, maxCommentsPerThread: 2 }) })
    const spec = await createSpec(service)
    const team = await signInAs(service, 'team')
    const t = join(service, spec, team)
    await synced(t)
    addParagraph(t, IDEA)
    await settle(t)
    const base = `/api/specs/${spec}/threads`
    const first = await call(team, base, { ...anchorsOf(t.doc, 'offline'), body: 'one' })
    expect(first.status).toBe(201)
    expect((await call(team, base, { ...anchorsOf(t.doc, 'mode'), body: 'two' })).body.error.code).toBe('limit_reached')
    expect((await call(team, `${base}/${first.body.thread.id}/replies`, { body: 'r1' })).status).toBe(201)
    const full = await call(team, `${base}/${first.body.thread.id}/replies`, { body: 'r2' })
    expect([full.status, full.body.error.code]).toEqual([409, 'limit_reached'])
    expect((await threadsOf(team, spec)).map((x) => x.comments.length)).toEqual([2])
  })
})

/** A document that is not the spec: its positions name items the spec does not have. */
function foreignDoc(): Y.Doc {
  const doc = new Y.Doc()
  editPm(doc, (tr) => tr.insert(0, schema.nodes.paragraph.create(null, schema.text('elsewhere'))))
  return doc
}
