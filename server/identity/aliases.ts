/**
 * Participant aliases: the recorded merges ([I17]) as a map every part of the server consults
 * where it resolves or folds participant ids, so that everything a merged-away participant wrote,
 * moved, bound, contributed or commented counts as the survivor's.
 *
 * Why an alias map rather than rewriting what was stored: the update log and its attribution
 * facts, contributions, threads and removals live in several stores (SQLite or memory, the
 * ledger's Postgres), none of which can join the identity transaction that records the merge. A
 * rewrite would be half done after a crash; the merge record is one row written in one
 * transaction, and everything else resolves ids through it when it is read or loaded (rooms
 * after a restart, and live rooms refold at once: RoomRegistry.refold). So what was stored
 * stays true history ("B wrote this"), and the merge says who B is now.
 *
 * Chains: merging into a participant that was merged away is refused ([I17], `merged_away`), but
 * a survivor may later be merged away itself (B into A, then A into C): ids resolve along the
 * chain (B → A → C). The records hold no cycle, so resolving ends; it is bounded by the number of
 * records all the same.
 */
import type { IdentityStore, MergeRecord } from './identity-store.js'

/** What readers of stored participant ids need of the aliases (HTTP views, answers). */
export type AliasLookup = Pick<ParticipantAliases, 'resolve' | 'idsOf'>

/** Every id stands for itself (no merges): the default where no aliases are wired. */
export const NO_ALIASES: AliasLookup = { resolve: (id) => id, idsOf: (id) => [id] }

/** Told after a merge was added (live rooms refold their attribution). */
export type MergeListener = (merge: MergeRecord) => void

/** The merges of one deployment, in memory; loaded at start, added to as merges commit. */
export class ParticipantAliases {
  /** Merged-away id → the id it was merged into (one step of the chain). */
  private readonly into = new Map<string, string>()
  private readonly records: MergeRecord[] = []
  private readonly listeners = new Set<MergeListener>()

  /** The aliases of every merge `store` holds. */
  static async load(store: Pick<IdentityStore, 'listMerges'>): Promise<ParticipantAliases> {
    const aliases = new ParticipantAliases()
    for (const m of await store.listMerges()) aliases.remember(m)
    return aliases
  }

  /** Adds a committed merge and tells the listeners (each failure is theirs: they must not throw). */
  add(merge: MergeRecord): void {
    if (this.into.has(merge.fromId)) return
    this.remember(merge)
    for (const listener of this.listeners) listener(merge)
  }

  /** Subscribes to merges; returns the unsubscribe function. */
  onMerge(listener: MergeListener): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  /** The participant `participantId` is now: itself unless merged away, else its survivor (chains followed). */
  resolve(participantId: string): string {
    let id = participantId
    for (let steps = 0; steps <= this.records.length; steps++) {
      const next = this.into.get(id)
      if (next === undefined) return id
      id = next
    }
    throw new RangeError(`participant aliases: a cycle through ${participantId}`)
  }

  /** True if `participantId` was merged away. */
  isMergedAway(participantId: string): boolean {
    return this.into.has(participantId)
  }

  /** `participantId` and every id that resolves to it (what to look up stored records by). */
  idsOf(participantId: string): string[] {
    const target = this.resolve(participantId)
    const ids = [target]
    for (const from of this.into.keys()) if (this.resolve(from) === target) ids.push(from)
    return ids
  }

  /** Every merge, oldest first. */
  list(): MergeRecord[] {
    return [...this.records]
  }

  private remember(merge: MergeRecord): void {
    this.into.set(merge.fromId, merge.intoId)
    this.records.push(merge)
  }
}
