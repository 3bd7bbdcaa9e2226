/**
 * A removal whose save storage refuses is not lost (server/review/removals-feed.ts): the room
 * tries again in the background, with the same removal id, and the removal is stored exactly
 * once; the sync path never notices. Through the real service, with a removals store that
 * refuses its first adds as a full disk would.
 */
import { describe, expect, it } from 'vitest'
import type { Node as PMNode } from 'prosemirror-model'
import type { RemovalsResponse } from '../../shared/api-removals.js'
import { schema } from '../../shared/schema.js'
import { signInAs } from '../helpers/auth.js'
import { connectClient, synced } from '../helpers/clients.js'
import { eventually } from '../helpers/eventually.js'
import { editPm, pmDoc, posOf } from '../helpers/pm-edit.js'
import { createSpec, startTestService } from '../helpers/server.js'
import { MemoryRemovalStore } from '../../server/review/removals-memory.js'
import type { RemovalRecord } from '../../server/review/removals.js'

const IDEA = 'Customers want offline mode'

/** A memory store whose first `failures` adds fail like a full disk. */
class FlakyRemovalStore extends MemoryRemovalStore {
  readonly tried: string[] = []

  constructor(private failures: number) {
    super()
  }

  override async add(record: RemovalRecord): Promise<void> {
    this.tried.push(record.id)
    if (this.failures > 0) {
      this.failures--
      throw Object.assign(new Error('SQLITE_FULL: database or disk is full'), { code: 'SQLITE_FULL' })
    }
    await super.add(record)
  }
}

const blockRange = (doc: PMNode, text: string): [number, number] => {
  const $pos = doc.resolve(posOf(doc, text))
  return [$pos.before(1), $pos.after(1)]
}

describe('removals when storage refuses', () => {
  it('a refused save is retried in the background with the same id and stored once', async () => {
    const store = new FlakyRemovalStore(2)
    const service = await startTestService({}, { removals: store })
    const spec = await createSpec(service)
    const carla = await signInAs(service, 'customer', { panelSpecIds: [spec], displayName: 'Carla Customer' })
    const team = await signInAs(service, 'team', { displayName: 'Tom Team' })
    const c = connectClient(service, spec, { token: carla.wsToken(spec) })
    const t = connectClient(service, spec, { token: team.wsToken(spec) })
    await Promise.all([synced(c), synced(t)])
    editPm(c.doc, (tr) => tr.insert(tr.doc.content.size, schema.nodes.paragraph.create(null, schema.text(IDEA))))
    await eventually(() => expect(pmDoc(t.doc).textContent).toContain(IDEA))
    // Recorded as a contribution before anyone deletes it (what a removal refers to).
    await eventually(async () => expect(((await (await team.fetch(`/api/specs/${spec}/contributions`)).json()) as { contributions: unknown[] }).contributions.length).toBe(1))

    editPm(t.doc, (tr) => tr.delete(...blockRange(tr.doc, IDEA)))
    await eventually(() => expect(t.tracker.current.status).toBe('saved'))
    // The edit itself was saved; the removal's save failed, then was tried again on its own
    // (nothing here lists removals until it is stored, so no flush triggered the retry).
    await eventually(async () => expect(await store.list(spec)).toHaveLength(1))
    expect(store.tried).toHaveLength(3)
    expect(new Set(store.tried).size).toBe(1)

    const res = await team.fetch(`/api/specs/${spec}/removals`)
    const listed = ((await res.json()) as RemovalsResponse).removals
    expect(listed.map((r) => [r.id, r.text, r.author.participantId])).toEqual([[store.tried[0], IDEA, carla.principal.participantId]])
    expect(store.tried).toHaveLength(3)
  }, 60_000)
})
