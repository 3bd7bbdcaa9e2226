/**
 * The review store contract: every ReviewStore implementation runs these, rule by rule
 * ([R1]-[R10] in server/review/review-store.ts).
 */
import { randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { DECISION_STATES, GENESIS_HASH, type DecisionEntry, type DecisionState } from '../../shared/api-review.js'
import { hashEntry, summarise, verifyChain } from '../../server/review/ledger.js'
import type { NewDecision, ReviewStore } from '../../server/review/review-store.js'

/** Direct access to a SQL backend's `review_decisions` rows, bypassing the store. */
export interface LedgerTamper {
  /** `UPDATE review_decisions SET <column> = value WHERE spec_id = specId AND seq = seq`. */
  update(specId: string, seq: number, column: string, value: string | number | null): Promise<void>
  /** `DELETE FROM review_decisions WHERE spec_id = specId AND seq = seq`. */
  remove(specId: string, seq: number): Promise<void>
}

/**
 * Builds stores for the contract. `create` returns a working store (a fresh database, or one
 * shared by the run: every test uses fresh spec ids); `another` a second store on the same
 * database as the last `create`d one (its own connection or pool); `reopen` closes the last
 * created store and opens its database again; `tamper` edits rows directly. The runner closes
 * what it made after each test.
 */
export interface ReviewStoreFactory {
  create(): Promise<ReviewStore>
  another?(): Promise<ReviewStore>
  reopen?(): Promise<ReviewStore>
  tamper?: LedgerTamper
}

/** A fresh spec id (the shape server/storage/ids.ts makes). */
export const newSpecId = (): string => randomBytes(12).toString('base64url')

const TEAM = 'acct-team-0001'
const FAC = 'acct-fac-0001'

/** A valid decision; `over` replaces fields. */
export const decision = (specId: string, subjectId: string, state: DecisionState, over: Partial<NewDecision> = {}): NewDecision => ({
  specId,
  subjectId,
  state,
  note: null,
  decidedBy: TEAM,
  role: 'team',
  ...over
})

/** Appends the five-entry ledger the tamper and durability rules use: subjects a b a c b. */
async function fiveEntries(store: ReviewStore, specId: string): Promise<DecisionEntry[]> {
  const out: DecisionEntry[] = []
  out.push(await store.append(decision(specId, '101:0', 'under_discussion')))
  out.push(await store.append(decision(specId, '202:7', 'accepted', { note: 'Thanks, that is on the list.' })))
  out.push(await store.append(decision(specId, '101:0', 'planned', { note: 'For Q3.\nSee the roadmap.', decidedBy: FAC, role: 'facilitator' })))
  out.push(await store.append(decision(specId, 'c0ffee_1.a-b', 'declined', { note: 'Out of scope — désolé 🙏' })))
  out.push(await store.append(decision(specId, '202:7', 'new')))
  return out
}

/** Registers the contract tests for one implementation. */
export function reviewContract(name: string, factory: ReviewStoreFactory): void {
  describe(`review store contract: ${name}`, () => {
    it('[R1] append seals an entry after the last one: seq, prevHash, time, supersedes, hash', async () => {
      const s = await factory.create()
      const spec = newSpecId()
      const before = Date.now()
      const first = await s.append(decision(spec, '101:0', 'accepted', { note: 'Yes.' }))
      const second = await s.append(decision(spec, '202:7', 'declined', { decidedBy: FAC, role: 'facilitator' }))
      const third = await s.append(decision(spec, '101:0', 'planned'))
      expect(first).toMatchObject({ specId: spec, seq: 1, subjectId: '101:0', state: 'accepted', note: 'Yes.', decidedBy: TEAM, role: 'team', supersedes: null, prevHash: GENESIS_HASH })
      expect(second).toMatchObject({ seq: 2, decidedBy: FAC, role: 'facilitator', note: null, supersedes: null, prevHash: first.hash })
      expect(third).toMatchObject({ seq: 3, supersedes: 1, prevHash: second.hash })
      for (const e of [first, second, third]) {
        expect(e.hash).toMatch(/^[0-9a-f]{64}$/)
        expect(e.hash).toBe(hashEntry(e))
        expect(new Date(e.decidedAt).toISOString()).toBe(e.decidedAt)
        expect(Date.parse(e.decidedAt)).toBeGreaterThanOrEqual(before - 1000)
        expect(Date.parse(e.decidedAt)).toBeLessThanOrEqual(Date.now() + 1000)
      }
    })

    it('[R2] history returns every entry in seq order, exactly as appended; unknown specs have none', async () => {
      const s = await factory.create()
      const spec = newSpecId()
      const appended = await fiveEntries(s, spec)
      expect(await s.history(spec)).toEqual(appended)
      expect(await s.history(newSpecId())).toEqual([])
    })

    it('[R3] a new decision supersedes the previous one, which stays unchanged', async () => {
      const s = await factory.create()
      const spec = newSpecId()
      const states: DecisionState[] = ['under_discussion', 'accepted', 'planned', 'declined', 'new', 'accepted']
      const entries: DecisionEntry[] = []
      for (const state of states) entries.push(await s.append(decision(spec, '7:3', state)))
      expect(entries.map((e) => e.supersedes)).toEqual([null, 1, 2, 3, 4, 5])
      expect(await s.history(spec)).toEqual(entries)
      const methods = Object.getOwnPropertyNames(Object.getPrototypeOf(s) as object).filter((m) => /update|edit|delete|remove|set/i.test(m))
      expect(methods).toEqual([])
    })

    it('[R4] current is the latest entry per subject in ledger order; counts cover every state', async () => {
      const s = await factory.create()
      const spec = newSpecId()
      expect(await s.current(spec)).toEqual([])
      expect(await s.countsByState(spec)).toEqual(Object.fromEntries(DECISION_STATES.map((st) => [st, 0])))
      const e = await fiveEntries(s, spec)
      expect(await s.current(spec)).toEqual([e[2], e[3], e[4]])
      expect(await s.countsByState(spec)).toEqual({ new: 1, under_discussion: 0, accepted: 0, planned: 1, declined: 1 })
      const more = await s.append(decision(spec, 'c0ffee_1.a-b', 'planned'))
      expect(await s.current(spec)).toEqual([e[2], e[4], more])
      expect(await s.countsByState(spec)).toEqual({ new: 1, under_discussion: 0, accepted: 0, planned: 2, declined: 0 })
      // The queries agree with what the history alone says.
      expect(summarise(await s.history(spec))).toEqual({ current: await s.current(spec), counts: await s.countsByState(spec) })
    })

    it('[R5] specs are isolated: each has its own numbering and chain', async () => {
      const s = await factory.create()
      const [x, y] = [newSpecId(), newSpecId()]
      const x1 = await s.append(decision(x, '1:1', 'accepted'))
      const y1 = await s.append(decision(y, '1:1', 'declined'))
      const x2 = await s.append(decision(x, '1:1', 'planned'))
      expect([x1.seq, y1.seq, x2.seq]).toEqual([1, 1, 2])
      expect(y1).toMatchObject({ prevHash: GENESIS_HASH, supersedes: null })
      expect(x2).toMatchObject({ prevHash: x1.hash, supersedes: 1 })
      expect(await s.history(y)).toEqual([y1])
      expect(await s.countsByState(x)).toMatchObject({ planned: 1, declined: 0 })
      expect(await s.countsByState(y)).toMatchObject({ planned: 0, declined: 1 })
    })

    it('[R6] refuses input no decision may carry, and stores nothing', async () => {
      const s = await factory.create()
      const spec = newSpecId()
      const ok = await s.append(decision(spec, '1:1', 'accepted'))
      const bad: Array<Partial<NewDecision>> = [
        { state: 'approved' as DecisionState },
        { role: 'customer' as 'team' },
        { specId: 'short' },
        { subjectId: '' },
        { subjectId: 'has space' },
        { subjectId: 'x'.repeat(129) },
        { note: '' },
        { note: ' padded ' },
        { note: 'x'.repeat(2001) },
        { note: 'nul \u0000 inside' },
        { note: 'lone \ud800 surrogate' },
        { decidedBy: '' }
      ]
      for (const over of bad) {
        await expect(s.append(decision(spec, '1:1', 'declined', over)), JSON.stringify(over)).rejects.toBeInstanceOf(RangeError)
      }
      expect(await s.history(spec)).toEqual([ok])
      expect((await s.append(decision(spec, '1:1', 'declined'))).seq).toBe(2)
    })

    it('[R7] concurrent appends on one spec are serialised: contiguous seqs, one valid chain', async () => {
      const a = await factory.create()
      const b = factory.another ? await factory.another() : a
      const spec = newSpecId()
      const other = newSpecId()
      const n = 40
      const results = await Promise.all(
        Array.from({ length: n }, (_, i) =>
          (i % 2 === 0 ? a : b).append(decision(i % 7 === 6 ? other : spec, `${i % 5}:0`, DECISION_STATES[i % DECISION_STATES.length]!))
        )
      )
      const history = await a.history(spec)
      expect(history.map((e) => e.seq)).toEqual(Array.from({ length: history.length }, (_, i) => i + 1))
      expect(history.length + (await a.history(other)).length).toBe(n)
      expect(verifyChain(spec, history)).toMatchObject({ ok: true, entries: history.length })
      expect(verifyChain(other, await b.history(other))).toMatchObject({ ok: true })
      // Each append resolved with the entry that was stored.
      const stored = new Map(history.map((e) => [e.hash, e]))
      for (const r of results.filter((e) => e.specId === spec)) expect(stored.get(r.hash)).toEqual(r)
    })

    it('[R8] an untouched ledger verifies; an empty one too', async () => {
      const s = await factory.create()
      const spec = newSpecId()
      expect(verifyChain(spec, await s.history(spec))).toEqual({ ok: true, entries: 0, head: null })
      const e = await fiveEntries(s, spec)
      expect(verifyChain(spec, await s.history(spec))).toEqual({ ok: true, entries: 5, head: e[4]!.hash })
    })

    if (factory.reopen) {
      const reopen = factory.reopen
      it('[R9] entries survive close and reopen, still verify, and the chain continues', async () => {
        const s = await factory.create()
        const spec = newSpecId()
        const e = await fiveEntries(s, spec)
        const again = await reopen()
        expect(await again.history(spec)).toEqual(e)
        expect(await again.current(spec)).toEqual([e[2], e[3], e[4]])
        const next = await again.append(decision(spec, '101:0', 'accepted'))
        expect(next).toMatchObject({ seq: 6, prevHash: e[4]!.hash, supersedes: 3 })
        expect(verifyChain(spec, await again.history(spec))).toMatchObject({ ok: true, entries: 6 })
      })
    }

    if (factory.tamper) {
      const tamper = factory.tamper
      it('[R10] a row edited in the database is caught at its index, whatever column changed', async () => {
        const s = await factory.create()
        const spec = newSpecId()
        const e = await fiveEntries(s, spec)
        const target = e[2]! // seq 3: subject 101:0, supersedes 1, a note, a facilitator
        const edits: Array<[string, string | number | null, string | number | null]> = [
          ['state', 'declined', target.state],
          ['note', 'For Q4.\nSee the roadmap.', target.note],
          ['note', null, target.note],
          ['subject_id', '101:1', target.subjectId],
          ['decided_by', TEAM, target.decidedBy],
          ['role', 'team', target.role],
          ['decided_at', new Date(Date.parse(target.decidedAt) + 1).toISOString(), target.decidedAt],
          ['supersedes', null, target.supersedes],
          ['prev_hash', 'f'.repeat(64), target.prevHash],
          ['hash', hashEntry({ ...target, state: 'declined' }), target.hash]
        ]
        for (const [column, value, original] of edits) {
          await tamper.update(spec, 3, column, value)
          expect(verifyChain(spec, await s.history(spec)), `${column} = ${String(value)}`).toEqual({ ok: false, entries: 5, firstBadIndex: 2, head: e[4]!.hash })
          await tamper.update(spec, 3, column, original)
          expect(verifyChain(spec, await s.history(spec))).toMatchObject({ ok: true })
        }
        // Rewriting a decision and recomputing its hash breaks the link from the next entry.
        await tamper.update(spec, 3, 'state', 'declined')
        await tamper.update(spec, 3, 'hash', hashEntry({ ...target, state: 'declined' }))
        expect(verifyChain(spec, await s.history(spec))).toMatchObject({ ok: false, firstBadIndex: 3 })
        await tamper.update(spec, 3, 'state', target.state)
        await tamper.update(spec, 3, 'hash', target.hash)
        // Renumbering a row, or moving it to another spec, breaks the sequence at that index.
        await tamper.update(spec, 3, 'seq', 30)
        expect(verifyChain(spec, await s.history(spec))).toMatchObject({ ok: false, firstBadIndex: 2 })
        await tamper.update(spec, 30, 'seq', 3)
        const elsewhere = newSpecId()
        await tamper.update(spec, 3, 'spec_id', elsewhere)
        expect(verifyChain(spec, await s.history(spec))).toMatchObject({ ok: false, firstBadIndex: 2 })
        expect(verifyChain(elsewhere, await s.history(elsewhere))).toMatchObject({ ok: false, firstBadIndex: 0 })
        await tamper.update(elsewhere, 3, 'spec_id', spec)
        expect(verifyChain(spec, await s.history(spec))).toMatchObject({ ok: true })
      })

      it('[R10] a row deleted from the middle is caught; a cut tail shows only as a changed head', async () => {
        const s = await factory.create()
        const spec = newSpecId()
        const e = await fiveEntries(s, spec)
        await tamper.remove(spec, 2)
        expect(verifyChain(spec, await s.history(spec))).toEqual({ ok: false, entries: 4, firstBadIndex: 1, head: e[4]!.hash })
        const tail = newSpecId()
        const t = await fiveEntries(s, tail)
        await tamper.remove(tail, 5)
        const cut = verifyChain(tail, await s.history(tail))
        expect(cut).toEqual({ ok: true, entries: 4, head: t[3]!.hash })
        expect(cut.head).not.toBe(t[4]!.hash)
      })
    }
  })
}
