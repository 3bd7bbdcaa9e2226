/**
 * Where restored text comes from. Yjs's undo and redo re-insert deleted text as new items placed
 * in front of the deleted item they restore (yjs 13.6.33 `Item.js` `redoItem`: `right = item`
 * while the parent is unchanged), so a new item's right origin names the deletion it undoes.
 * The engine turns that into match passes (see match.ts, pass 0):
 *
 * - **hints**: the named item is in P's recently-deleted index: re-use it from that character
 *   (undo of a deletion, redo of an addition; also typing exactly where one just deleted);
 * - **claims**: the named item was deleted by an earlier update but its text was re-used (it
 *   was moved, and the undo deletes the moved copy in this update): the restored characters
 *   claim the named item's authors and consume equal characters of those authors that this
 *   update deleted.
 *
 * Both only ever consume; who gets credited is still bounded by what was deleted.
 */
import * as Y from 'yjs'
import type { InsertedRun } from './collect.js'
import type { MatchClaim, MatchHint } from './match.js'
import type { PoolPosition } from './recent.js'
import type { AuthorMap } from './author-map.js'

/** Whether `id` names an item that was deleted before transaction `tr`. */
function isDeletedBefore(tr: Y.Transaction, id: Y.ID): boolean {
  const structs = tr.doc.store.clients.get(id.client)
  if (structs === undefined || id.clock >= (tr.beforeState.get(id.client) ?? 0)) return false
  const struct = structs[Y.findIndexSS(structs, id.clock)]!
  return struct.deleted && !Y.isDeleted(tr.deleteSet, id)
}

/** Claims of the inserted items placed in front of an item deleted by an earlier update. */
export function undoClaims(tr: Y.Transaction, inserted: readonly InsertedRun[], store: AuthorMap): MatchClaim[] {
  const claims: MatchClaim[] = []
  inserted.forEach((run, target) => {
    let start = 0
    run.pieces.forEach((piece, i) => {
      const right = run.rights[i]
      if (right !== null && right !== undefined && isDeletedBefore(tr, right)) {
        const authors: number[] = []
        store.forEach(right.client, right.clock, piece.len, (n, author) => {
          for (let k = 0; k < n; k++) authors.push(author)
        })
        claims.push({ target, start, authors })
      }
      start += piece.len
    })
  })
  return claims
}

/** Hints for the inserted items placed in front of a character `locate` finds in the index. */
export function undoHints(inserted: readonly InsertedRun[], locate: (client: number, clock: number) => PoolPosition | null): MatchHint[] {
  const hints: MatchHint[] = []
  inserted.forEach((run, target) => {
    let start = 0
    run.pieces.forEach((piece, i) => {
      const right = run.rights[i]
      const at = right === null || right === undefined ? null : locate(right.client, right.clock)
      if (at !== null) hints.push({ target, start, seg: at.seg, offset: at.offset, len: piece.len })
      start += piece.len
    })
  })
  return hints
}
