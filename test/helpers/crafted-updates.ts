/**
 * Builders for hand-made Yjs V1 updates, written with Yjs's own encoder and struct classes
 * (`Item.write` accepts a parent given as root-type name or ID, as decoded updates hold).
 */
import * as Y from 'yjs'
import * as encoding from 'lib0/encoding'
import * as prng from 'lib0/prng'

/** A struct to write: an Item, or a GC / Skip range. */
export type CraftedStruct = Y.Item | Y.GC | Y.Skip

/** One client section: `structs` are written from `clock` on, each after the previous. */
export interface CraftedSection {
  client: number
  clock: number
  structs: CraftedStruct[]
}

/** Options of `item`: exactly what Yjs writes for an Item. */
export interface CraftedItem {
  origin?: Y.ID
  rightOrigin?: Y.ID
  /** Root type name or the ID of a type item; only written when there is no origin. */
  parent?: string | Y.ID
  parentSub?: string
  content: Y.ContentString | Y.ContentDeleted | Y.ContentType | Y.ContentAny | Y.ContentFormat
}

/** An Item at `client:clock` (the clock is rewritten by `encodeUpdate` from the section). */
export function item(client: number, clock: number, opts: CraftedItem): Y.Item {
  return new Y.Item(
    Y.createID(client, clock),
    null,
    opts.origin ?? null,
    null,
    opts.rightOrigin ?? null,
    // Item.write handles string and ID parents (yjs src/structs/Item.js:684-689).
    (opts.parent ?? null) as unknown as Y.AbstractType<unknown> | null,
    opts.parentSub ?? null,
    opts.content
  )
}

/** A text item under root type `root`. */
export const text = (client: number, clock: number, str: string, root = 'text'): Y.Item =>
  item(client, clock, { parent: root, content: new Y.ContentString(str) })

/** A GC range. */
export const gc = (client: number, clock: number, len: number): Y.GC =>
  new Y.GC(Y.createID(client, clock), len)

/** A Skip range. */
export const skip = (client: number, clock: number, len: number): Y.Skip =>
  new Y.Skip(Y.createID(client, clock), len)

/** Encodes sections, a delete set (`[client, [[clock, len], …]]`) and optional trailing bytes. */
export function encodeUpdate(
  sections: CraftedSection[],
  deletes: Array<[number, Array<[number, number]>]> = [],
  trailing: Uint8Array = new Uint8Array(0)
): Uint8Array {
  const encoder = new Y.UpdateEncoderV1()
  encoding.writeVarUint(encoder.restEncoder, sections.length)
  for (const { client, clock, structs } of sections) {
    encoding.writeVarUint(encoder.restEncoder, structs.length)
    encoder.writeClient(client)
    encoding.writeVarUint(encoder.restEncoder, clock)
    for (const struct of structs) struct.write(encoder, 0)
  }
  encoding.writeVarUint(encoder.restEncoder, deletes.length)
  for (const [client, ranges] of deletes) {
    encoding.writeVarUint(encoder.restEncoder, client)
    encoding.writeVarUint(encoder.restEncoder, ranges.length)
    for (const [clock, len] of ranges) {
      encoder.writeDsClock(clock)
      encoder.writeDsLen(len)
    }
  }
  encoding.writeUint8Array(encoder.restEncoder, trailing)
  return encoder.toUint8Array()
}

/** Concatenates byte arrays. */
export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  let offset = 0
  for (const p of parts) {
    out.set(p, offset)
    offset += p.length
  }
  return out
}

/** Random byte-level damage: flips, overwrites, nudges, inserts, deletes, truncation, appends, repeats. */
export function mutateBytes(gen: prng.PRNG, update: Uint8Array): Uint8Array {
  let bytes = Array.from(update)
  for (let n = prng.int32(gen, 1, 3); n > 0; n--) {
    const at = prng.int32(gen, 0, Math.max(0, bytes.length - 1))
    const old = bytes[at] ?? 0
    switch (prng.int32(gen, 0, 7)) {
      case 0: bytes[at] = old ^ (1 << prng.int32(gen, 0, 7)); break
      case 1: bytes[at] = prng.int32(gen, 0, 255); break
      // a small change of a one-byte varUint keeps the framing intact more often
      case 2: bytes[at] = old < 128 ? Math.max(0, Math.min(127, old + prng.int32(gen, -2, 2))) : old; break
      case 3: bytes.splice(at, 0, prng.int32(gen, 0, 255)); break
      case 4: bytes.splice(at, 1); break
      case 5: bytes = bytes.slice(0, at); break
      case 6: bytes.push(...Array.from(prng.uint8Array(gen, prng.int32(gen, 1, 4)))); break
      default: bytes.splice(at, 0, ...bytes.slice(prng.int32(gen, 0, at), at)); break
    }
  }
  return Uint8Array.from(bytes)
}

/**
 * Random well-formed damage: decodes `update`, rewires references, clocks, struct kinds and
 * delete ranges near the clocks in `known` (a state vector), and re-encodes with Yjs's encoder.
 */
export function mutateStructs(gen: prng.PRNG, update: Uint8Array, known: Map<number, number>): Uint8Array {
  const { structs, ds } = Y.decodeUpdate(update)
  const sections = new Map<number, CraftedStruct[]>()
  for (const s of structs) sections.set(s.id.client, [...(sections.get(s.id.client) ?? []), s])
  const starts = new Map([...sections].map(([c, list]) => [c, (list[0] as CraftedStruct).id.clock]))
  const clients = [...new Set([...known.keys(), ...sections.keys(), 4242])]
  const nearClock = (client: number) =>
    Math.max(0, (known.get(client) ?? 0) + prng.int32(gen, -3, 3))
  const randomId = () => {
    const client = prng.oneOf(gen, clients)
    return Y.createID(client, nearClock(client))
  }
  const deletes = [...ds.clients].map(([c, items]): [number, Array<[number, number]>] => [c, items.map((d) => [d.clock, d.len])])
  const lists = [...sections.values()]
  for (let n = prng.int32(gen, 1, 2); n > 0; n--) {
    const list = lists.length > 0 ? prng.oneOf(gen, lists) : null
    const at = list === null ? 0 : prng.int32(gen, 0, list.length - 1)
    const s = list?.[at]
    const it = s instanceof Y.Item ? s : null
    switch (prng.int32(gen, 0, 7)) {
      case 0: if (it !== null && (it.origin !== null || it.rightOrigin !== null)) it.origin = randomId(); break
      case 1: if (it !== null && (it.origin !== null || it.rightOrigin !== null)) it.rightOrigin = randomId(); break
      case 2:
        if (it !== null) {
          it.origin = null
          it.rightOrigin = null
          it.parent = (prng.bool(gen) ? randomId() : 'text') as unknown as Y.AbstractType<unknown>
        }
        break
      case 3: if (list !== null && s !== undefined) list[at] = (prng.bool(gen) ? gc : skip)(s.id.client, s.id.clock, prng.int32(gen, 1, 4)); break
      case 4: if (s !== undefined) starts.set(s.id.client, nearClock(s.id.client)); break
      case 5: if (list !== null && list.length > 1) list.splice(at, 1); break
      case 6: if (it !== null) it.content = new Y.ContentDeleted(prng.int32(gen, 1, 4)); break
      default: {
        const client = prng.oneOf(gen, clients)
        deletes.push([client, [[nearClock(client), prng.int32(gen, 0, 4)]]])
      }
    }
  }
  const out = [...sections].map(([client, list]) => ({ client, clock: starts.get(client) ?? 0, structs: list }))
  return encodeUpdate(out, deletes)
}

const randomContent = (gen: prng.PRNG): CraftedItem['content'] => {
  switch (prng.int32(gen, 0, 6)) {
    case 0: return new Y.ContentDeleted(prng.int32(gen, 1, 3))
    case 1: return new Y.ContentAny([prng.int32(gen, 0, 9)])
    case 2: return new Y.ContentFormat(prng.oneOf(gen, ['strong', 'em']), (prng.bool(gen) ? {} : null) as object)
    case 3: return new Y.ContentType(prng.oneOf(gen, [() => new Y.Map(), () => new Y.Text(), () => new Y.Array(), () => new Y.XmlText(), () => new Y.XmlElement('p')])())
    default: return new Y.ContentString(prng.word(gen, 1, 3))
  }
}

/**
 * A random, well-formed update from scratch: 1-3 client sections starting near the clocks in
 * `known`, whose items point anywhere near known clocks or into the update itself.
 */
export function randomUpdate(gen: prng.PRNG, known: Map<number, number>): Uint8Array {
  const clients = [...new Set([...known.keys(), 7, 8])]
  const sections: CraftedSection[] = []
  const ends = new Map(known)
  for (const client of clients) {
    if (prng.int32(gen, 0, 2) === 0) continue
    const start = Math.max(0, (known.get(client) ?? 0) - prng.int32(gen, -1, 2))
    sections.push({ client, clock: start, structs: [] })
    ends.set(client, start + prng.int32(gen, 1, 6))
  }
  const randomId = () => {
    const client = prng.oneOf(gen, clients)
    return Y.createID(client, prng.int32(gen, 0, Math.max(0, (ends.get(client) ?? 0) - 1)))
  }
  for (const section of sections) {
    let clock = section.clock
    for (let n = prng.int32(gen, 1, 4); n > 0; n--) {
      const roll = prng.int32(gen, 0, 19)
      let s: CraftedStruct
      if (roll === 0) s = gc(section.client, clock, prng.int32(gen, 1, 2))
      else if (roll === 1) s = skip(section.client, clock, prng.int32(gen, 1, 2))
      else {
        const placement = prng.int32(gen, 0, 3)
        s = item(section.client, clock, {
          content: randomContent(gen),
          ...(placement === 0 ? { origin: randomId() } : {}),
          ...(placement === 1 ? { rightOrigin: randomId() } : {}),
          ...(placement === 2 ? { origin: randomId(), rightOrigin: randomId() } : {}),
          ...(placement === 3 ? { parent: prng.bool(gen) ? prng.oneOf(gen, ['text', 'map']) : randomId() } : {}),
          ...(placement === 3 && prng.bool(gen) ? { parentSub: prng.oneOf(gen, ['a', 'b']) } : {})
        })
      }
      section.structs.push(s)
      clock += s.length
    }
  }
  const deletes: Array<[number, Array<[number, number]>]> = []
  if (prng.bool(gen)) {
    const id = randomId()
    deletes.push([id.client, [[id.clock, prng.int32(gen, 0, 3)]]])
  }
  return encodeUpdate(sections, deletes)
}
