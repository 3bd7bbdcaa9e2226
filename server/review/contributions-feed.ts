/**
 * Keeps one room's contributions up to date: after commits (debounced, like the attribution
 * feed, so a burst of keystrokes costs one pass and the keystroke path does no work here), the
 * {@link ContributionTracker} assigns what was written since the last pass and the records that
 * changed are saved to the {@link ContributionStore}. The server is the store's only writer.
 * Passes run one at a time; {@link ContributionsFeed.flush} runs one now (the HTTP list and
 * room unload use it, so nothing written is left unrecorded).
 */
import type * as Y from 'yjs'
import type { Role } from '../../shared/permissions.js'
import type { AuthorMap } from '../attribution/author-map.js'
import type { ContributionStore } from './contribution-store.js'
import type { ReviewEvents } from './review-events.js'
import { ContributionTracker, type ContributionRecord } from './contributions.js'
import { contributionPieces } from './contribution-pieces.js'
import type { ContributionPiece } from '../../shared/api-review.js'

/** What the feed needs to know about a participant (null if unknown). */
export type ContributorLookup = (participantId: string) => Promise<{ role: Role; panelIds: string[] } | null>

/** What a room needs to keep contributions (RoomDeps.contributions). */
export interface ContributionsDeps {
  store: ContributionStore
  /** Role and panels (those invited to the spec) of a participant. */
  lookup: (specId: string, participantId: string) => Promise<{ role: Role; panelIds: string[] } | null>
  /** Debounce after a commit (ms). Default 1000. */
  delayMs?: number
  /** Clock (tests). Default Date.now. */
  now?: () => number
  /** Told when a pass stored changed contributions. Default: nobody. */
  events?: ReviewEvents
  /**
   * Who a participant id stands for now (recorded merges): contributions of a merged-away
   * participant are the survivor's, so the survivor's typing next to them extends them
   * (contributions.ts rule 4). The store keeps the author as first saved ([K1]); readers resolve
   * it the same way. Default: every id stands for itself.
   */
  resolve?: (participantId: string) => string
}

/** Debounced contribution tracking for one room. */
export class ContributionsFeed {
  private readonly people = new Map<string, { role: Role; panelIds: string[] } | null>()
  private timer: ReturnType<typeof setTimeout> | null = null
  private running: Promise<void> = Promise.resolve()
  private readonly tracker: ContributionTracker
  private readonly delayMs: number
  private readonly now: () => number
  /**
   * The last {@link pieces} answer, kept until the doc changes or a pass assigns characters:
   * lists are read far more often than specs change (every reviewer re-reads on each review
   * event), and walking every character of a large spec is the expensive part of a list.
   */
  private piecesCache: Map<string, ContributionPiece[]> | null = null
  /**
   * True when a pass has work: the doc changed since the last pass, or its work failed. A pass
   * walks every character of the spec, so a list of an unchanged spec skips it.
   */
  private dirty = true
  private readonly onDocUpdate = (): void => {
    this.piecesCache = null
    this.dirty = true
  }

  private constructor(
    private readonly specId: string,
    private readonly doc: Y.Doc,
    private readonly authors: () => AuthorMap,
    private readonly deps: ContributionsDeps,
    private readonly onError: (err: unknown) => void
  ) {
    this.delayMs = deps.delayMs ?? 1000
    this.now = deps.now ?? Date.now
    this.tracker = new ContributionTracker(specId, {
      isCustomer: (id) => this.people.get(id)?.role === 'customer',
      panelsOf: (id) => [...(this.people.get(id)?.panelIds ?? [])]
    })
    // Every change to the doc, deletions included, emits 'update'.
    doc.on('update', this.onDocUpdate)
  }

  /** A feed resuming from the spec's stored contributions. */
  static async load(specId: string, doc: Y.Doc, authors: () => AuthorMap, deps: ContributionsDeps, onError: (err: unknown) => void): Promise<ContributionsFeed> {
    const feed = new ContributionsFeed(specId, doc, authors, deps, onError)
    feed.tracker.load(await deps.store.list(specId))
    feed.refold()
    return feed
  }

  /** Resolves the authors of the tracker's contributions through `deps.resolve` (after a merge). */
  refold(): void {
    const resolve = this.deps.resolve
    if (resolve === undefined) return
    this.tracker.remap(resolve)
    this.piecesCache = null
    this.dirty = true
  }

  /** Runs a pass after the debounce delay; a failure goes to `onError`. */
  schedule(): void {
    if (this.timer) return
    this.timer = setTimeout(() => {
      this.timer = null
      this.flush().catch((err: unknown) => this.onError(err))
    }, this.delayMs)
    this.timer.unref?.()
  }

  /** Runs a pass now (after any running one) and resolves once its changes are stored. */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer)
    this.timer = null
    const next = this.running.catch(() => {}).then(() => this.pass())
    this.running = next
    return next
  }

  /**
   * Where every contribution with live text is now (contribution-pieces.ts), by id. The answer
   * is shared until the doc or the assignments change: callers must not modify it.
   */
  pieces(): Map<string, ContributionPiece[]> {
    this.piecesCache ??= contributionPieces(this.doc, this.authors(), (client, clock, max) => this.tracker.contributionRun(client, clock, max))
    return this.piecesCache
  }

  /** The contribution holding origin `client:clock`, if a pass assigned it (removals use it). */
  contributionOf(client: number, clock: number): string | null {
    return this.tracker.contributionOf(client, clock)
  }

  /** The tracker's records (tests). */
  list(): ContributionRecord[] {
    return this.tracker.list()
  }

  /** Stops a pending pass (room unload, after a last flush). */
  stop(): void {
    if (this.timer) clearTimeout(this.timer)
    this.timer = null
    this.doc.off('update', this.onDocUpdate)
  }

  private async pass(): Promise<void> {
    if (!this.dirty) return
    this.dirty = false
    let changed: ContributionRecord[]
    try {
      const authors = this.authors()
      const missing = authors.participants.filter((id) => !this.people.has(id))
      for (const id of missing) this.people.set(id, await this.deps.lookup(this.specId, id))
      changed = this.tracker.update(this.doc, authors, this.now())
    } catch (err) {
      this.dirty = true
      throw err
    }
    if (changed.length === 0) return
    this.piecesCache = null
    try {
      await this.deps.store.save(changed)
      this.deps.events?.publish(this.specId, 'contributions')
    } catch (err) {
      // Saved with the next pass instead (the next commit or list schedules one).
      this.tracker.retry(changed.map((r) => r.id))
      this.dirty = true
      throw err
    }
  }
}
