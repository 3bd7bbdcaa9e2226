/**
 * The engine's one server-only entry point (engine.ts rule 6): the facts of a server transaction
 * that restores removed words. Participant updates are never recorded here, so the conservation
 * property of rules 1-5 (test/attribution/forgery.test.ts) is untouched: only the server, acting
 * on a team member's authorised restore request, credits words to their author.
 *
 * Rules:
 * 1. Every clientID the transaction wrote with is bound, durably, to {@link SYSTEM_PARTICIPANT}:
 *    a client that later tries to write with it is refused (rule 1 of the engine).
 * 2. The inserted characters, in the order Yjs collects them (one restore inserts one run per
 *    block), take the given origins in order; characters past the origins (none, when the
 *    caller inserted exactly the removed text) are their own origin.
 * 3. Their author is the restored words' author, their mover the restorer, moved at `movedAt`
 *    (the server's clock, in seconds) unless the restorer is the author.
 */
import type * as Y from 'yjs'
import type { AuthorMap } from './author-map.js'
import { SYSTEM_PARTICIPANT, type ClientBindings } from './bindings.js'
import { collectTextChanges } from './collect.js'
import { emptyFacts, type Facts, type IdRange, type RangeFact } from './facts.js'

/** Rules 1-3 above for transaction `tr`; updates `authors` and `bindings` and returns the facts. */
export function restoreFacts(
  tr: Y.Transaction,
  authors: AuthorMap,
  bindings: ClientBindings,
  author: string,
  mover: string,
  origins: readonly IdRange[],
  movedAt: number
): Facts {
  const facts = emptyFacts()
  for (const [client, after] of tr.afterState) {
    if (after <= (tr.beforeState.get(client) ?? 0)) continue
    if (bindings.bind(client, SYSTEM_PARTICIPANT) === 'new') facts.bindings.push({ clientID: client, participantId: SYSTEM_PARTICIPANT })
  }
  const a = authors.refOf(author)
  const m = authors.refOf(mover)
  const time = a === m ? 0 : movedAt
  // A cursor over the origins, consumed in order.
  let o = 0
  let within = 0
  const take = (max: number): { client: number; clock: number; len: number } | null => {
    while (o < origins.length && within >= origins[o]!.len) {
      o++
      within = 0
    }
    const r = origins[o]
    if (r === undefined) return null
    const len = Math.min(max, r.len - within)
    const out = { client: r.client, clock: r.clock + within, len }
    within += len
    return out
  }
  for (const run of collectTextChanges(tr, authors).inserted) {
    for (const piece of run.pieces) {
      let at = 0
      while (at < piece.len) {
        const origin = take(piece.len - at)
        const len = origin?.len ?? piece.len - at
        const own = origin === null
        authors.set(piece.client, piece.clock + at, len, a, m, own ? undefined : { client: origin.client, clock: origin.clock }, time)
        const fact: RangeFact = { client: piece.client, clock: piece.clock + at, len, author, mover }
        if (!own) fact.origin = { client: origin.client, clock: origin.clock }
        if (time > 0) fact.movedAt = time
        facts.ranges.push(fact)
        at += len
      }
    }
  }
  return facts
}
