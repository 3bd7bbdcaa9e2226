/**
 * Runs of characters as the attribution engine reports and stores them: the deleted runs nobody
 * re-used (engine.ts rule 5, what removals are recorded from), and small run-length helpers the
 * engine and its server-only entry points share (the ids of a slice of characters, per-character
 * author refs as runs). Pure functions and types.
 */
import type { AuthorRun, IdRange } from './facts.js'

/** The ids of characters [from, to) of a text whose characters have ids `ids` (in order). */
export function sliceIds(ids: readonly IdRange[], from: number, to: number): IdRange[] {
  const out: IdRange[] = []
  let at = 0
  for (const r of ids) {
    const a = Math.max(from, at)
    const b = Math.min(to, at + r.len)
    if (a < b) out.push({ client: r.client, clock: r.clock + a - at, len: b - a })
    at += r.len
  }
  return out
}

/** Run-length form of per-character author refs. */
export function authorRuns(authors: ArrayLike<number>, id: (ref: number) => string | null): AuthorRun[] {
  const runs: AuthorRun[] = []
  for (let i = 0; i < authors.length; ) {
    const a = authors[i]!
    let j = i + 1
    while (j < authors.length && authors[j] === a) j++
    runs.push({ len: j - i, author: id(a) })
    i = j
  }
  return runs
}

/** Deleted characters of one update that nobody re-used, with at least one not the deleter's (rule 5). */
export interface UnmatchedRun {
  text: string
  /** Author ref of each character (see `AuthorMap.idOf`). */
  authors: Int32Array
  /** Their Yjs ids, in text order. */
  ids: IdRange[]
}

/** What one participant update deleted of other people's words, and whether it re-used recent deletions. */
export interface DeletionReport {
  participantId: string
  /** Rule 5's runs (empty if none). */
  runs: UnmatchedRun[]
  /** True if rule 3 re-used characters from the participant's recent deletions (paste, undo). */
  reused: boolean
}
