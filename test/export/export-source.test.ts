/**
 * `gatherExportSource` on a live spec: while a team member and a customer type, every source it
 * returns describes one state (each attribution block's length is the length of that block's text
 * in the document, and every contribution range lies inside its block), and an unknown spec is a
 * typed `spec_not_found`.
 */
import { describe, expect, it } from 'vitest'
import { schema } from '../../shared/schema.js'
import { gatherExportSource, ExportSourceError } from '../../server/export/export-source.js'
import { blockTextAt } from '../../server/export/brief-blocks.js'
import type { ExportSource } from '../../server/export/export-types.js'
import { signInAs } from '../helpers/auth.js'
import { connectClient, synced } from '../helpers/clients.js'
import { eventually } from '../helpers/eventually.js'
import { editPm, pmDoc } from '../helpers/pm-edit.js'
import { createSpec, startTestService } from '../helpers/server.js'
import { depsOf } from './brief-fixture.js'

function expectConsistent(source: ExportSource): void {
  const doc = schema.nodeFromJSON(source.doc)
  for (const b of source.attribution.blocks) expect(blockTextAt(doc, b.path).length, `block ${b.path.join('.')}`).toBe(b.length)
  const lengths = new Map(source.attribution.blocks.map((b) => [b.path.join('.'), b.length]))
  for (const c of source.contributions) {
    for (const r of c.ranges) {
      expect(r.from).toBeGreaterThanOrEqual(0)
      expect(r.to).toBeLessThanOrEqual(lengths.get(r.path.join('.')) ?? -1)
      expect(r.to).toBeGreaterThan(r.from)
    }
  }
}

describe('gathering an export source', () => {
  it('describes one state while people type; unknown specs are spec_not_found', async () => {
    const service = await startTestService()
    const spec = await createSpec(service, 'Live brief')
    const team = await signInAs(service, 'team')
    const customer = await signInAs(service, 'customer', { panelSpecIds: [spec] })
    const [t, c] = [connectClient(service, spec, { token: team.wsToken(spec) }), connectClient(service, spec, { token: customer.wsToken(spec) })]
    await Promise.all([synced(t), synced(c)])
    let typing = true
    const type = async (client: typeof t, word: string): Promise<void> => {
      for (let i = 0; typing && i < 400; i++) {
        editPm(client.doc, (tr) => (i % 25 === 0 ? tr.insert(tr.doc.content.size, schema.nodes.paragraph.create(null, schema.text(word))) : tr.insert(tr.doc.content.size - 1, schema.text(word))))
        await new Promise((resolve) => setImmediate(resolve))
      }
    }
    const typed = Promise.all([type(t, 'team '), type(c, 'idea ')])
    const sources: ExportSource[] = []
    // Positive control that typing reaches the server while sources are gathered.
    await eventually(async () => expect((await gatherExportSource(depsOf(service), spec)).attribution.totals.customer).toBeGreaterThan(0))
    for (let i = 0; i < 8; i++) sources.push(await gatherExportSource(depsOf(service), spec))
    typing = false
    await typed
    await eventually(() => expect(pmDoc(t.doc).textContent).toContain('idea'))
    sources.push(await gatherExportSource(depsOf(service), spec))
    for (const s of sources) expectConsistent(s)
    expect(new Set(sources.map((s) => s.attribution.totals.customer + s.attribution.totals.team)).size).toBeGreaterThan(1)
    expect(sources.at(-1)!.contributions.length).toBeGreaterThan(0)
    t.destroy()
    c.destroy()

    await expect(gatherExportSource(depsOf(service), 'nosuchspec0000000000')).rejects.toMatchObject({ code: 'spec_not_found' })
    await expect(gatherExportSource(depsOf(service), 'nosuchspec0000000000')).rejects.toBeInstanceOf(ExportSourceError)
  }, 60_000)
})
