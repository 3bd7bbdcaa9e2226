/**
 * Answers to one reader, gathered from the review stores: the facts of a spec (their own
 * contributions, the decisions ledger, threads, removals) go through the one definition in
 * server/review/answers.ts, then the reader's seen mark (server/review/answers-store.ts) says
 * which are unread. The HTTP routes, the spec list's badge and the email digest all use this.
 *
 * Threads and removals come in through functions, so this file does not depend on how those
 * stores are built; until a source is wired, it contributes nothing.
 */
import type { AnswersResponse, Person } from '../../shared/api-answers.js'
import type { Role } from '../../shared/permissions.js'
import type { ContributionStore } from './contribution-store.js'
import type { ReviewStore } from './review-store.js'
import type { AnswersStore } from './answers-store.js'
import { deriveAnswers, isUnread, withUnread, type Answer, type RemovalFacts, type SpecFacts, type ThreadFacts } from './answers.js'

/** Display name shown for a participant the identity layer no longer knows. */
export const UNKNOWN_NAME = 'Former participant'

/** What {@link AnswersService} reads. */
export interface AnswersDeps {
  contributions: ContributionStore
  review: ReviewStore
  store: AnswersStore
  /** Every thread of a spec (the threads store's records fit). Default: none. */
  threads?: (specId: string) => Promise<readonly ThreadFacts[]>
  /** The removals of `authorId`'s words in a spec (the removals store's records fit). Default: none. */
  removals?: (specId: string, authorId: string) => Promise<readonly RemovalFacts[]>
  /** Current display names of participants (missing ones show as {@link UNKNOWN_NAME}). */
  names: (participantIds: readonly string[]) => Promise<Map<string, string>>
  /** Server clock (tests may fix it). */
  now?: () => Date
  /**
   * Recorded merges (server/identity/aliases.ts): a reader is also every participant merged
   * into them (their contributions, threads, comments and removals), and whoever acted is named
   * as they are now. Read marks are the reader's own: a merged-away participant's are not moved.
   * Default: every id stands for itself.
   */
  aliases?: { resolve(participantId: string): string; idsOf(participantId: string): string[] }
}

/** Answers per reader and spec; see the file header. */
export class AnswersService {
  private readonly now: () => Date

  constructor(private readonly deps: AnswersDeps) {
    this.now = deps.now ?? (() => new Date())
  }

  /** The store of settings and marks. */
  get store(): AnswersStore {
    return this.deps.store
  }

  /** Threads of a spec (none until a threads source is wired). */
  threads(specId: string): Promise<readonly ThreadFacts[]> {
    return this.deps.threads?.(specId) ?? Promise.resolve([])
  }

  /** The answers to `readerId` in `specId`, without names or unread flags. */
  async answers(specId: string, readerId: string): Promise<Answer[]> {
    const resolve = (id: string): string => this.deps.aliases?.resolve(id) ?? id
    const ids = this.deps.aliases?.idsOf(readerId) ?? [readerId]
    const each = <T>(read: (id: string) => Promise<readonly T[]>): Promise<T[]> => Promise.all(ids.map(read)).then((lists) => lists.flat())
    const [own, history, threads, removals] = await Promise.all([
      each((id) => this.deps.contributions.list(specId, id)),
      this.deps.review.history(specId),
      this.threads(specId),
      each((id) => this.deps.removals?.(specId, id) ?? Promise.resolve([]))
    ])
    const facts: SpecFacts = {
      ownContributions: new Set(own.map((c) => c.id)),
      history: history.map((d) => ({ ...d, decidedBy: resolve(d.decidedBy) })),
      threads: threads.map((t) => ({ ...t, createdBy: resolve(t.createdBy), comments: t.comments.map((c) => ({ ...c, authorId: resolve(c.authorId) })) })),
      removals: removals
        .map((r) => ({ ...r, authorId: resolve(r.authorId), removedBy: resolve(r.removedBy), restoredBy: r.restoredBy === null ? null : resolve(r.restoredBy) }))
        .sort((a, b) => (a.removedAt < b.removedAt ? -1 : a.removedAt > b.removedAt ? 1 : a.id < b.id ? -1 : 1))
    }
    return deriveAnswers(resolve(readerId), facts)
  }

  /** `GET /api/specs/:id/answers` for `readerId`. */
  async list(specId: string, readerId: string): Promise<AnswersResponse> {
    const [answers, seen] = await Promise.all([this.answers(specId, readerId), this.deps.store.seenUpTo(readerId, specId)])
    const items = withUnread(answers, seen, await this.people(answers.map((a) => a.by.participantId)))
    return { specId, unread: items.filter((i) => i.unread).length, items }
  }

  /**
   * Moves the reader's seen mark to `upTo`, but never past the server's clock (a mark in the
   * future would hide answers not written yet). Returns the unread answers left.
   */
  async markSeen(specId: string, readerId: string, upTo: string): Promise<number> {
    const capped = Math.min(Date.parse(upTo), this.now().getTime())
    const mark = await this.deps.store.markSeen(readerId, specId, new Date(capped).toISOString())
    return (await this.answers(specId, readerId)).filter((a) => isUnread(a.at, mark)).length
  }

  /** Unread answers of `readerId` in each of `specIds` (the spec list's badge). */
  async unreadBySpec(readerId: string, specIds: readonly string[]): Promise<Map<string, number>> {
    const seen = await this.deps.store.seenOf(readerId)
    const counts = await Promise.all(
      specIds.map(async (id) => (await this.answers(id, readerId)).filter((a) => isUnread(a.at, seen.get(id) ?? null)).length)
    )
    return new Map(specIds.map((id, i) => [id, counts[i]!]))
  }

  /** A resolver from (id, role) to {@link Person}, with the current names of `ids`. */
  async people(ids: readonly string[]): Promise<(id: string, role: Role) => Person> {
    const names = await this.names(ids)
    return (id, role) => {
      const participantId = this.deps.aliases?.resolve(id) ?? id
      return { participantId, displayName: names.get(participantId) ?? UNKNOWN_NAME, role }
    }
  }

  /** Current display names of `ids` as they are now (merged-away ids: their survivor's name, keyed by the survivor). */
  names(ids: readonly string[]): Promise<Map<string, string>> {
    return this.deps.names([...new Set(ids.map((id) => this.deps.aliases?.resolve(id) ?? id))])
  }
}
