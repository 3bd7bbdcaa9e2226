/**
 * What a room records beside its document, after commits: the spec's contributions and the
 * removals of customer words (server/review), and its metadata title (spec-title.ts). Each is
 * optional (RoomDeps says where to keep it). All of them run after the durable commit, never on
 * the keystroke path, and a failure of one is logged: it never touches the document, the
 * commit or the others.
 *
 * Why removals are the exception that looks at the transaction itself: the room's doc GCs
 * deleted content when the transaction ends, so the removed words must be read in it (the
 * removals feed listens after the engine); they are stored only once its update committed.
 */
import type * as Y from 'yjs'
import type { Logger } from '../observability/logger.js'
import type { AttributionEngine } from '../attribution/index.js'
import { ContributionsFeed, type ContributionsDeps } from '../review/contributions-feed.js'
import { RemovalsFeed, type RemovalsDeps } from '../review/removals-feed.js'
import type { ContributionPiece } from '../../shared/api-review.js'
import { TitleSync, type TitleStore } from './spec-title.js'

/** Where a room keeps its records (the optional parts of RoomDeps). */
export interface RecordsDeps {
  log: Logger
  contributions?: ContributionsDeps
  removals?: RemovalsDeps
  titles?: TitleStore
}

/** A room's records; see the file header. */
export class RoomRecords {
  private constructor(
    private readonly name: string,
    private readonly log: Logger,
    private readonly contributions: ContributionsFeed | null,
    private readonly removals: RemovalsFeed | null,
    private readonly title: TitleSync | null
  ) {}

  /**
   * Resumes the records of spec `name` from their stores. Call after the engine is attached to
   * `doc`: the removals feed must see each transaction after the engine did.
   */
  static async load(name: string, doc: Y.Doc, engine: () => AttributionEngine, deps: RecordsDeps): Promise<RoomRecords> {
    const { log } = deps
    const contributions = deps.contributions
      ? await ContributionsFeed.load(name, doc, () => engine().authors, deps.contributions, (err) => log.error({ err, room: name }, 'contributions pass failed'))
      : null
    const removals = deps.removals
      ? await RemovalsFeed.load(name, doc, engine, deps.removals,
          (client, clock) => contributions?.contributionOf(client, clock) ?? null,
          (err) => log.error({ err, room: name }, 'removals capture failed'))
      : null
    const title = deps.titles ? new TitleSync(name, doc, deps.titles, log) : null
    return new RoomRecords(name, log, contributions, removals, title)
  }

  /** What to store once participant transaction `tr` committed (the removals it made), or null. */
  capture(tr: Y.Transaction): (() => void) | null {
    return this.removals?.afterCommit(tr) ?? null
  }

  /** After any commit: schedules the debounced passes. */
  afterCommit(): void {
    this.contributions?.schedule()
    this.title?.schedule()
  }

  /** A merge was recorded: contributions take their authors through the aliases again. */
  refold(): void {
    this.contributions?.refold()
  }

    /** Records what was written since the last contributions pass, now. */
  async flushContributions(): Promise<void> {
    await this.contributions?.flush()
  }

  /** Where every contribution with live text is now, after a flush (contribution-pieces.ts). */
  async contributionPieces(): Promise<Map<string, ContributionPiece[]>> {
    await this.flushContributions()
    return this.contributions?.pieces() ?? new Map()
  }

  /** Stores the removals of every committed update now. */
  async flushRemovals(): Promise<void> {
    await this.removals?.flush()
  }

  /** Room unload: records everything pending, then stops the timers. Failures are logged. */
  async close(): Promise<void> {
    await this.contributions?.flush().catch((err: unknown) => this.log.error({ err, room: this.name }, 'contributions pass failed'))
    this.contributions?.stop()
    await this.removals?.flush()
    this.removals?.stop()
    await this.title?.flush()
    this.title?.stop()
  }
}
