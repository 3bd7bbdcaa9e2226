/**
 * Strict decoding of a Yjs V1 update into per-client struct sections, and a dry run of the
 * order in which Yjs would integrate them.
 *
 * Uses Yjs's own decoder (`Y.decodeUpdateV2` with a V1 decoder) so that every struct and its
 * content are read exactly as `Y.applyUpdate` would read them, and adds the two checks Yjs does
 * not make: trailing bytes after the delete set, and a client written in two sections.
 */
import * as Y from 'yjs'
import * as decoding from 'lib0/decoding'

/** A struct as produced by `Y.decodeUpdate`: an Item, a GC range or a Skip (a hole in the update). */
export type UpdateStruct = Y.Item | Y.GC | Y.Skip

/** One decoded delete-set range. */
export interface DeleteRange {
  clock: number
  len: number
}

/** A fully decoded update: structs grouped by client, in wire order, and the delete set. */
export interface DecodedUpdate {
  /** clientID → that client's structs, contiguous and ascending by clock (holes are Skips). */
  sections: Map<number, UpdateStruct[]>
  /** clientID → delete ranges, as written on the wire (not sorted or merged). */
  deletes: Map<number, DeleteRange[]>
}

/** Why `decodeUpdateStrictly` failed; the message is for logs only. */
export class UpdateDecodeError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'UpdateDecodeError'
  }
}

/** The update holds more structs and delete ranges than the caller allows. */
export class TooManyStructsError extends UpdateDecodeError {
  constructor(readonly limit: number) {
    super(`more than ${limit} structs and delete ranges`)
    this.name = 'TooManyStructsError'
  }
}

/** Struct limit of the decode in progress (synchronous, so one module-level slot is enough). */
let structLimit = Infinity

/**
 * The decoder instance Yjs creates inside `decodeUpdateV2`. `decodeUpdateV2` is synchronous
 * and builds exactly one decoder, so a module-level slot is enough to get it back after the
 * call; it is cleared right away so no update bytes stay reachable.
 */
let lastDecoder: SectionTrackingDecoderV1 | null = null

/**
 * Yjs's V1 update decoder, unchanged except that it remembers the client of every section.
 * `readClient` is called exactly once per section header (yjs src/utils/updates.js,
 * `lazyStructReaderGenerator`), and nowhere else in a V1 update.
 */
class SectionTrackingDecoderV1 extends Y.UpdateDecoderV1 {
  readonly sectionClients: number[] = []
  private counted = 0
  private readonly limit = structLimit

  constructor(decoder: decoding.Decoder) {
    super(decoder)
    lastDecoder = this
  }

  override readClient(): number {
    const client = super.readClient()
    this.sectionClients.push(client)
    return client
  }

  /** Read once per struct: stops a huge update before the rest of it is decoded. */
  override readInfo(): number {
    if (++this.counted > this.limit) throw new TooManyStructsError(this.limit)
    return super.readInfo()
  }

  /** Read once per delete range. */
  override readDsLen(): number {
    if (++this.counted > this.limit) throw new TooManyStructsError(this.limit)
    return super.readDsLen()
  }
}

/**
 * Decodes a whole V1 update (every struct, its content, and the delete set) with Yjs's decoder.
 * Throws `UpdateDecodeError` if Yjs's decoder throws, if bytes remain after the delete set, or
 * if one client has two sections; `TooManyStructsError` as soon as it has read more than
 * `maxStructs` structs and delete ranges together.
 */
export function decodeUpdateStrictly(update: Uint8Array, maxStructs = Infinity): DecodedUpdate {
  let decoded: ReturnType<typeof Y.decodeUpdate>
  let decoder: SectionTrackingDecoderV1 | null
  if (firstSectionSize(update) > maxStructs) throw new TooManyStructsError(maxStructs)
  structLimit = maxStructs
  try {
    decoded = Y.decodeUpdateV2(update, SectionTrackingDecoderV1)
  } catch (cause) {
    if (cause instanceof TooManyStructsError) throw cause
    throw new UpdateDecodeError(`Yjs decoder threw: ${String(cause)}`, { cause })
  } finally {
    decoder = lastDecoder
    lastDecoder = null
    structLimit = Infinity
  }
  if (decoder === null) {
    throw new UpdateDecodeError('Yjs did not construct the tracking decoder')
  }
  // Yjs stops reading after the delete set and ignores the rest. lib0's varUint reads never
  // run past the end (they throw), and the delete set ends with one, so pos <= length here.
  const { pos } = decoder.restDecoder
  if (pos !== update.length) {
    throw new UpdateDecodeError(`${update.length - pos} trailing bytes after the delete set`)
  }
  // `readClientsStructRefs` (yjs src/utils/encoding.js) keeps one entry per client and
  // overwrites it when a client reappears, silently dropping the earlier section.
  const seen = new Set<number>()
  for (const client of decoder.sectionClients) {
    if (seen.has(client)) {
      throw new UpdateDecodeError(`client ${client} has more than one section`)
    }
    seen.add(client)
  }
  const sections = new Map<number, UpdateStruct[]>()
  for (const struct of decoded.structs) {
    const list = sections.get(struct.id.client)
    if (list === undefined) {
      sections.set(struct.id.client, [struct])
    } else {
      list.push(struct)
    }
  }
  return { sections, deletes: decoded.ds.clients }
}

/**
 * The struct count the first section's header claims (0 if it cannot be read). Yjs writes each
 * section's count before its structs, so a huge honest update is refused without decoding any;
 * a header that lies is still caught by the count of structs actually read.
 */
function firstSectionSize(update: Uint8Array): number {
  try {
    const d = decoding.createDecoder(update)
    return decoding.readVarUint(d) > 0 ? decoding.readVarUint(d) : 0
  } catch {
    return 0
  }
}

/** The three IDs `Item.getMissing` follows (yjs src/structs/Item.js:372-411), in its order. */
export function itemRefs(item: Y.Item): [Y.ID | null, Y.ID | null, Y.ID | null] {
  const parent: unknown = item.parent
  return [item.origin, item.rightOrigin, parent instanceof Y.ID ? parent : null]
}

/**
 * Dry run of `integrateStructs` (yjs src/utils/encoding.js:227-359) on clocks only; returns the
 * first struct Yjs would park in pendingStructs, or null if everything integrates.
 *
 * References into another client's part of the update make Yjs pull that client's structs
 * first. A cycle (A's item needs B's later item, which needs A's later item) ends in
 * pendingStructs even though every referenced clock exists. `knownClock` is the doc's state
 * per client. Linear: each struct is pulled once and re-checked once when popped.
 */
export function firstStuckStruct(
  sections: Map<number, UpdateStruct[]>,
  knownClock: (client: number) => number
): UpdateStruct | null {
  const readers = new Map<number, { i: number; refs: UpdateStruct[] }>()
  for (const [client, refs] of sections) readers.set(client, { i: 0, refs })
  const state = new Map<number, number>()
  const stateOf = (client: number): number => state.get(client) ?? knownClock(client)
  const missingClient = (item: Y.Item): number | null => {
    for (const ref of itemRefs(item)) {
      if (ref !== null && ref.client !== item.id.client && ref.clock >= stateOf(ref.client)) {
        return ref.client
      }
    }
    return null
  }
  const ids = [...readers.keys()].sort((a, b) => a - b)
  // Yjs starts with the highest clientID and falls back to lower ones (getNextStructTarget).
  const nextTarget = (): { i: number; refs: UpdateStruct[] } | null => {
    while (ids.length > 0) {
      const reader = readers.get(ids[ids.length - 1] as number)
      if (reader !== undefined && reader.i < reader.refs.length) return reader
      ids.pop()
    }
    return null
  }
  const stack: UpdateStruct[] = []
  let current = nextTarget()
  let head = current?.refs[current.i++]
  while (head !== undefined) {
    // Skips are never integrated and never advance the state (encoding.js:302).
    if (!(head instanceof Y.Skip)) {
      const client = head.id.client
      const offset = stateOf(client) - head.id.clock
      if (offset < 0) return head
      const missing = head instanceof Y.Item ? missingClient(head) : null
      if (missing !== null) {
        stack.push(head)
        const reader = readers.get(missing)
        if (reader === undefined || reader.i === reader.refs.length) return head
        head = reader.refs[reader.i++]
        continue
      }
      if (offset < head.length) state.set(client, head.id.clock + head.length)
    }
    if (stack.length > 0) {
      head = stack.pop()
    } else if (current !== null && current.i < current.refs.length) {
      head = current.refs[current.i++]
    } else {
      current = nextTarget()
      head = current?.refs[current.i++]
    }
  }
  return null
}
