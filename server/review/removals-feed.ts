/**
 * Keeps one room's removals (server/review/removals.ts rules 1-6): captures them in the
 * transaction that deleted the words, stores them once that update committed, and marks them
 * `returned` when their words come back.
 *
 * Cost on the keystroke path: one WeakMap look-up per participant transaction
 * ({@link AttributionEngine.takeDeletions} is null unless the update deleted someone else's
 * words or re-used recent deletions); everything else runs only then, and the storing runs
 * after the commit, off the transaction. Nothing here throws into the sync path: a failure of
 * the capture or of a save is logged (`onError`) and the update goes on.
 *
 * A save that storage refused is tried again, with the same removal ids, after 1, 2, 4, … s
 * (up to {@link SAVE_ATTEMPTS} tries), and at once by {@link RemovalsFeed.flush} (the HTTP list
 * and room unload call it): a storage hiccup must not make an idea disappear quietly. Why the
 * same ids: a record stored before the failure is not stored twice (the store refuses an id it
 * has, [M1], and a RangeError is never retried).
 */
import type * as Y from 'yjs'
import { randomBytes } from 'node:crypto'
import type { Role } from '../../shared/permissions.js'
import { FRAGMENT_NAME } from '../../shared/schema.js'
import type { AttributionEngine } from '../attribution/engine.js'
import { DEFAULT_RECENT_WINDOW_MS } from '../attribution/recent.js'
import type { RemovalStore } from './removal-store.js'
import type { ReviewEvents } from './review-events.js'
import { walkChars } from './contributions.js'
import { captureRemovals, removalText, type CapturedRemoval, type ContributionOf, type RemovalRecord } from './removals.js'

/** What a room needs to keep removals (RoomDeps.removals). */
export interface RemovalsDeps {
  store: RemovalStore
  /** Role of a participant on the spec (null if unknown). */
  lookup: (specId: string, participantId: string) => Promise<{ role: Role } | null>
  /** Told when removals were stored or returned. Default: nobody. */
  events?: ReviewEvents
  /** Clock (tests). Default Date.now. */
  now?: () => number
  /** How long removed words can come back by themselves: the engine's recent window. */
  returnWindowMs?: number
  /** First retry delay of a failed save, doubled each time (tests). Default 1000 ms. */
  retryMs?: number
}

/** Tries of one transaction's save before it is given up (logged each time). */
export const SAVE_ATTEMPTS = 8

/** What one transaction left to do once it committed, and how far its saving got. */
interface Pending {
  removals: CapturedRemoval[]
  reused: boolean
  at: number
  /** The records to store, built (ids drawn) on the first try. */
  records: RemovalRecord[] | null
  /** How many of `records` are stored. */
  stored: number
  /** Rule 6 ran for this transaction. */
  returnedChecked: boolean
  attempts: number
}

/** A new removal id: `r` + 16 base64url characters (96 random bits). */
export const newRemovalId = (): string => `r${randomBytes(12).toString('base64url')}`

/** Removal capture and bookkeeping for one room. */
export class RemovalsFeed {
  private readonly pending = new WeakMap<Y.Transaction, Pending>()
  private readonly roles = new Map<string, Role | null>()
  /** Open removals young enough to come back by themselves (rule 6). */
  private young: RemovalRecord[] = []
  private running: Promise<void> = Promise.resolve()
  /** Saves waiting for their retry, with their timers. */
  private readonly retries = new Map<Pending, ReturnType<typeof setTimeout>>()
  private stopped = false
  private readonly now: () => number
  private readonly windowMs: number

  private constructor(
    private readonly specId: string,
    private readonly doc: Y.Doc,
    private readonly engine: () => AttributionEngine,
    private readonly deps: RemovalsDeps,
    private readonly contributionOf: ContributionOf,
    private readonly onError: (err: unknown) => void
  ) {
    this.now = deps.now ?? Date.now
    this.windowMs = deps.returnWindowMs ?? DEFAULT_RECENT_WINDOW_MS
  }

  /**
   * A feed for `doc`, listening from now on. Call after the engine attached to the doc: its
   * `afterTransaction` listener must run first (Yjs calls listeners in the order they were added).
   */
  static async load(
    specId: string,
    doc: Y.Doc,
    engine: () => AttributionEngine,
    deps: RemovalsDeps,
    contributionOf: ContributionOf,
    onError: (err: unknown) => void
  ): Promise<RemovalsFeed> {
    const feed = new RemovalsFeed(specId, doc, engine, deps, contributionOf, onError)
    const since = feed.now() - feed.windowMs
    feed.young = (await deps.store.list(specId)).filter((r) => r.status === 'open' && Date.parse(r.removedAt) > since)
    doc.on('afterTransaction', feed.capture)
    return feed
  }

  /**
   * The step to run once transaction `tr` committed (store its removals, check for returned
   * words), or null if it has none. The room calls it after the storage append.
   */
  afterCommit(tr: Y.Transaction): (() => void) | null {
    const p = this.pending.get(tr)
    if (p === undefined) return null
    this.pending.delete(tr)
    return () => this.enqueue(p)
  }

  /** Runs `p`'s save after the saves before it; a refused one is retried later. */
  private enqueue(p: Pending): void {
    this.running = this.running.then(() => this.save(p)).catch((err: unknown) => {
      this.onError(err)
      p.attempts++
      // A RangeError is the store refusing the record itself ([M1], [M4]): no retry mends that.
      if (this.stopped || err instanceof RangeError || p.attempts >= SAVE_ATTEMPTS) return
      const timer = setTimeout(() => {
        this.retries.delete(p)
        this.enqueue(p)
      }, (this.deps.retryMs ?? 1000) * 2 ** (p.attempts - 1))
      timer.unref?.()
      this.retries.set(p, timer)
    })
  }

  /**
   * Resolves once every committed removal was stored, or its save failed again (the HTTP list
   * and unload use it): saves waiting for a retry are tried now.
   */
  async flush(): Promise<void> {
    for (const [p, timer] of this.retries) {
      clearTimeout(timer)
      this.retries.delete(p)
      this.enqueue(p)
    }
    let seen: Promise<void>
    do {
      seen = this.running
      await seen
    } while (seen !== this.running)
  }

  /** Stops listening (room unload). */
  stop(): void {
    this.stopped = true
    for (const timer of this.retries.values()) clearTimeout(timer)
    this.retries.clear()
    this.doc.off('afterTransaction', this.capture)
  }

  /** Rules 1-3 and 5, in the transaction (never throws). */
  private readonly capture = (tr: Y.Transaction): void => {
    try {
      const engine = this.engine()
      const report = engine.takeDeletions(tr)
      if (report === null) return
      const removals = report.runs.length > 0 ? captureRemovals(this.doc, engine, report, this.contributionOf) : []
      if (removals.length > 0 || report.reused) {
        this.pending.set(tr, { removals, reused: report.reused, at: this.now(), records: null, stored: 0, returnedChecked: false, attempts: 0 })
      }
    } catch (err) {
      this.onError(err)
    }
  }

  /**
   * Rule 4, then rule 6 if the update re-used recent deletions. Resumable: a retry stores only
   * the records not stored yet, with the ids the first try drew.
   */
  private async save(p: Pending): Promise<void> {
    p.records ??= await this.records(p)
    let changed = false
    try {
      for (; p.stored < p.records.length; p.stored++) {
        await this.deps.store.add(p.records[p.stored]!)
        this.young.push(p.records[p.stored]!)
        changed = true
      }
      if (p.reused && !p.returnedChecked) {
        if (await this.markReturned()) changed = true
        p.returnedChecked = true
      }
    } finally {
      if (changed) this.deps.events?.publish(this.specId, 'removals')
    }
  }

  /** Rule 4: the records of `p`'s removals of customers' words (ids drawn once). */
  private async records(p: Pending): Promise<RemovalRecord[]> {
    const out: RemovalRecord[] = []
    for (const c of p.removals) {
      const authorRole = await this.roleOf(c.authorId)
      if (authorRole !== 'customer') continue
      out.push({
        specId: this.specId,
        id: newRemovalId(),
        contributionId: c.contributionId,
        text: removalText(c.pieces),
        authorId: c.authorId,
        authorRole,
        removedBy: c.removedBy,
        removedByRole: (await this.roleOf(c.removedBy)) ?? 'team',
        removedAt: new Date(p.at).toISOString(),
        origins: c.origins,
        pieces: c.pieces,
        status: 'open',
        restoredBy: null,
        restoredByRole: null,
        restoredAt: null
      })
    }
    return out
  }

  private async roleOf(participantId: string): Promise<Role | null> {
    if (!this.roles.has(participantId)) this.roles.set(participantId, (await this.deps.lookup(this.specId, participantId))?.role ?? null)
    return this.roles.get(participantId) ?? null
  }

  /** Rule 6: young open removals whose every character is live again become `returned`. */
  private async markReturned(): Promise<boolean> {
    const since = this.now() - this.windowMs
    this.young = this.young.filter((r) => Date.parse(r.removedAt) > since)
    if (this.young.length === 0) return false
    const byClient = new Map<number, Array<{ clock: number; len: number; r: number }>>()
    const live = new Array<number>(this.young.length).fill(0)
    this.young.forEach((record, r) => {
      for (const o of record.origins) {
        let list = byClient.get(o.client)
        if (list === undefined) byClient.set(o.client, (list = []))
        list.push({ clock: o.clock, len: o.len, r })
      }
    })
    const authors = this.engine().authors
    walkChars(this.doc.getXmlFragment(FRAGMENT_NAME), (item) => {
      if (item.deleted) return
      authors.forEachOrigin(item.id.client, item.id.clock, item.length, (n, client, clock) => {
        const list = byClient.get(client)
        if (list === undefined) return
        for (const o of list) {
          const overlap = Math.min(clock + n, o.clock + o.len) - Math.max(clock, o.clock)
          if (overlap > 0) live[o.r]! += overlap
        }
      })
    })
    let changed = false
    const still: RemovalRecord[] = []
    for (let r = 0; r < this.young.length; r++) {
      const record = this.young[r]!
      const total = record.origins.reduce((s, o) => s + o.len, 0)
      if (live[r]! < total) {
        still.push(record)
        continue
      }
      const patch = { status: 'returned' as const, restoredBy: null, restoredByRole: null, restoredAt: null }
      if ((await this.deps.store.transition(this.specId, record.id, ['open'], patch)) !== null) changed = true
    }
    this.young = still
    return changed
  }
}
