/**
 * The answers store contract: every AnswersStore implementation runs these, rule by rule
 * ([A1]-[A7] in server/review/answers-store.ts).
 */
import { describe, expect, it } from 'vitest'
import type { AnswersStore } from '../../server/review/answers-store.js'
import { newSpecId } from './review.contract.js'

/**
 * Builds stores for the contract: `create` a working store (fresh, or shared by the run: every
 * test uses fresh ids); `reopen` closes the last created store and opens its database again.
 * The runner closes what it made after each test.
 */
export interface AnswersStoreFactory {
  create(): Promise<AnswersStore>
  reopen?(): Promise<AnswersStore>
}

/** A participant id nobody else in the run uses. */
const newParticipant = (): string => `p-${newSpecId()}`

export function answersContract(name: string, factory: AnswersStoreFactory): void {
  describe(`answers store contract: ${name}`, () => {
    it('[A1] decisions are private until made public; the last set wins; specs are isolated', async () => {
      const s = await factory.create()
      const one = newSpecId()
      const two = newSpecId()
      expect(await s.decisionsPublic(one)).toBe(false)
      await s.setDecisionsPublic(one, true)
      expect([await s.decisionsPublic(one), await s.decisionsPublic(two)]).toEqual([true, false])
      await s.setDecisionsPublic(one, false)
      await s.setDecisionsPublic(two, true)
      expect([await s.decisionsPublic(one), await s.decisionsPublic(two)]).toEqual([false, true])
    })

    it('[A7] team exports are off until allowed; independent of public decisions; per spec', async () => {
      const s = await factory.create()
      const [one, two] = [newSpecId(), newSpecId()]
      expect(await s.teamMayExport(one)).toBe(false)
      await s.setDecisionsPublic(one, true)
      expect(await s.teamMayExport(one)).toBe(false)
      await s.setTeamMayExport(one, true)
      await s.setTeamMayExport(two, false)
      expect([await s.teamMayExport(one), await s.teamMayExport(two), await s.decisionsPublic(one)]).toEqual([true, false, true])
      await s.setDecisionsPublic(one, false)
      expect(await s.teamMayExport(one)).toBe(true)
      await s.setTeamMayExport(one, false)
      expect(await s.teamMayExport(one)).toBe(false)
      await expect(s.setTeamMayExport('', true)).rejects.toThrow(RangeError)
    })

    it('[A2] seen marks start null, only move forward, and are per participant and spec', async () => {
      const s = await factory.create()
      const [ann, bob] = [newParticipant(), newParticipant()]
      const [one, two] = [newSpecId(), newSpecId()]
      expect(await s.seenUpTo(ann, one)).toBeNull()
      expect(await s.markSeen(ann, one, '2026-12-01T10:00:00.000Z')).toBe('2026-12-01T10:00:00.000Z')
      // An earlier mark leaves the later one; a later one replaces it.
      expect(await s.markSeen(ann, one, '2026-12-01T09:00:00.000Z')).toBe('2026-12-01T10:00:00.000Z')
      expect(await s.markSeen(ann, one, '2026-12-01T10:00:00.001Z')).toBe('2026-12-01T10:00:00.001Z')
      expect(await s.seenUpTo(ann, one)).toBe('2026-12-01T10:00:00.001Z')
      expect(await s.seenUpTo(ann, two)).toBeNull()
      expect(await s.seenUpTo(bob, one)).toBeNull()
      // Concurrent marks: the latest wins whatever the order they land in.
      await Promise.all(['2026-12-01T11:00:00.000Z', '2026-12-01T12:00:00.000Z', '2026-12-01T10:30:00.000Z'].map((t) => s.markSeen(bob, one, t)))
      expect(await s.seenUpTo(bob, one)).toBe('2026-12-01T12:00:00.000Z')
    })

    it('[A3] seenOf maps every marked spec of one participant', async () => {
      const s = await factory.create()
      const [ann, bob] = [newParticipant(), newParticipant()]
      const [one, two] = [newSpecId(), newSpecId()]
      expect(await s.seenOf(ann)).toEqual(new Map())
      await s.markSeen(ann, one, '2026-12-01T10:00:00.000Z')
      await s.markSeen(ann, two, '2026-12-02T10:00:00.000Z')
      await s.markSeen(bob, one, '2026-12-03T10:00:00.000Z')
      expect(await s.seenOf(ann)).toEqual(new Map([[one, '2026-12-01T10:00:00.000Z'], [two, '2026-12-02T10:00:00.000Z']]))
    })

    it('[A4] digests are on with no watermark until changed; switch and watermark are independent', async () => {
      const s = await factory.create()
      const [ann, bob] = [newParticipant(), newParticipant()]
      expect(await s.digest(ann)).toEqual({ enabled: true, mailedUpTo: null })
      await s.setDigestEnabled(ann, false)
      expect(await s.digest(ann)).toEqual({ enabled: false, mailedUpTo: null })
      await s.advanceMailed(ann, '2026-12-01T10:00:00.000Z')
      expect(await s.digest(ann)).toEqual({ enabled: false, mailedUpTo: '2026-12-01T10:00:00.000Z' })
      await s.advanceMailed(ann, '2026-12-01T08:00:00.000Z')
      await s.setDigestEnabled(ann, true)
      expect(await s.digest(ann)).toEqual({ enabled: true, mailedUpTo: '2026-12-01T10:00:00.000Z' })
      await s.advanceMailed(bob, '2026-12-02T10:00:00.000Z')
      expect(await s.digest(bob)).toEqual({ enabled: true, mailedUpTo: '2026-12-02T10:00:00.000Z' })
    })

    it('[A5] malformed input is refused and stores nothing; equal instants are one instant', async () => {
      const s = await factory.create()
      const p = newParticipant()
      const spec = newSpecId()
      for (const bad of ['yesterday', '2026-12-01 10:00:00', '2026-12-01T10:00:00', '2026-13-01T10:00:00Z', '']) {
        await expect(s.markSeen(p, spec, bad), bad).rejects.toThrow(RangeError)
        await expect(s.advanceMailed(p, bad), bad).rejects.toThrow(RangeError)
      }
      await expect(s.markSeen('', spec, '2026-12-01T10:00:00Z')).rejects.toThrow(RangeError)
      await expect(s.markSeen(p, '', '2026-12-01T10:00:00Z')).rejects.toThrow(RangeError)
      await expect(s.setDecisionsPublic('', true)).rejects.toThrow(RangeError)
      await expect(s.setDigestEnabled('', false)).rejects.toThrow(RangeError)
      expect(await s.seenOf(p)).toEqual(new Map())
      expect(await s.digest(p)).toEqual({ enabled: true, mailedUpTo: null })
      expect(await s.markSeen(p, spec, '2026-12-01T11:00:00+01:00')).toBe('2026-12-01T10:00:00.000Z')
      expect(await s.markSeen(p, spec, '2026-12-01T10:00:00Z')).toBe('2026-12-01T10:00:00.000Z')
      // Text order would put "…00Z" after "…00.5Z"; time order does not.
      expect(await s.markSeen(p, spec, '2026-12-01T10:00:00.5Z')).toBe('2026-12-01T10:00:00.500Z')
    })

    // Durable backends only (a memory store has nothing to reopen).
    if (factory.reopen) {
      it('[A6] settings, marks and digests survive close and reopen', async () => {
        const s = await factory.create()
        const p = newParticipant()
        const spec = newSpecId()
        await s.setDecisionsPublic(spec, true)
        await s.setTeamMayExport(spec, true)
        await s.markSeen(p, spec, '2026-12-01T10:00:00.000Z')
        await s.setDigestEnabled(p, false)
        await s.advanceMailed(p, '2026-12-01T09:00:00.000Z')
        const again = await factory.reopen!()
        expect(await again.decisionsPublic(spec)).toBe(true)
        expect(await again.teamMayExport(spec)).toBe(true)
        expect(await again.seenUpTo(p, spec)).toBe('2026-12-01T10:00:00.000Z')
        expect(await again.digest(p)).toEqual({ enabled: false, mailedUpTo: '2026-12-01T09:00:00.000Z' })
      })
    }
  })
}
