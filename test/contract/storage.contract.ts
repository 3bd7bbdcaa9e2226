/**
 * The storage contract: every Storage implementation runs these, rule by rule ([S1]-[S7],
 * [M1]-[M4] in server/storage/doc-store.ts).
 */
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import type { Storage } from '../../server/storage/doc-store.js'
import { AttributionEngine } from '../../server/attribution/index.js'
import { FRAGMENT_NAME } from '../../shared/schema.js'
import { captureUpdate } from '../helpers/capture-update.js'
import { eventually } from '../helpers/eventually.js'

/** Builds a fresh storage per test; `reopen` (if given) reopens the same data after close. */
export interface StorageFactory {
  create(): Promise<Storage>
  reopen?(): Promise<Storage>
}

/** Resolves once the clock reads later than the ISO-8601 timestamp `iso`. */
const clockPast = (iso: string): Promise<void> =>
  eventually(() => expect(new Date().toISOString() > iso).toBe(true), 1000, 1)

const stateOf = (updates: Uint8Array[]): string => {
  const doc = new Y.Doc()
  for (const u of updates) Y.applyUpdate(doc, u)
  return JSON.stringify(doc.getText('t').toJSON())
}

/** Registers the contract tests for one implementation. */
export function storageContract(name: string, factory: StorageFactory): void {
  describe(`storage contract: ${name}`, () => {
    it('[S1] unknown names load as empty; appended updates load in order', async () => {
      const s = await factory.create()
      expect((await s.docs.load('nothing-here')).updates).toEqual([])
      const doc = new Y.Doc()
      const u1 = captureUpdate(doc, (d) => d.getText('t').insert(0, 'a'))
      const u2 = captureUpdate(doc, (d) => d.getText('t').insert(1, 'b'))
      await s.docs.append('doc1', u1)
      await s.docs.append('doc1', u2)
      const loaded = (await s.docs.load('doc1')).updates
      expect(loaded.map((u) => Array.from(u))).toEqual([Array.from(u1), Array.from(u2)])
      await s.close()
    })

    it('[S2] concurrent appends all commit, in call order', async () => {
      const s = await factory.create()
      const doc = new Y.Doc()
      const updates = Array.from({ length: 50 }, (_, i) => captureUpdate(doc, (d) => d.getText('t').insert(i, String(i % 10))))
      await Promise.all(updates.map((u) => s.docs.append('doc2', u)))
      const loaded = (await s.docs.load('doc2')).updates
      expect(loaded).toHaveLength(50)
      expect(loaded.map((u) => Array.from(u))).toEqual(updates.map((u) => Array.from(u)))
      await s.close()
    })

    it('[S3] compaction keeps the same state, folds deleted content, and loses no concurrent append', async () => {
      const s = await factory.create()
      const doc = new Y.Doc()
      const updates: Uint8Array[] = []
      for (let i = 0; i < 20; i++) {
        updates.push(captureUpdate(doc, (d) => d.getText('t').insert(0, 'x'.repeat(1000))))
        updates.push(captureUpdate(doc, (d) => d.getText('t').delete(0, 1000)))
      }
      updates.push(captureUpdate(doc, (d) => d.getText('t').insert(0, 'kept')))
      for (const u of updates) await s.docs.append('doc3', u)
      const before = stateOf((await s.docs.load('doc3')).updates)
      const late = captureUpdate(doc, (d) => d.getText('t').insert(4, '!'))
      await Promise.all([s.docs.compact('doc3'), s.docs.append('doc3', late)])
      const after = (await s.docs.load('doc3')).updates
      expect(stateOf(after)).toBe(JSON.stringify('kept!'))
      expect(before).toBe(JSON.stringify('kept'))
      const bytes = after.reduce((n, u) => n + u.length, 0)
      expect(bytes).toBeLessThan(200)
      await s.close()
    })

    it('[S4] names are isolated', async () => {
      const s = await factory.create()
      const doc = new Y.Doc()
      await s.docs.append('a', captureUpdate(doc, (d) => d.getText('t').insert(0, 'a')))
      await s.docs.append('b', captureUpdate(doc, (d) => d.getText('t').insert(0, 'b')))
      await s.docs.compact('a')
      expect((await s.docs.load('a')).updates).toHaveLength(1)
      expect((await s.docs.load('b')).updates).toHaveLength(1)
      expect((await s.docs.load('c')).updates).toEqual([])
      await s.close()
    })

    if (factory.reopen) {
      it('[S5] close commits accepted appends; they load after reopening', async () => {
        const s = await factory.create()
        const doc = new Y.Doc()
        const pending = Array.from({ length: 10 }, (_, i) => s.docs.append('doc5', captureUpdate(doc, (d) => d.getText('t').insert(i, 'z'))))
        await s.close()
        await Promise.all(pending)
        const again = await factory.reopen!()
        expect(stateOf((await again.docs.load('doc5')).updates)).toBe(JSON.stringify('z'.repeat(10)))
        await again.close()
      })
    }

    it('[S6] attribution facts are stored with their updates and survive compaction', async () => {
      const s = await factory.create()
      const doc = new Y.Doc()
      const engine = new AttributionEngine()
      engine.attach(doc, () => 'participant-1')
      const written: Array<{ update: Uint8Array; facts: Uint8Array | null }> = []
      doc.on('update', (update: Uint8Array, _o: unknown, _d: Y.Doc, tr: Y.Transaction) => written.push({ update, facts: engine.takeDelta(tr) }))
      const fragment = doc.getXmlFragment(FRAGMENT_NAME)
      for (const word of ['Customers ', 'want ', 'offline ', 'mode']) {
        doc.transact(() => {
          const p = new Y.XmlElement('paragraph')
          p.insert(0, [new Y.XmlText(word)])
          fragment.insert(fragment.length, [p])
        }, 'edit')
      }
      for (const w of written) await s.docs.append('doc6', w.update, w.facts)
      await s.docs.append('doc6', written[0]!.update)
      const loaded = await s.docs.load('doc6')
      expect(loaded.updates).toHaveLength(written.length + 1)
      expect(loaded.facts.map((f) => Array.from(f))).toEqual(written.flatMap((w) => (w.facts ? [Array.from(w.facts)] : [])))
      const attributionOf = (stored: { updates: Uint8Array[]; facts: Uint8Array[] }) => {
        const d = new Y.Doc()
        for (const u of stored.updates) Y.applyUpdate(d, u)
        return AttributionEngine.load(stored.facts).compute(d, new Map([['participant-1', { displayName: 'P', role: 'customer' as const }]]))
      }
      const before = attributionOf(loaded)
      expect(before.totals.customer).toBe('Customers want offline mode'.length)
      await s.docs.compact('doc6')
      const after = await s.docs.load('doc6')
      expect(after.updates).toHaveLength(1)
      expect(after.facts).toHaveLength(1)
      expect(attributionOf(after)).toEqual(before)
      await s.close()
    })

    it('[S7] replace swaps the whole stored state for the given snapshot and facts', async () => {
      const s = await factory.create()
      const doc = new Y.Doc()
      for (let i = 0; i < 5; i++) await s.docs.append('doc7', captureUpdate(doc, (d) => d.getText('t').insert(0, String(i))))
      await s.docs.compact('doc7')
      await s.docs.append('doc7', captureUpdate(doc, (d) => d.getText('t').insert(0, 'x')), new AttributionEngine().encode())
      await s.docs.append('other7', captureUpdate(doc, (d) => d.getText('t').insert(0, 'y')))
      const clean = new Y.Doc()
      clean.getText('t').insert(0, 'replaced')
      const snapshot = Y.encodeStateAsUpdate(clean)
      await s.docs.replace('doc7', snapshot, Uint8Array.of(42))
      expect(await s.docs.load('doc7')).toEqual({ updates: [snapshot], facts: [Uint8Array.of(42)] })
      expect((await s.docs.load('other7')).updates).toHaveLength(1)
      // Appends after a replace follow the snapshot; a replace without facts stores none.
      const later = captureUpdate(clean, (d) => d.getText('t').insert(8, '!'))
      await s.docs.append('doc7', later)
      expect(stateOf((await s.docs.load('doc7')).updates)).toBe(JSON.stringify('replaced!'))
      await s.docs.replace('doc7', snapshot, null)
      expect(await s.docs.load('doc7')).toEqual({ updates: [snapshot], facts: [] })
      await s.close()
      if (factory.reopen) {
        const reopened = await factory.reopen()
        expect(await reopened.docs.load('doc7')).toEqual({ updates: [snapshot], facts: [] })
        await reopened.close()
      }
    })

    it('[S*] ping answers while open', async () => {
      const s = await factory.create()
      await expect(s.docs.ping()).resolves.toBeUndefined()
      await s.close()
    })

    it('[M1]-[M4] spec metadata: create, get, list, rename, soft delete', async () => {
      const s = await factory.create()
      const a = await s.specs.create('Alpha')
      // Ordering by updatedAt needs the clock (ms resolution) to have moved on.
      await clockPast(a.updatedAt)
      const b = await s.specs.create('Beta')
      expect(a.id).not.toBe(b.id)
      expect(await s.specs.get(a.id)).toEqual(a)
      expect((await s.specs.list()).map((x) => x.id)).toEqual([b.id, a.id])
      await clockPast(b.updatedAt)
      const renamed = await s.specs.rename(a.id, 'Alpha 2')
      expect(renamed?.title).toBe('Alpha 2')
      expect(renamed!.updatedAt >= a.updatedAt).toBe(true)
      expect((await s.specs.list())[0]!.id).toBe(a.id)
      expect(await s.specs.softDelete(a.id)).toBe(true)
      expect(await s.specs.softDelete(a.id)).toBe(false)
      expect(await s.specs.get(a.id)).toBeNull()
      expect(await s.specs.rename(a.id, 'x')).toBeNull()
      expect((await s.specs.list()).map((x) => x.id)).toEqual([b.id])
      expect(await s.specs.get('missing-id-1')).toBeNull()
      await s.close()
    })

    it('[M5] touch records the last editor and moves updatedAt forward only', async () => {
      const s = await factory.create()
      const a = await s.specs.create('Alpha')
      const b = await s.specs.create('Beta')
      expect(a.lastEditedBy).toBeNull()
      const later = new Date(Date.parse(b.updatedAt) + 60_000).toISOString()
      await s.specs.touch(a.id, later, 'p-carla')
      expect(await s.specs.get(a.id)).toEqual({ ...a, updatedAt: later, lastEditedBy: 'p-carla' })
      // The most recently edited spec comes first.
      expect((await s.specs.list()).map((x) => x.id)).toEqual([a.id, b.id])
      // A late, older touch names its editor but never moves the time back.
      await s.specs.touch(a.id, a.createdAt, 'p-tess')
      expect(await s.specs.get(a.id)).toMatchObject({ updatedAt: later, lastEditedBy: 'p-tess' })
      // Unknown and deleted specs are ignored.
      await s.specs.touch('missing-id-1', later, 'p-carla')
      expect(await s.specs.softDelete(b.id)).toBe(true)
      await s.specs.touch(b.id, later, 'p-carla')
      expect(await s.specs.get(b.id)).toBeNull()
      await s.close()
    })
  })
}
