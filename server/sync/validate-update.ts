/**
 * Whole-update admission check for incoming Yjs V1 updates.
 *
 * `Y.applyUpdate` is not atomic: structs are integrated before the delete set is read, so a
 * corrupt tail throws after part of the update landed (and y-protocols only logs it). Updates
 * that decode fine can still park in `store.pendingStructs` / `store.pendingDs` forever, or
 * throw half-way because they reference clocks that do not exist. `validateUpdate` decides,
 * without touching the doc, whether `Y.applyUpdate(doc, update)` would integrate everything.
 *
 * Line references are to yjs 13.6.33 `src/`.
 */
import * as Y from 'yjs'
import { decodeUpdateStrictly, firstStuckStruct, itemRefs, TooManyStructsError, UpdateDecodeError } from './update-structs.js'
import type { DeleteRange, UpdateStruct } from './update-structs.js'

/** Machine-readable reason why an update was refused. */
export type UpdateRefusal =
  /** Does not decode completely with Yjs's own decoder, trailing garbage, duplicate client section, zero-length struct. */
  | 'malformed'
  /** A client's structs start after the clock the doc knows for it (would wait in pendingStructs forever). */
  | 'gap'
  /** origin / rightOrigin / parent points to a clock that exists neither in the doc nor earlier in integration order, or parent is not a type. */
  | 'missing-reference'
  /** GC struct covering clocks the doc does not know yet, for a client not allowed by `mayAddGc`. */
  | 'gc-new-range'
  /** Skip struct covering clocks the doc does not know yet. */
  | 'skip-new-range'
  /** Delete-set range covering clocks that exist neither in the doc nor in this update. */
  | 'delete-unknown'
  /** A clientID, clock or clock + length beyond Number.MAX_SAFE_INTEGER. */
  | 'clock-overflow'
  /** Integrates, but the result is no document the ProseMirror schema can hold (`validate-schema.ts`). */
  | 'schema'
  /** More structs and delete ranges than `ValidateOptions.maxStructs` (decoding stops there). */
  | 'too-many-structs'

/** Thrown by `validateUpdate`; the whole update must be dropped, never partly applied. */
export class UpdateRefusedError extends Error {
  readonly reason: UpdateRefusal

  constructor(reason: UpdateRefusal, detail: string, options?: { cause?: unknown }) {
    super(`update refused (${reason}): ${detail}`, options)
    this.name = 'UpdateRefusedError'
    this.reason = reason
  }
}

/** What an accepted update would do to the doc. */
export interface UpdateSummary {
  /** For each clientID with structs in the update: the new clock range [from, to) it adds beyond what the doc knew (from === to when nothing new). */
  added: Map<number, { from: number; to: number }>
  /** True if applying would change nothing: no new structs, and every delete range is already deleted in the doc. */
  empty: boolean
  /** The decoded structs by client, for content checks that follow (`validateSchema`). */
  sections: Map<number, UpdateStruct[]>
}

/** Options of {@link validateUpdate}. */
export interface ValidateOptions {
  /**
   * Whether a GC struct may cover new clocks of `client`. An honest client's offline work holds
   * GC structs for its own new clocks (items it created and deleted inside a deleted parent);
   * from anyone else such a struct swallows that client's future edits. Default: never.
   */
  mayAddGc?: (client: number) => boolean
  /** Most structs and delete ranges the update may hold. Default: no limit. */
  maxStructs?: number
}

/** Clock bookkeeping for one client that has structs in the update. */
interface ClientClocks {
  /** `Y.getState(doc.store, client)` before the update. */
  known: number
  /** State after the update: max(known, end of the client's structs). */
  end: number
}

/**
 * Decodes the whole update first, then checks it against `doc`'s store. Never mutates `doc`.
 *
 * For every accepted update, `Y.applyUpdate(doc, update)` integrates every struct and delete
 * range: it does not throw in the struct/delete-set phase and leaves `doc.store.pendingStructs`
 * and `doc.store.pendingDs` null (given they were null before). Cost is linear in the update
 * plus O(log n) store look-ups per parent reference; no work proportional to the doc, except
 * the `empty` check, which walks only the doc structs that delete ranges cover (as Yjs would).
 *
 * It does not know who sent the update: refusing clientIDs the sender does not own is the
 * caller's job (use `added`, and `options.mayAddGc` for GC structs at new clocks).
 *
 * @throws {UpdateRefusedError} with the first rule the update breaks.
 * @throws {TypeError} if `update` is not a Uint8Array.
 * @example
 * const summary = validateUpdate(room.doc, update, { mayAddGc: ownedBySender }) // throws UpdateRefusedError
 * if (!summary.empty) Y.applyUpdate(room.doc, update, { source: 'connection', peer })
 */
export function validateUpdate(
  doc: Y.Doc,
  update: Uint8Array,
  options: ValidateOptions = {}
): UpdateSummary {
  if (!(update instanceof Uint8Array)) {
    throw new TypeError('validateUpdate: update must be a Uint8Array')
  }
  let decoded: ReturnType<typeof decodeUpdateStrictly>
  try {
    decoded = decodeUpdateStrictly(update, options.maxStructs)
  } catch (error) {
    if (error instanceof TooManyStructsError) throw new UpdateRefusedError('too-many-structs', error.message, { cause: error })
    if (error instanceof UpdateDecodeError) {
      throw new UpdateRefusedError('malformed', error.message, { cause: error })
    }
    throw error
  }
  const { sections, deletes } = decoded
  const store = doc.store
  checkNumbers(sections, deletes)
  const clocks = checkSections(sections, store, options.mayAddGc ?? (() => false))
  checkReferences(sections, clocks, store)
  checkOverlaps(sections, clocks, doc)
  const stuck = firstStuckStruct(sections, (c) => clocks.get(c)?.known ?? Y.getState(store, c))
  if (stuck !== null) {
    refuse('missing-reference', `circular references: ${stuck.id.client}:${stuck.id.clock} never integrates`)
  }
  checkDeletes(deletes, clocks, store)

  const added = new Map<number, { from: number; to: number }>()
  let empty = true
  for (const [client, { known, end }] of clocks) {
    added.set(client, { from: known, to: end })
    if (end > known) empty = false
  }
  return { added, empty: empty && deletesAreNoOps(deletes, store), sections }
}

function refuse(reason: UpdateRefusal, detail: string): never {
  throw new UpdateRefusedError(reason, detail)
}

const isSafe = (n: number): boolean => Number.isSafeInteger(n) && n >= 0

/** Rejects numbers that lost precision: every later comparison assumes exact integers. */
function checkNumbers(
  sections: Map<number, UpdateStruct[]>,
  deletes: Map<number, DeleteRange[]>
): void {
  const checkId = (id: Y.ID, what: string): void => {
    if (!isSafe(id.client) || !isSafe(id.clock)) {
      refuse('clock-overflow', `${what} ${id.client}:${id.clock}`)
    }
  }
  for (const [client, structs] of sections) {
    for (const s of structs) {
      if (!isSafe(client) || !isSafe(s.id.clock) || !isSafe(s.id.clock + s.length)) {
        refuse('clock-overflow', `struct ${client}:${s.id.clock} length ${s.length}`)
      }
      // Yjs never encodes empty structs (an empty insert is a no-op). Integrated, a zero-length
      // struct breaks findIndexSS's invariant and later look-ups throw (StructStore.js:138).
      if (s.length < 1) refuse('malformed', `zero-length struct at ${client}:${s.id.clock}`)
      if (s instanceof Y.Item) {
        if (s.origin !== null) checkId(s.origin, 'origin')
        if (s.rightOrigin !== null) checkId(s.rightOrigin, 'rightOrigin')
        const parent: unknown = s.parent
        if (parent instanceof Y.ID) checkId(parent, 'parent')
      }
    }
  }
  for (const [client, ranges] of deletes) {
    for (const r of ranges) {
      if (!isSafe(client) || !isSafe(r.clock) || !isSafe(r.clock + r.len)) {
        refuse('clock-overflow', `delete range ${client}:${r.clock} length ${r.len}`)
      }
    }
  }
}

/**
 * Per-client shape: the section must start at or before the known clock (encoding.js:305,
 * `offset < 0` parks the rest in pendingStructs), and a Skip may only cover clocks the doc
 * already has: it never advances the state, so anything after it would be pending. A GC at
 * new clocks integrates fine but claims those clocks, so only `mayAddGc` clients may send one.
 */
function checkSections(
  sections: Map<number, UpdateStruct[]>,
  store: Y.Doc['store'],
  mayAddGc: (client: number) => boolean
): Map<number, ClientClocks> {
  const clocks = new Map<number, ClientClocks>()
  for (const [client, structs] of sections) {
    const known = Y.getState(store, client)
    const first = structs[0]
    const last = structs[structs.length - 1]
    if (first === undefined || last === undefined) continue
    if (first.id.clock > known) {
      refuse('gap', `client ${client} starts at ${first.id.clock}, doc knows ${known}`)
    }
    for (const s of structs) {
      if (s.id.clock + s.length <= known) continue
      if (s instanceof Y.Skip) refuse('skip-new-range', `${client}:${s.id.clock}+${s.length}`)
      if (s instanceof Y.GC && !mayAddGc(client)) refuse('gc-new-range', `${client}:${s.id.clock}+${s.length}`)
    }
    clocks.set(client, { known, end: Math.max(known, last.id.clock + last.length) })
  }
  return clocks
}

/**
 * Every origin, rightOrigin and parent ID of every Item (known or new: Yjs resolves them for
 * both, Item.js:384-410) must name a clock that exists when Yjs integrates the item.
 * Same-client references skip Yjs's missing check and go straight to `getItemCleanEnd` /
 * `getItem`, which throw (StructStore.js:138) unless the clock is below the item's own start
 * or the known state. Cross-client references may point into this update; the order is
 * checked by `firstStuckStruct`.
 */
function checkReferences(
  sections: Map<number, UpdateStruct[]>,
  clocks: Map<number, ClientClocks>,
  store: Y.Doc['store']
): void {
  for (const [client, structs] of sections) {
    const known = clocks.get(client)?.known ?? 0
    for (const item of structs) {
      if (!(item instanceof Y.Item)) continue
      const [origin, rightOrigin, parent] = itemRefs(item)
      for (const ref of [origin, rightOrigin, parent]) {
        if (ref === null) continue
        const limit =
          ref.client === client
            ? Math.max(known, item.id.clock)
            : (clocks.get(ref.client)?.end ?? Y.getState(store, ref.client))
        if (ref.clock >= limit) {
          refuse('missing-reference', `${client}:${item.id.clock} refers to ${ref.client}:${ref.clock}`)
        }
      }
      if (parent !== null && !canBeParent(structAt(parent, sections, clocks, store))) {
        refuse('missing-reference', `${client}:${item.id.clock} has parent ${parent.client}:${parent.clock}, not a type`)
      }
    }
  }
}

/**
 * `getMissing` turns a parent ID into `parentItem.content.type` (Item.js:403-409). A type, or a
 * GC / ContentDeleted left by garbage collection of a deleted type, is fine: the latter make
 * the item integrate as GC (Item.js:529-532), which is what every peer does. Any other
 * content yields `parent = undefined`, silently turning the item into GC: refused.
 */
function canBeParent(target: UpdateStruct): boolean {
  if (target instanceof Y.GC) return true
  return (
    target instanceof Y.Item &&
    (target.content instanceof Y.ContentType || target.content instanceof Y.ContentDeleted)
  )
}

/** The struct holding `id`, from the doc for known clocks, else from the update. */
function structAt(
  id: Y.ID,
  sections: Map<number, UpdateStruct[]>,
  clocks: Map<number, ClientClocks>,
  store: Y.Doc['store']
): UpdateStruct {
  const known = clocks.get(id.client)?.known ?? Y.getState(store, id.client)
  const inDoc = id.clock < known ? store.clients.get(id.client) : undefined
  const list: UpdateStruct[] = inDoc ?? sections.get(id.client) ?? []
  // Both lists are contiguous and sorted; checkReferences already proved the clock exists.
  let lo = 0
  let hi = list.length - 1
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1
    const s = list[mid] as UpdateStruct
    if (id.clock < s.id.clock) hi = mid - 1
    else if (id.clock >= s.id.clock + s.length) lo = mid + 1
    else return s
  }
  throw new Error(`validateUpdate: no struct at ${id.client}:${id.clock}`)
}

/**
 * An Item that starts inside the known range and ends beyond it is integrated from the known
 * clock on with `left` forced to the doc's struct at known - 1 (Item.js:420-425), while its
 * parent came from its own origin / rightOrigin / parent in `getMissing`. Honest overlaps
 * (a client's merged item re-sent after part of it arrived) are pieces of one insert, so both
 * agree. A crafted one links the item into one list under another parent, and a later GC of
 * that parent throws (Item.js:636; fuzz seed 9012573); a GC there makes `integrate` throw.
 */
function checkOverlaps(
  sections: Map<number, UpdateStruct[]>,
  clocks: Map<number, ClientClocks>,
  doc: Y.Doc
): void {
  for (const [client, structs] of sections) {
    const known = clocks.get(client)?.known ?? 0
    const s = structs.find((x) => x.id.clock < known && known < x.id.clock + x.length)
    if (!(s instanceof Y.Item)) continue
    const placement = placementInDoc(s, doc)
    if (placement === 'gc') continue
    const left = docStructAt(doc.store, Y.createID(client, known - 1))
    if (
      placement === null ||
      !(left instanceof Y.Item) ||
      left.parent !== placement.parent ||
      left.parentSub !== placement.parentSub
    ) {
      refuse('missing-reference', `${client}:${s.id.clock} continues a known item elsewhere`)
    }
  }
}

/**
 * Where `getMissing` (Item.js:384-410) would put `item`, resolved read-only from the doc:
 * 'gc' if Yjs would integrate it as GC, null if a reference is not in the doc (never the case
 * for an honest overlap: its references were integrated with the known part).
 */
function placementInDoc(item: Y.Item, doc: Y.Doc): { parent: unknown; parentSub: string | null } | 'gc' | null {
  const left = item.origin === null ? null : docStructAt(doc.store, item.origin)
  const right = item.rightOrigin === null ? null : docStructAt(doc.store, item.rightOrigin)
  if (left === undefined || right === undefined) return null
  if (left instanceof Y.GC || right instanceof Y.GC) return 'gc'
  const neighbour = left ?? right
  if (neighbour !== null) return { parent: neighbour.parent, parentSub: neighbour.parentSub }
  const parent: unknown = item.parent
  if (typeof parent === 'string') return { parent: doc.share.get(parent) ?? null, parentSub: item.parentSub }
  if (!(parent instanceof Y.ID)) return null
  const parentItem = docStructAt(doc.store, parent)
  if (parentItem === undefined) return null
  if (!(parentItem instanceof Y.Item) || !(parentItem.content instanceof Y.ContentType)) return 'gc'
  return { parent: parentItem.content.type, parentSub: item.parentSub }
}

/** The doc's struct holding `id`, or undefined if the doc does not have that clock. */
function docStructAt(store: Y.Doc['store'], id: Y.ID): Y.Item | Y.GC | undefined {
  const structs = store.clients.get(id.client)
  if (structs === undefined || id.clock >= Y.getState(store, id.client)) return undefined
  return structs[Y.findIndexSS(structs, id.clock)]
}

/**
 * `readAndApplyDeleteSet` (DeleteSet.js:278-332) applies a range only if it lies below the
 * state after the structs were integrated; the rest (even a zero-length range at or past the
 * state) goes to pendingDs, where it would delete whatever that client writes there later.
 */
function checkDeletes(
  deletes: Map<number, DeleteRange[]>,
  clocks: Map<number, ClientClocks>,
  store: Y.Doc['store']
): void {
  for (const [client, ranges] of deletes) {
    const limit = clocks.get(client)?.end ?? Y.getState(store, client)
    for (const r of ranges) {
      if (r.clock >= limit || r.clock + r.len > limit) {
        refuse('delete-unknown', `${client}:${r.clock}+${r.len}, clocks exist up to ${limit}`)
      }
    }
  }
}

/** True if every non-empty delete range covers only structs the doc already has deleted. */
function deletesAreNoOps(deletes: Map<number, DeleteRange[]>, store: Y.Doc['store']): boolean {
  for (const [client, ranges] of deletes) {
    const structs = store.clients.get(client)
    for (const r of ranges) {
      if (r.len === 0) continue
      if (structs === undefined) return false
      const end = r.clock + r.len
      for (let i = Y.findIndexSS(structs, r.clock); i < structs.length; i++) {
        const s = structs[i] as Y.Item | Y.GC
        if (s.id.clock >= end) break
        if (!s.deleted) return false
      }
    }
  }
  return true
}
