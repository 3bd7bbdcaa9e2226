/**
 * The removals store contract: every RemovalStore implementation runs these, rule by rule
 * ([M1]-[M6] in server/review/removal-store.ts).
 */
import { describe, expect, it } from 'vitest'
import type { RemovalRecord, RemovalStore } from '../../server/review/removal-store.js'
import { newSpecId } from './review.contract.js'

/**
 * Builds stores for the contract: `create` a working store (fresh, or shared by the run: every
 * test uses fresh spec ids); `reopen` closes the last created store and opens its database
 * again; `another` opens a second store on the last created store's database (a second
 * connection or process). The runner closes what it made after each test.
 */
export interface RemovalStoreFactory {
  create(): Promise<RemovalStore>
  reopen?(): Promise<RemovalStore>
  another?(): Promise<RemovalStore>
}

const place = { inText: 'AQID', inFragment: 'BAUG', blockType: 'paragraph', level: null, blockKey: '7:0' }

/** A valid open removal; `over` replaces fields. */
export const removal = (specId: string, id: string, over: Partial<RemovalRecord> = {}): RemovalRecord => ({
  specId,
  id,
  contributionId: 'c7-0',
  text: 'offline mode',
  authorId: 'acct-cust-0001',
  authorRole: 'customer',
  removedBy: 'acct-team-0001',
  removedByRole: 'team',
  removedAt: '2026-12-01T10:00:00.000Z',
  origins: [{ client: 7, clock: 0, len: 12 }],
  pieces: [{ text: 'offline mode', place: { ...place } }],
  status: 'open',
  restoredBy: null,
  restoredByRole: null,
  restoredAt: null,
  ...over
})

const restoredPatch = { status: 'restored' as const, restoredBy: 'acct-team-0002', restoredByRole: 'facilitator' as const, restoredAt: '2026-12-01T11:00:00.000Z' }

export function removalsContract(name: string, factory: RemovalStoreFactory): void {
  describe(`removals store contract: ${name}`, () => {
    it('[M1] add stores a removal exactly; a second add of the id is refused and changes nothing', async () => {
      const s = await factory.create()
      const spec = newSpecId()
      const text = 'Ölçü — 日本語 🙏'
      const r = removal(spec, 'rA_b-9', {
        text: `${text}\nzweite Zeile`,
        pieces: [
          { text, place: { ...place, inText: null, blockType: 'heading', level: 2, blockKey: '9007199254740991:3' } },
          { text: 'zweite Zeile', place: { ...place } }
        ],
        origins: [
          { client: Number.MAX_SAFE_INTEGER, clock: 3, len: text.length },
          { client: 4294967295, clock: 0, len: 12 }
        ],
        contributionId: null
      })
      await s.add(r)
      expect(await s.get(spec, 'rA_b-9')).toEqual(r)
      await expect(s.add(removal(spec, 'rA_b-9', { authorId: 'acct-other' }))).rejects.toThrow(RangeError)
      expect(await s.list(spec)).toEqual([r])
    })

    it('[M2] list is in (removedAt, id) order, by author; get; unknown spec and id', async () => {
      const s = await factory.create()
      const spec = newSpecId()
      const c = removal(spec, 'rc', { removedAt: '2026-12-01T12:00:00.000Z' })
      const b = removal(spec, 'rb', { removedAt: '2026-12-01T09:00:00.000Z', authorId: 'acct-cust-0002' })
      const a = removal(spec, 'ra', { removedAt: '2026-12-01T09:00:00.000Z' })
      for (const r of [c, b, a]) await s.add(r)
      expect(await s.list(spec)).toEqual([a, b, c])
      expect(await s.list(spec, 'acct-cust-0001')).toEqual([a, c])
      expect(await s.list(newSpecId())).toEqual([])
      expect(await s.get(spec, 'rb')).toEqual(b)
      expect(await s.get(spec, 'rzz')).toBeNull()
    })

    it('[M3] specs are isolated', async () => {
      const s = await factory.create()
      const one = newSpecId()
      const two = newSpecId()
      await s.add(removal(one, 'rx'))
      await s.add(removal(two, 'rx', { text: 'dark theme', pieces: [{ text: 'dark theme', place }], origins: [{ client: 1, clock: 0, len: 10 }] }))
      expect((await s.list(one)).map((r) => r.text)).toEqual(['offline mode'])
      expect((await s.get(two, 'rx'))?.text).toBe('dark theme')
      await s.transition(one, 'rx', ['open'], restoredPatch)
      expect((await s.get(two, 'rx'))?.status).toBe('open')
    })

    it('[M4] malformed removals are refused whole', async () => {
      const s = await factory.create()
      const spec = newSpecId()
      const bad: Array<Partial<RemovalRecord>> = [
        { id: 'x1' },
        { id: 'r' },
        { id: 'r/../1' },
        { authorId: '' },
        { removedBy: '' },
        { removedAt: '2026-12-01 10:00' },
        { pieces: [] },
        { text: 'something else' },
        { origins: [{ client: -1, clock: 0, len: 12 }] },
        { origins: [{ client: 7, clock: 0, len: 0 }, { client: 7, clock: 1, len: 12 }] },
        { origins: [{ client: 7, clock: 0, len: 11 }] },
        { status: 'restored' },
        { restoredBy: 'acct-team-0001' },
        { contributionId: '' }
      ]
      for (const over of bad) await expect(s.add(removal(spec, 'rbad', over)), JSON.stringify(over)).rejects.toThrow(RangeError)
      expect(await s.list(spec)).toEqual([])
    })

    it('[M5] transition is a compare-and-set', async () => {
      const s = await factory.create()
      const spec = newSpecId()
      await s.add(removal(spec, 'r1'))
      expect(await s.transition(spec, 'r1', ['returned'], restoredPatch)).toBeNull()
      expect(await s.transition(spec, 'rnone', ['open'], restoredPatch)).toBeNull()
      expect(await s.transition(spec, 'r1', ['open'], restoredPatch)).toEqual({ ...removal(spec, 'r1'), ...restoredPatch })
      expect(await s.transition(spec, 'r1', ['open'], restoredPatch)).toBeNull()
      const back = { status: 'open' as const, restoredBy: null, restoredByRole: null, restoredAt: null }
      expect(await s.transition(spec, 'r1', ['restored'], back)).toEqual(removal(spec, 'r1'))
      // Concurrent transitions out of one status: exactly one wins.
      const results = await Promise.all(Array.from({ length: 8 }, () => s.transition(spec, 'r1', ['open'], restoredPatch)))
      expect(results.filter((r) => r !== null)).toHaveLength(1)
      expect((await s.get(spec, 'r1'))?.status).toBe('restored')
    })

    if (factory.another) {
      it('[M5] of two connections restoring at once, exactly one wins', async () => {
        const s = await factory.create()
        const spec = newSpecId()
        await s.add(removal(spec, 'r2'))
        const t = await factory.another!()
        const results = await Promise.all([s, t, s, t].map((store) => store.transition(spec, 'r2', ['open'], restoredPatch)))
        expect(results.filter((r) => r !== null)).toHaveLength(1)
      })
    }

    // Durable backends only (a memory store has nothing to reopen).
    if (factory.reopen) {
      it('[M6] removals survive close and reopen', async () => {
        const s = await factory.create()
        const spec = newSpecId()
        await s.add(removal(spec, 'r3'))
        await s.transition(spec, 'r3', ['open'], restoredPatch)
        const again = await factory.reopen!()
        expect(await again.list(spec)).toEqual([{ ...removal(spec, 'r3'), ...restoredPatch }])
      })
    }
  })
}
