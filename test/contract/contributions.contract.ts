/**
 * The contributions store contract: every ContributionStore implementation runs these, rule by
 * rule ([K1]-[K6] in server/review/contribution-store.ts).
 */
import { describe, expect, it } from 'vitest'
import type { ContributionRecord, ContributionStore } from '../../server/review/contribution-store.js'
import { EXCERPT_LENGTH } from '../../server/review/contributions.js'
import { newSpecId } from './review.contract.js'

/**
 * Builds stores for the contract: `create` a working store (fresh, or shared by the run: every
 * test uses fresh spec ids); `reopen` closes the last created store and opens its database
 * again. The runner closes what it made after each test.
 */
export interface ContributionStoreFactory {
  create(): Promise<ContributionStore>
  reopen?(): Promise<ContributionStore>
}

/** A valid record; `over` replaces fields. */
export const record = (specId: string, id: string, over: Partial<ContributionRecord> = {}): ContributionRecord => ({
  specId,
  id,
  participantId: 'acct-cust-0001',
  panelIds: ['panel-a'],
  createdAt: '2026-12-01T10:00:00.000Z',
  updatedAt: '2026-12-01T10:00:00.000Z',
  origins: [{ client: Number(id.slice(1).split('-')[0]), clock: Number(id.split('-')[1]), len: 12 }],
  excerpt: 'offline mode',
  chars: 12,
  ...over
})

export function contributionsContract(name: string, factory: ContributionStoreFactory): void {
  describe(`contributions store contract: ${name}`, () => {
    it('[K1] save upserts; participant, panels and creation time stay as first stored', async () => {
      const s = await factory.create()
      const spec = newSpecId()
      await s.save([record(spec, 'c7-0')])
      const later = record(spec, 'c7-0', {
        participantId: 'acct-other-0002',
        panelIds: ['panel-b'],
        createdAt: '2026-12-01T11:00:00.000Z',
        updatedAt: '2026-12-01T11:30:00.000Z',
        origins: [
          { client: 7, clock: 0, len: 12 },
          { client: 9, clock: 40, len: 5 }
        ],
        excerpt: 'offline mode and sync',
        chars: 21
      })
      await s.save([later])
      expect(await s.list(spec)).toEqual([{ ...later, participantId: 'acct-cust-0001', panelIds: ['panel-a'], createdAt: '2026-12-01T10:00:00.000Z' }])
    })

    it('[K2] list is in (createdAt, id) order, exactly as saved; by participant; unknown spec empty', async () => {
      const s = await factory.create()
      const spec = newSpecId()
      const a = record(spec, 'c4294967295-9007199254740', { createdAt: '2026-12-01T09:00:00.000Z', excerpt: 'Ölçü — 日本語 🙏\nzweite Zeile', panelIds: [] })
      const b = record(spec, 'c10-5', { participantId: 'acct-cust-0002' })
      const c = record(spec, 'c2-0')
      await s.save([b, c])
      await s.save([a])
      expect(await s.list(spec)).toEqual([a, b, c].sort((x, y) => (x.createdAt + x.id < y.createdAt + y.id ? -1 : 1)))
      expect((await s.list(spec)).map((r) => r.id)).toEqual(['c4294967295-9007199254740', 'c10-5', 'c2-0'])
      expect(await s.list(spec, 'acct-cust-0002')).toEqual([b])
      expect(await s.list(newSpecId())).toEqual([])
    })

    it('[K3] specs are isolated', async () => {
      const s = await factory.create()
      const one = newSpecId()
      const two = newSpecId()
      await s.save([record(one, 'c1-0', { excerpt: 'one' })])
      await s.save([record(two, 'c1-0', { excerpt: 'two' })])
      expect((await s.list(one)).map((r) => r.excerpt)).toEqual(['one'])
      expect((await s.list(two)).map((r) => r.excerpt)).toEqual(['two'])
    })

    it('[K4] malformed records are refused and nothing of the batch is stored', async () => {
      const s = await factory.create()
      const spec = newSpecId()
      const bad: Array<Partial<ContributionRecord>> = [
        { id: '101:0' },
        { id: 'c01-0' },
        { id: 'c9007199254740992-0' },
        { participantId: '' },
        { createdAt: 'yesterday' },
        { updatedAt: '2026-12-01 10:00:00' },
        { origins: [{ client: 1, clock: -1, len: 3 }] },
        { origins: [{ client: 1, clock: 0, len: 0 }] },
        { origins: [{ client: 1.5, clock: 0, len: 1 }] },
        { excerpt: 'x'.repeat(EXCERPT_LENGTH + 1) },
        { chars: -1 },
        { panelIds: [''] }
      ]
      for (const over of bad) {
        await expect(s.save([record(spec, 'c1-0'), record(spec, 'c2-0', over)]), JSON.stringify(over)).rejects.toThrow(RangeError)
      }
      expect(await s.list(spec)).toEqual([])
    })

    it('[K5] a save of many records stores them all', async () => {
      const s = await factory.create()
      const spec = newSpecId()
      const many = Array.from({ length: 200 }, (_, i) => record(spec, `c${i + 1}-${i}`, { createdAt: `2026-12-01T10:00:${String(i % 60).padStart(2, '0')}.000Z` }))
      await s.save(many)
      expect((await s.list(spec)).length).toBe(200)
    })

    // Durable backends only (a memory store has nothing to reopen), like the storage contract's [S5].
    if (factory.reopen) {
      it('[K6] contributions survive close and reopen', async () => {
        const s = await factory.create()
        const spec = newSpecId()
        await s.save([record(spec, 'c3-4')])
        const again = await factory.reopen!()
        expect(await again.list(spec)).toEqual([record(spec, 'c3-4')])
      })
    }
  })
}
