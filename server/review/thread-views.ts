/**
 * How a stored thread is shown: the {@link ThreadView} every reader of a spec gets. Display
 * names are looked up when shown (the store keeps participant ids and roles only), the current
 * text comes from the live doc (thread-anchors.ts), and quote and text are cut at
 * {@link MAX_QUOTE_LENGTH} so that one thread over a whole spec cannot bloat every list.
 */
import { MAX_QUOTE_LENGTH, type Person, type ThreadView } from '../../shared/api-threads.js'
import type { Role } from '../../shared/permissions.js'
import type { AnchoredText } from './thread-anchors.js'
import type { ThreadRecord } from './thread-store.js'
import type { IdentityStore } from '../identity/identity-store.js'

/** Current display names of participants (absent: unknown, e.g. a deleted token). */
export type NameLookup = (participantIds: readonly string[]) => Promise<Map<string, string>>

/** A {@link NameLookup} over the identity store (names of deactivated people too). */
export const namesIn =
  (identity: Pick<IdentityStore, 'getParticipant'>): NameLookup =>
  async (ids) => {
    const found = await Promise.all(ids.map((id) => identity.getParticipant(id)))
    return new Map(found.flatMap((p) => (p ? [[p.id, p.displayName] as [string, string]] : [])))
  }

/** Shown for a participant the identity store no longer knows. */
export const UNKNOWN_NAME = 'Former participant'

/**
 * `text` cut to {@link MAX_QUOTE_LENGTH} code units, ending with "…" when cut, never splitting a
 * surrogate pair; lone surrogates (a range may start inside a pair) become U+FFFD, which every
 * store can hold.
 */
export function cut(text: string): string {
  const clean = text.replace(/\p{Cs}/gu, '\uFFFD')
  if (clean.length <= MAX_QUOTE_LENGTH) return clean
  let end = MAX_QUOTE_LENGTH - 1
  if (/[\uD800-\uDBFF]/.test(clean[end - 1]!)) end--
  return `${clean.slice(0, end)}…`
}

/** Participant ids named anywhere in `records`. */
export function participantsOf(records: readonly ThreadRecord[]): string[] {
  const ids = new Set<string>()
  for (const r of records) {
    ids.add(r.createdBy)
    if (r.resolvedBy) ids.add(r.resolvedBy)
    for (const c of r.comments) ids.add(c.authorId)
  }
  return [...ids]
}

/** The views of `records`, given each one's current text (same order) and the names. */
export function threadViews(records: readonly ThreadRecord[], texts: readonly AnchoredText[], names: Map<string, string>): ThreadView[] {
  const person = (participantId: string, role: Role): Person => ({ participantId, displayName: names.get(participantId) ?? UNKNOWN_NAME, role })
  return records.map((r, i) => ({
    id: r.id,
    specId: r.specId,
    contributionId: r.contributionId,
    start: r.start,
    end: r.end,
    quote: r.quote,
    text: cut(texts[i]!.text),
    textRemoved: texts[i]!.textRemoved,
    status: r.status,
    createdBy: person(r.createdBy, r.createdRole),
    createdAt: r.createdAt,
    resolvedBy: r.resolvedBy !== null && r.resolvedRole !== null ? person(r.resolvedBy, r.resolvedRole) : null,
    resolvedAt: r.resolvedAt,
    comments: r.comments.map((c) => ({ id: c.id, author: person(c.authorId, c.role), body: c.body, createdAt: c.createdAt }))
  }))
}
