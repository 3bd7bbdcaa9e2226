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
}

/** What one transaction left to do once it committed. */
interface Pending {
  removals: CapturedRemoval[]
  reused: boolean
  at: number
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
    return () => {
      this.running = this.running.then(() => this.save(p)).catch((err: unknown) => this.onError(err))
    }
  }

  /** Resolves once every committed removal was stored (the HTTP list and unload use it). */
  async flush(): Promise<void> {
    let seen: Promise<void>
    do {
      seen = this.running
      await seen
    } while (seen !== this.running)
  }

  /** Stops listening (room unload). */
  stop(): void {
    this.doc.off('afterTransaction', this.capture)
  }

  /** Rules 1-3 and 5, in the transaction (never throws). */
  private readonly capture = (tr: Y.Transaction): void => {
    try {
      const engine = this.engine()
      const report = engine.takeDeletions(tr)
      if (report === null) return
      const removals = report.runs.length > 0 ? captureRemovals(this.doc, engine, report, this.contributionOf) : []
      if (removals.length > 0 || report.reused) this.pending.set(tr, { removals, reused: report.reused, at: this.now() })
    } catch (err) {
      this.onError(err)
    }
  }

  /** Rule 4, then rule 6 if the update re-used recent deletions. */
  private async save(p: Pending): Promise<void> {
    let changed = false
    for (const c of p.removals) {
      const authorRole = await this.roleOf(c.authorId)
      if (authorRole !== 'customer') continue
      const record: RemovalRecord = {
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
      }
      await this.deps.store.add(record)
      this.young.push(record)
      changed = true
    }
    if (p.reused && (await this.markReturned())) changed = true
    if (changed) this.deps.events?.publish(this.specId, 'removals')
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
