/**
 * What counts as an answer to a reader (the "My ideas" list, its unread badge and the email
 * digest all read this one definition). Pure functions over facts the review stores hold; the
 * service that gathers them is server/review/answers-service.ts.
 *
 * Rules (tested in test/server/answers-rules.test.ts, on the service in answers-http.test.ts
 * and digest.test.ts):
 * - [N1] A decision is an answer to the author of its contribution: every ledger entry on one
 *   of the reader's contributions, made by someone else.
 * - [N2] A comment is an answer to the reader when someone else wrote it in a thread on one of
 *   the reader's contributions, or in a thread the reader started; in a thread the reader only
 *   replied to, comments by others after the reader's first comment.
 * - [N3] A removal is an answer to the author of the removed words when someone else removed
 *   them; a restore of those words by someone else is another answer.
 * - [N4] Items are oldest first (`at`, then `id`); an item is unread when its `at` is after the
 *   reader's seen mark for the spec (all are unread before the first mark).
 * - [N5] Nothing the reader did themselves is an answer to them.
 */
import { SUMMARY_LENGTH, type AnswerItem, type Person } from '../../shared/api-answers.js'
import type { DecisionEntry, DecisionState } from '../../shared/api-review.js'
import type { Role } from '../../shared/permissions.js'

/** One comment as the threads store keeps it (server/review/thread-store.ts CommentRecord). */
export interface CommentFacts {
  id: string
  authorId: string
  role: Role
  body: string
  createdAt: string
}

/** One thread as the threads store keeps it (the fields answers need). */
export interface ThreadFacts {
  id: string
  contributionId: string | null
  createdBy: string
  /** Oldest first; the first is the opening comment. */
  comments: readonly CommentFacts[]
}

/** One removal of a customer's words (server/review/removals.ts RemovalRecord; the fields answers need). */
export interface RemovalFacts {
  id: string
  contributionId: string | null
  text: string
  authorId: string
  removedBy: string
  removedByRole: Role
  removedAt: string
  restoredBy: string | null
  restoredByRole: Role | null
  restoredAt: string | null
}

/** Everything answers are derived from, for one spec. */
export interface SpecFacts {
  /** Ids of the reader's own contributions in the spec. */
  ownContributions: ReadonlySet<string>
  /** The spec's decisions ledger, in ledger order. */
  history: readonly DecisionEntry[]
  threads: readonly ThreadFacts[]
  removals: readonly RemovalFacts[]
}

/** An answer before the reader's seen mark is applied. */
export type Answer = Omit<AnswerItem, 'unread' | 'by'> & { by: { participantId: string; role: Role } }

/** How each decision state reads in a summary. */
export const STATE_LABELS: Readonly<Record<DecisionState, string>> = {
  new: 'New',
  under_discussion: 'Under discussion',
  accepted: 'Accepted',
  planned: 'Planned',
  declined: 'Declined'
}

/** `text` on one line, cut to {@link SUMMARY_LENGTH} characters with an ellipsis. */
export function oneLine(text: string, max = SUMMARY_LENGTH): string {
  const flat = text.replace(/\s+/g, ' ').trim()
  return flat.length <= max ? flat : `${flat.slice(0, max - 1).trimEnd()}…`
}

/** Rules [N1]-[N3], [N5]: the answers to `readerId` in one spec, oldest first ([N4]). */
export function deriveAnswers(readerId: string, facts: SpecFacts): Answer[] {
  const out: Answer[] = []
  for (const d of facts.history) {
    if (!facts.ownContributions.has(d.subjectId) || d.decidedBy === readerId) continue
    const label = STATE_LABELS[d.state]
    out.push({
      id: `decision:${d.seq}`,
      kind: 'decision',
      contributionId: d.subjectId,
      threadId: null,
      at: d.decidedAt,
      by: { participantId: d.decidedBy, role: d.role },
      summary: oneLine(d.note ? `${label}: ${d.note}` : label)
    })
  }
  for (const t of facts.threads) {
    const whole = t.createdBy === readerId || (t.contributionId !== null && facts.ownContributions.has(t.contributionId))
    const joined = whole ? -1 : t.comments.findIndex((c) => c.authorId === readerId)
    if (!whole && joined < 0) continue
    t.comments.forEach((c, i) => {
      if (c.authorId === readerId || i <= joined) return
      out.push({
        id: `comment:${c.id}`,
        kind: 'comment',
        contributionId: t.contributionId,
        threadId: t.id,
        at: c.createdAt,
        by: { participantId: c.authorId, role: c.role },
        summary: oneLine(c.body)
      })
    })
  }
  for (const r of facts.removals) {
    if (r.authorId !== readerId) continue
    if (r.removedBy !== readerId) {
      out.push({
        id: `removal:${r.id}`,
        kind: 'removal',
        contributionId: r.contributionId,
        threadId: null,
        at: r.removedAt,
        by: { participantId: r.removedBy, role: r.removedByRole },
        summary: oneLine(`Removed: “${oneLine(r.text, SUMMARY_LENGTH - 12)}”`)
      })
    }
    if (r.restoredBy !== null && r.restoredByRole !== null && r.restoredAt !== null && r.restoredBy !== readerId) {
      out.push({
        id: `restore:${r.id}`,
        kind: 'restore',
        contributionId: r.contributionId,
        threadId: null,
        at: r.restoredAt,
        by: { participantId: r.restoredBy, role: r.restoredByRole },
        summary: oneLine(`Restored: “${oneLine(r.text, SUMMARY_LENGTH - 13)}”`)
      })
    }
  }
  return out.sort(byTime)
}

const time = (at: string): number => Date.parse(at)

/** [N4] order. */
export const byTime = (a: { at: string; id: string }, b: { at: string; id: string }): number =>
  time(a.at) - time(b.at) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)

/** True if `at` is after `seenUpTo` ([N4]; everything is after a null mark). */
export const isUnread = (at: string, seenUpTo: string | null): boolean => seenUpTo === null || time(at) > time(seenUpTo)

/** [N4]: the items as the reader gets them, with names resolved by `person`. */
export function withUnread(answers: readonly Answer[], seenUpTo: string | null, person: (id: string, role: Role) => Person): AnswerItem[] {
  return answers.map((a) => ({ ...a, by: person(a.by.participantId, a.by.role), unread: isUnread(a.at, seenUpTo) }))
}

/** Comments per contribution id (for ContributionView `comments`, "most discussed"). */
export function commentCounts(threads: readonly ThreadFacts[]): Map<string, number> {
  const counts = new Map<string, number>()
  for (const t of threads) {
    if (t.contributionId !== null) counts.set(t.contributionId, (counts.get(t.contributionId) ?? 0) + t.comments.length)
  }
  return counts
}
