/**
 * Small run-length helpers the attribution engine and its server-only entry points share: the
 * ids of a slice of characters, and per-character author refs as runs. Pure functions.
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
