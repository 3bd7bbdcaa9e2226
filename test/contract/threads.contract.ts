/**
 * The threads store contract: every ThreadStore implementation runs these, rule by rule
 * ([T1]-[T9] in server/review/thread-store.ts).
 */
import { randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { MAX_COMMENT_LENGTH } from '../../shared/api-threads.js'
import { MAX_QUOTE_LENGTH, ThreadLimitError, type CommentRecord, type NewThread, type ThreadLimits, type ThreadStore } from '../../server/review/thread-store.js'
import { encodeRuns } from '../../server/review/thread-anchors.js'
import { newSpecId } from './review.contract.js'

/**
 * Builds stores for the contract: `create` a working store with the given limits (default: the
 * documented ones); `reopen` closes the last created store and opens its database again. The
 * runner closes what it made after each test.
 */
export interface ThreadStoreFactory {
  create(limits?: ThreadLimits): Promise<ThreadStore>
  reopen?(): Promise<ThreadStore>
}

const id22 = (): string => randomBytes(16).toString('base64url')
/** A fresh thread id. */
export const threadId = (): string => `t${id22()}`
/** A fresh comment id. */
export const commentId = (): string => `m${id22()}`

/** A valid comment; `over` replaces fields. */
export const comment = (over: Partial<CommentRecord> = {}): CommentRecord => ({
  id: commentId(),
  authorId: 'acct-cust-0001',
  role: 'customer',
  body: 'Could this work offline?',
  createdAt: '2026-12-01T10:00:00.000Z',
  ...over
})

/** A valid new thread; `over` replaces fields. */
export const newThread = (specId: string, over: Partial<NewThread> = {}): NewThread => ({
  specId,
  id: threadId(),
  contributionId: null,
  start: 'AQKFyZS5CAA=',
  end: 'AQKFyZS5CAU=',
  anchored: encodeRuns([{ client: 2217347717, clock: 0, len: 12 }]),
  quote: 'offline mode',
  createdBy: 'acct-cust-0001',
  createdRole: 'customer',
  createdAt: '2026-12-01T10:00:00.000Z',
  comment: comment(),
  ...over
})

const TEAM = { by: 'acct-team-0001', role: 'team', at: '2026-12-01T11:00:00.000Z' } as const

export function threadsContract(name: string, factory: ThreadStoreFactory): void {
  describe(`threads store contract: ${name}`, () => {
    it('[T1] create stores an open thread with its opening comment, exactly as given', async () => {
      const s = await factory.create()
      const spec = newSpecId()
      const t = newThread(spec, { quote: 'Ölçü — 日本語 🙏\nzweite Zeile', contributionId: 'c4294967295-12', comment: comment({ body: 'Tab\there\nand 🙏' }) })
      const created = await s.create(t)
      const { comment: first, ...rest } = t
      const expected = { ...rest, status: 'open', resolvedBy: null, resolvedRole: null, resolvedAt: null, comments: [first] }
      expect(created).toEqual(expected)
      expect(await s.get(spec, t.id)).toEqual(expected)
      expect(await s.list(spec)).toEqual([expected])
    })

    it('[T2] replies append in order; a reply to an unknown thread stores nothing', async () => {
      const s = await factory.create()
      const spec = newSpecId()
      const t = await s.create(newThread(spec))
      const r1 = comment({ authorId: 'acct-team-0001', role: 'team', body: 'Yes, planned.' })
      const r2 = comment({ authorId: 'inv-view-0001', role: 'viewer', body: 'Me too' })
      await s.reply(spec, t.id, r1)
      const after = await s.reply(spec, t.id, r2)
      expect(after!.comments).toEqual([...t.comments, r1, r2])
      expect(await s.reply(spec, threadId(), comment())).toBeNull()
      expect((await s.list(spec)).map((x) => x.comments.length)).toEqual([3])
    })

    it('[T3] resolve records who and when; reopen clears it; same status changes nothing; comments survive', async () => {
      const s = await factory.create()
      const spec = newSpecId()
      const t = await s.create(newThread(spec))
      const resolved = await s.setStatus(spec, t.id, { status: 'resolved', ...TEAM })
      expect(resolved!.changed).toBe(true)
      expect(resolved!.thread).toMatchObject({ status: 'resolved', resolvedBy: TEAM.by, resolvedRole: 'team', resolvedAt: TEAM.at })
      const again = await s.setStatus(spec, t.id, { status: 'resolved', by: 'acct-fac-0001', role: 'facilitator', at: '2026-12-01T12:00:00.000Z' })
      expect(again).toEqual({ thread: resolved!.thread, changed: false })
      await s.reply(spec, t.id, comment({ body: 'still here' }))
      const reopened = await s.setStatus(spec, t.id, { status: 'open', by: 'acct-cust-0001', role: 'customer', at: '2026-12-01T13:00:00.000Z' })
      expect(reopened!.changed).toBe(true)
      expect(reopened!.thread).toMatchObject({ status: 'open', resolvedBy: null, resolvedRole: null, resolvedAt: null })
      expect(reopened!.thread.comments.map((c) => c.body)).toEqual(['Could this work offline?', 'still here'])
      expect((await s.setStatus(spec, t.id, { status: 'open', ...TEAM }))!.changed).toBe(false)
      expect(await s.setStatus(spec, threadId(), { status: 'resolved', ...TEAM })).toBeNull()
    })

    it('[T4] list is in creation order; unknown spec and thread are empty', async () => {
      const s = await factory.create()
      const spec = newSpecId()
      const ids: string[] = []
      // Creation order, not id or time order: later threads carry earlier timestamps and smaller ids.
      for (let i = 0; i < 5; i++) {
        const t = newThread(spec, { id: `t${String(9 - i).repeat(22)}`, createdAt: `2026-12-01T10:00:0${9 - i}.000Z` })
        ids.push((await s.create(t)).id)
      }
      expect((await s.list(spec)).map((t) => t.id)).toEqual(ids)
      expect(await s.list(newSpecId())).toEqual([])
      expect(await s.get(spec, threadId())).toBeNull()
    })

    it('[T5] specs are isolated', async () => {
      const s = await factory.create()
      const one = newSpecId()
      const two = newSpecId()
      const t = await s.create(newThread(one))
      await s.create(newThread(two, { id: t.id, quote: 'two' }))
      expect((await s.list(one)).map((x) => x.quote)).toEqual(['offline mode'])
      expect((await s.list(two)).map((x) => x.quote)).toEqual(['two'])
      await s.reply(two, t.id, comment())
      expect((await s.get(one, t.id))!.comments).toHaveLength(1)
      expect(await s.get(newSpecId(), t.id)).toBeNull()
    })

    it('[T6] malformed input is refused with a RangeError and stores nothing', async () => {
      const s = await factory.create()
      const spec = newSpecId()
      const bad: Array<Partial<NewThread>> = [
        { id: 'thread-1' },
        { specId: '' },
        { contributionId: 'c01' },
        { start: '' },
        { end: 'not base64!' },
        { start: 'A'.repeat(200) },
        { anchored: '' },
        { anchored: encodeRuns([]) },
        { anchored: 'AQID' },
        { quote: 'x'.repeat(MAX_QUOTE_LENGTH + 1) },
        { createdBy: '' },
        { createdRole: 'admin' as never },
        { createdAt: 'yesterday' },
        { comment: comment({ id: 'c-1' }) },
        { comment: comment({ body: '' }) },
        { comment: comment({ body: ' padded ' }) },
        { comment: comment({ body: 'x'.repeat(MAX_COMMENT_LENGTH + 1) }) },
        { comment: comment({ body: 'nul\u0000' }) },
        { comment: comment({ body: 'lone \ud800' }) },
        { comment: comment({ role: 'owner' as never }) }
      ]
      for (const over of bad) await expect(s.create(newThread(spec, over)), JSON.stringify(over)).rejects.toThrow(RangeError)
      expect(await s.list(spec)).toEqual([])
      const t = await s.create(newThread(spec))
      await expect(s.create(newThread(spec, { id: t.id }))).rejects.toThrow(RangeError)
      await expect(s.reply(spec, t.id, comment({ id: t.comments[0]!.id }))).rejects.toThrow(RangeError)
      await expect(s.reply(spec, t.id, comment({ createdAt: '2026-12-01' }))).rejects.toThrow(RangeError)
      await expect(s.reply(spec, 'nope', comment())).rejects.toThrow(RangeError)
      await expect(s.setStatus(spec, t.id, { status: 'closed' as never, ...TEAM })).rejects.toThrow(RangeError)
      await expect(s.setStatus(spec, t.id, { status: 'resolved', ...TEAM, role: 'boss' as never })).rejects.toThrow(RangeError)
      expect(await s.list(spec)).toEqual([t])
    })

    it('[T7] limits: one thread or comment too many is refused and stores nothing', async () => {
      const s = await factory.create({ maxThreadsPerSpec: 2, maxThreadsPerPerson: 2, maxCommentsPerThread: 3 })
      const spec = newSpecId()
      const a = await s.create(newThread(spec))
      await s.create(newThread(spec))
      await expect(s.create(newThread(spec))).rejects.toThrow(ThreadLimitError)
      await s.reply(spec, a.id, comment())
      await s.reply(spec, a.id, comment())
      await expect(s.reply(spec, a.id, comment())).rejects.toThrow(ThreadLimitError)
      expect((await s.list(spec)).map((t) => t.comments.length)).toEqual([3, 1])
      // Another spec has limits of its own.
      await s.create(newThread(newSpecId()))
    })

    it('[T7] one person opens at most maxThreadsPerPerson threads of a spec; others still can', async () => {
      const s = await factory.create({ maxThreadsPerSpec: 10, maxThreadsPerPerson: 2, maxCommentsPerThread: 3 })
      const spec = newSpecId()
      const viewer = { createdBy: 'inv-view-0001', createdRole: 'viewer' as const, comment: comment({ authorId: 'inv-view-0001', role: 'viewer' }) }
      await s.create(newThread(spec, viewer))
      await s.create(newThread(spec, viewer))
      const refused = s.create(newThread(spec, viewer))
      await expect(refused).rejects.toThrow(ThreadLimitError)
      await expect(refused).rejects.toMatchObject({ limit: 'own-threads', max: 2 })
      expect(await s.list(spec)).toHaveLength(2)
      // Someone else, and the same person in another spec, are not held back.
      await s.create(newThread(spec))
      await s.create(newThread(newSpecId(), viewer))
      expect(await s.list(spec)).toHaveLength(3)
    })

    it('[T8] concurrent replies are all kept, once each, in the order they were accepted; the limit holds', async () => {
      const s = await factory.create({ maxThreadsPerSpec: 10, maxThreadsPerPerson: 10, maxCommentsPerThread: 25 })
      const spec = newSpecId()
      const t = await s.create(newThread(spec))
      const accepted: string[] = []
      const replies = Array.from({ length: 30 }, (_, i) => comment({ body: `reply ${i}` }))
      const results = await Promise.allSettled(
        replies.map(async (c) => {
          await s.reply(spec, t.id, c)
          accepted.push(c.id)
        })
      )
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(24)
      for (const r of results) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(ThreadLimitError)
      const stored = (await s.get(spec, t.id))!.comments.slice(1).map((c) => c.id)
      expect(stored).toEqual(accepted)
    })

    // Durable backends only (a memory store has nothing to reopen).
    if (factory.reopen) {
      it('[T9] threads survive close and reopen', async () => {
        const s = await factory.create()
        const spec = newSpecId()
        const t = await s.create(newThread(spec))
        await s.reply(spec, t.id, comment({ body: 'second' }))
        const done = (await s.setStatus(spec, t.id, { status: 'resolved', ...TEAM }))!.thread
        const again = await factory.reopen!()
        expect(await again.list(spec)).toEqual([done])
      })
    }
  })
}
