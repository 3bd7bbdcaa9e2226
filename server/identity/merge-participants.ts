/**
 * Merging two participants of one panel (issue 9): a customer who signed out and rejoined
 * through the invite link became a stranger with the same name; a facilitator folds that
 * identity (`from`) into the other (`into`). Rules, all checked inside one identity transaction
 * with the writes, so two merges at once cannot both pass a check the other invalidates:
 *
 * 1. Both are invitees (customers or viewers) with an active membership of the panel the
 *    request names. Team accounts and API tokens are never merged (`not_an_invitee`); someone
 *    who is not (or no longer) in that panel is `member_not_found`, so a facilitator cannot
 *    fold people of two different panels together, nor a removed member back in.
 * 2. Not the same participant (`same_participant`); `from` not merged away already
 *    (`already_merged`); `into` not merged away (`merged_away`): merging into a merged-away id
 *    is refused rather than silently redirected, so the facilitator sees whom they merge into.
 *    A survivor may be merged away later itself; ids then resolve along the chain (aliases.ts).
 * 3. The merge is recorded ([I17]: panel, from, into, by, at). `into` keeps its display name,
 *    email and its own memberships and roles. Every active membership of `from` ends (removed);
 *    in panels `into` never belonged to, `into` joins with `from`'s role (the facilitator says
 *    they are one person, so that person keeps the specs they could reach). A panel `into` was
 *    removed from stays closed to them.
 * 4. `from` can no longer act: its sessions end, its return link is revoked, and access checks
 *    treat it as gone (server/auth/access-control.ts), so its live sockets close with 4403 once
 *    the caller announces it. Its words, bindings and contributions count as `into`'s through
 *    the aliases (server/identity/aliases.ts); nothing stored elsewhere is rewritten.
 */
import { IdentityError } from './errors.js'
import { IdentityStoreError, type IdentityStore, type MergeRecord } from './identity-store.js'

/** What to merge, and who asks. */
export interface MergeInput {
  panelId: string
  fromId: string
  intoId: string
  /** The facilitator merging them. */
  by: string
}

/** Rules 1-4 above; returns the record. @throws IdentityError */
export function mergeParticipants(store: IdentityStore, input: MergeInput): Promise<MergeRecord> {
  const { panelId, fromId, intoId, by } = input
  return store.transaction(async (tx) => {
    if (fromId === intoId) throw new IdentityError('same_participant', 'a participant cannot be merged into itself')
    if (!(await tx.getPanel(panelId))) throw new IdentityError('panel_not_found', 'panel not found')
    if (await tx.mergeOf(fromId)) throw new IdentityError('already_merged', 'this participant was merged into someone already')
    if (await tx.mergeOf(intoId)) throw new IdentityError('merged_away', 'the participant to merge into was merged away; merge into whom they became')
    for (const id of [fromId, intoId]) {
      const participant = await tx.getParticipant(id)
      if (!participant) throw new IdentityError('member_not_found', 'not a member of this panel')
      if (participant.kind !== 'invitee') throw new IdentityError('not_an_invitee', 'only customers and viewers who joined by invitation can be merged')
      const membership = await tx.getMembership(panelId, id)
      if (!membership || membership.removedAt !== null) throw new IdentityError('member_not_found', 'both must be members of this panel')
    }
    let merge: MergeRecord
    try {
      merge = await tx.recordMerge({ panelId, fromId, intoId, by, at: new Date().toISOString() })
    } catch (err) {
      // The checks above ran in this transaction, so only a bug reaches here; keep it typed.
      if (err instanceof IdentityStoreError && (err.code === 'already_merged' || err.code === 'merged_away')) throw new IdentityError(err.code, err.message)
      throw err
    }
    for (const m of await tx.membershipsOf(fromId)) {
      await tx.removeMembership(m.panelId, fromId)
      if (!(await tx.getMembership(m.panelId, intoId))) await tx.addMembership(m.panelId, intoId, m.role)
    }
    await tx.deleteSessionsOf(fromId)
    await tx.deleteReturnLink(fromId)
    return merge
  })
}
