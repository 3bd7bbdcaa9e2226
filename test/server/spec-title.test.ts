/**
 * One title (server/sync/spec-title.ts): a new spec's document starts with its title, typing in
 * the title block renames the spec, an API rename is written into the document, a rename and a
 * concurrent title edit converge everywhere, and an older spec with an empty title block takes
 * its metadata title when its room loads.
 */
import { describe, expect, it } from 'vitest'
import { schema, emptySpecUpdate } from '../../shared/schema.js'
import type { Spec } from '../../shared/api.js'
import { facilitatorOf, signInAs, type SignedIn } from '../helpers/auth.js'
import { connectAs, connectClient, synced, type TestClient } from '../helpers/clients.js'
import { eventually } from '../helpers/eventually.js'
import { editPm, pmDoc } from '../helpers/pm-edit.js'
import { createSpec, startTestService, tempDir } from '../helpers/server.js'
import { documentTitle, metadataTitle } from '../../shared/spec-title.js'

const titleOf = (c: TestClient): string => pmDoc(c.doc).firstChild?.textContent ?? ''

async function metadata(who: SignedIn, id: string): Promise<Spec> {
  const res = await who.fetch(`/api/specs/${id}`)
  return ((await res.json()) as { spec: Spec }).spec
}

describe('one title', () => {
  it('a new spec starts with its title, credited to its creator', async () => {
    const service = await startTestService()
    const id = await createSpec(service, 'Offline mode')
    const client = await connectAs(service, id)
    await synced(client)
    expect(titleOf(client)).toBe('Offline mode')
    const facilitator = await facilitatorOf(service)
    const attribution = (await (await facilitator.fetch(`/api/specs/${id}/attribution`)).json()) as {
      attribution: { blocks: Array<{ type: string; contributors: Array<{ participantId: string; chars: number }> }> }
    }
    const title = attribution.attribution.blocks.find((b) => b.type === 'title')!
    expect(title.contributors).toEqual([expect.objectContaining({ participantId: facilitator.principal.participantId, chars: 12 })])
    client.destroy()
  })

  it('typing in the title block renames the spec; an API rename reaches every editor', async () => {
    const service = await startTestService()
    const id = await createSpec(service, 'Draft')
    const facilitator = await facilitatorOf(service)
    const customer = await signInAs(service, 'customer', { panelSpecIds: [id] })
    const client = connectClient(service, id, { token: customer.wsToken(id) })
    await synced(client)
    editPm(client.doc, (tr) => tr.insert(1 + 'Draft'.length, schema.text('  Offline   mode')))
    await eventually(async () => expect((await metadata(facilitator, id)).title).toBe('Draft Offline mode'))

    const res = await facilitator.fetch(`/api/specs/${id}`, { method: 'PATCH', body: { title: 'Offline sync' } })
    expect(res.status).toBe(200)
    expect(((await res.json()) as { spec: Spec }).spec.title).toBe('Offline sync')
    await eventually(() => expect(titleOf(client)).toBe('Offline sync'))
    // Clearing the title block keeps the last title: a title can't be empty.
    editPm(client.doc, (tr) => tr.delete(1, 1 + 'Offline sync'.length))
    await eventually(() => expect(service.rooms.get(id) && documentTitle(service.rooms.get(id)!.doc)).toBe(''))
    expect((await metadata(facilitator, id)).title).toBe('Offline sync')
    client.destroy()
  })

  it('a rename and a concurrent title edit converge to one title everywhere', async () => {
    const dataDir = tempDir()
    let service = await startTestService({ storage: 'sqlite', dataDir })
    const id = await createSpec(service, 'Roadmap')
    const facilitator = await facilitatorOf(service)
    const a = await connectAs(service, id)
    await synced(a)
    // Truly concurrent: the client edits its title offline while the rename is made.
    a.provider.disconnect()
    editPm(a.doc, (tr) => tr.insert(1, schema.text('Q3 ')))
    expect((await facilitator.fetch(`/api/specs/${id}`, { method: 'PATCH', body: { title: 'Roadmap 2027' } })).status).toBe(200)
    a.provider.connect()
    let converged = ''
    await eventually(async () => {
      const server = documentTitle(service.rooms.get(id)!.doc)
      expect(titleOf(a)).toBe(server)
      const meta = await metadata(facilitator, id)
      expect(meta.title).toBe(metadataTitle(server))
      const list = (await (await facilitator.fetch('/api/specs')).json()) as { specs: Spec[] }
      expect(list.specs.find((s) => s.id === id)?.title).toBe(meta.title)
      converged = meta.title
    })
    // Both edits survive the merge: only the characters that differ were written.
    expect(converged).toBe('Q3 Roadmap 2027')
    a.destroy()
    await service.stop()
    service = await startTestService({ storage: 'sqlite', dataDir })
    const again = await connectAs(service, id)
    await synced(again)
    expect(titleOf(again)).toBe(converged)
    expect((await metadata(await facilitatorOf(service), id)).title).toBe(converged)
    again.destroy()
  })

  it('a spec whose title block is empty takes its metadata title when its room loads', async () => {
    const service = await startTestService()
    // As the CLI makes a spec: metadata and skeleton, no room.
    const spec = await service.storage.specs.create('Made by the CLI')
    await service.storage.docs.append(spec.id, emptySpecUpdate())
    const client = await connectAs(service, spec.id)
    await synced(client)
    await eventually(() => expect(titleOf(client)).toBe('Made by the CLI'))
    expect(pmDoc(client.doc).child(0).type).toBe(schema.nodes.title)
    client.destroy()
  })
})
