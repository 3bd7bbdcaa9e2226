/**
 * Seeded hostile frames for the frame fuzzer (frame-fuzzer.test.ts). Each case is one frame,
 * or a burst of frames, from one of these families:
 *
 * - `random`: random bytes, sometimes behind a real message type;
 * - `truncated`: real frames cut short, and varints that never end;
 * - `huge-length`: length prefixes and counts of billions (frames, updates, awareness), varints
 *   beyond 2^53, and WebSocket frame headers announcing 2^62 bytes;
 * - `structs`: real updates damaged at byte level or rewired at struct level
 *   (test/helpers/crafted-updates.ts), and random well-formed updates;
 * - `awareness-flood`: bursts of presence frames with many clientIDs, entries, large states,
 *   removals of others, bad JSON;
 * - `deep-nesting`: element chains in the document fragment (33 to 25,000 deep), nested maps
 *   outside it, deeply nested arrays inside a Yjs value and inside presence JSON;
 * - `protocol`: message types clients may not send, unknown sync types, oversize frames.
 *
 * Nothing here touches a socket; the fuzzer sends the frames.
 */
import * as Y from 'yjs'
import * as prng from 'lib0/prng'
import * as encoding from 'lib0/encoding'
import * as decoding from 'lib0/decoding'
import { concat, encodeUpdate, item, mutateBytes, mutateStructs, randomUpdate } from '../helpers/crafted-updates.js'
import { messageAttribution, messageAuth, messageAwareness, messageQueryAwareness, messageSync, syncStep1, syncStep2, syncUpdate, messageAck } from '../../shared/protocol.js'
import { FRAGMENT_NAME } from '../../shared/schema.js'

/** Family of a case (for the figures). */
export type CaseFamily = 'random' | 'truncated' | 'huge-length' | 'structs' | 'awareness-flood' | 'deep-nesting' | 'protocol'

/** One fuzz case: frames to send in order, or a raw WebSocket frame header announcing `rawLength` bytes. */
export interface FuzzCase {
  family: CaseFamily
  name: string
  frames: Uint8Array[]
  rawLength?: bigint
}

/** What the fuzzer knows of the room it attacks. */
export interface FuzzContext {
  /** The room's state vector as the server last sent it. */
  known: Map<number, number>
  /** Largest frame the sender may send (team 8 MiB, customers 1 MiB). */
  maxFrameBytes: number
}

const varUint = (n: number | bigint): Uint8Array => {
  if (typeof n === 'bigint') {
    const out: number[] = []
    do {
      let b = Number(n & 0x7fn)
      n >>= 7n
      if (n > 0n) b |= 0x80
      out.push(b)
    } while (n > 0n)
    return Uint8Array.from(out)
  }
  const e = encoding.createEncoder()
  encoding.writeVarUint(e, n)
  return encoding.toUint8Array(e)
}

/** A sync frame (`type 0`) with `syncType` and `payload`. */
export const syncFrame = (syncType: number, payload: Uint8Array): Uint8Array =>
  concat(Uint8Array.of(messageSync), varUint(syncType), varUint(payload.length), payload)

/** An awareness frame (`type 1`) around a raw awareness update. */
const awarenessFrame = (update: Uint8Array): Uint8Array => concat(Uint8Array.of(messageAwareness), varUint(update.length), update)

/** A raw awareness update from entries whose JSON is given as text. */
function awarenessUpdate(entries: Array<{ clientID: number; clock: number; json: string }>): Uint8Array {
  const e = encoding.createEncoder()
  encoding.writeVarUint(e, entries.length)
  for (const x of entries) {
    encoding.writeVarUint(e, x.clientID)
    encoding.writeVarUint(e, x.clock)
    encoding.writeVarString(e, x.json)
  }
  return encoding.toUint8Array(e)
}

/** The probe the fuzzer sends after each case: a sync step 1 with an empty state vector, always answered with a step 2. */
export const PROBE = syncFrame(syncStep1, Y.encodeStateVector(new Y.Doc()))

/** True if `frame` is a well-formed sync step 1 (it would be answered like the probe, so cases never are one). */
export function isStep1(frame: Uint8Array): boolean {
  try {
    const d = decoding.createDecoder(frame)
    if (decoding.readVarUint(d) !== messageSync || decoding.readVarUint(d) !== syncStep1) return false
    Y.decodeStateVector(decoding.readVarUint8Array(d))
    return !decoding.hasContent(d)
  } catch {
    return false
  }
}

/** A fresh client's honest update: text typed into root text `t`, or a paragraph at the top of the document. */
function honestUpdate(gen: prng.PRNG): Uint8Array {
  const doc = new Y.Doc()
  doc.clientID = prng.uint32(gen, 1, 2 ** 31)
  const update = prng.bool(gen)
    ? captureOne(doc, () => doc.getText('t').insert(0, prng.word(gen, 1, 12)))
    : captureOne(doc, () => {
        const p = new Y.XmlElement('paragraph')
        p.insert(0, [new Y.XmlText(prng.word(gen, 1, 12))])
        doc.getXmlFragment(FRAGMENT_NAME).insert(0, [p])
      })
  doc.destroy()
  return update
}

function captureOne(doc: Y.Doc, change: () => void): Uint8Array {
  const before = Y.encodeStateVector(doc)
  change()
  return Y.encodeStateAsUpdate(doc, before)
}

const cache = new Map<string, Uint8Array>()
/** Builds (once) and returns the frame named `key`. */
const cached = (key: string, build: () => Uint8Array): Uint8Array => {
  let f = cache.get(key)
  if (!f) cache.set(key, (f = build()))
  return f
}

/** An update of `depth` elements, each inside the previous one, under root `root` (fragment or map). */
function chain(depth: number, root: string, kind: 'element' | 'map'): Uint8Array {
  const client = 900_000 + depth
  const structs = []
  for (let d = 0; d < depth; d++) {
    const content = new Y.ContentType(kind === 'element' ? new Y.XmlElement(d % 2 ? 'blockquote' : 'paragraph') : new Y.Map())
    const parent = d === 0 ? root : Y.createID(client, d - 1)
    structs.push(item(client, d, { parent, ...(kind === 'map' ? { parentSub: 'k' } : {}), content }))
  }
  return encodeUpdate([{ client, clock: 0, structs }])
}

/** An update with one ContentAny item under root text `t` holding an array nested `depth` deep (lib0 any encoding, by hand). */
function deepAny(depth: number): Uint8Array {
  const nested = new Uint8Array(depth * 2 + 1)
  for (let i = 0; i < depth; i++) {
    nested[2 * i] = 117 // array
    nested[2 * i + 1] = 1 // of one element
  }
  nested[depth * 2] = 126 // null
  // [1 client][1 struct][client][clock 0][info: ContentAny (8), no origins][parent is a root: 1]["t"][1 value][value][no deletes]
  return concat(Uint8Array.of(1, 1), varUint(4242), Uint8Array.of(0, 8, 1, 1, 't'.charCodeAt(0), 1), nested, Uint8Array.of(0))
}

/** A JSON text `{"a":[[[…]]]}` nested `depth` deep. */
const deepJson = (depth: number): string => `{"a":${'['.repeat(depth)}${']'.repeat(depth)}}`

function randomCase(gen: prng.PRNG): FuzzCase {
  const body = prng.uint8Array(gen, prng.uint32(gen, 0, 300))
  if (prng.bool(gen)) return { family: 'random', name: 'random bytes', frames: [body] }
  const type = prng.oneOf(gen, [messageSync, messageAwareness, messageQueryAwareness])
  const sub = type === messageSync ? [prng.uint32(gen, 0, 3)] : []
  return { family: 'random', name: `random after type ${type}`, frames: [concat(Uint8Array.of(type, ...sub), body)] }
}

function truncatedCase(gen: prng.PRNG, ctx: FuzzContext): FuzzCase {
  const pick = prng.uint32(gen, 0, 3)
  if (pick === 0) {
    // A varint whose continuation bit never ends: as message type, sync type or length.
    const run = new Uint8Array(prng.uint32(gen, 1, 12)).fill(0x80 | prng.uint32(gen, 0, 127))
    const prefix = prng.oneOf(gen, [[], [messageSync], [messageSync, syncUpdate], [messageAwareness]])
    return { family: 'truncated', name: 'unterminated varint', frames: [concat(Uint8Array.of(...prefix), run)] }
  }
  const whole =
    pick === 1
      ? syncFrame(prng.bool(gen) ? syncStep2 : syncUpdate, honestUpdate(gen))
      : pick === 2
        ? awarenessFrame(awarenessUpdate([{ clientID: prng.uint32(gen, 1, 2 ** 30), clock: 1, json: '{"cursor":null}' }]))
        : syncFrame(syncUpdate, randomUpdate(gen, ctx.known))
  return { family: 'truncated', name: 'cut short', frames: [whole.slice(0, prng.uint32(gen, 1, Math.max(1, whole.length - 1)))] }
}

function hugeLengthCase(gen: prng.PRNG): FuzzCase {
  const huge = prng.oneOf(gen, [2 ** 31, 2 ** 32 - 1, 2 ** 40, 2 ** 53 - 1])
  const tail = prng.uint8Array(gen, prng.uint32(gen, 0, 16))
  switch (prng.uint32(gen, 0, 6)) {
    case 0:
      return { family: 'huge-length', name: 'sync payload length', frames: [concat(Uint8Array.of(messageSync, prng.uint32(gen, 0, 2)), varUint(huge), tail)] }
    case 1:
      return { family: 'huge-length', name: 'awareness payload length', frames: [concat(Uint8Array.of(messageAwareness), varUint(huge), tail)] }
    case 2: {
      // Inside a well-framed update: client count, struct count or string length.
      const update = concat(varUint(prng.bool(gen) ? huge : 1), varUint(huge), varUint(7), varUint(0), Uint8Array.of(4), varUint(huge), tail)
      return { family: 'huge-length', name: 'update counts', frames: [syncFrame(syncUpdate, update)] }
    }
    case 3: {
      const update = concat(varUint(huge), varUint(prng.uint32(gen, 1, 2 ** 30)), varUint(1), tail)
      return { family: 'huge-length', name: 'awareness entry count', frames: [awarenessFrame(update)] }
    }
    case 4:
      // A varint beyond 2^53.
      return { family: 'huge-length', name: 'varint beyond 2^53', frames: [concat(Uint8Array.of(messageSync, syncUpdate), new Uint8Array(9).fill(0xff), Uint8Array.of(0x7f), tail)] }
    case 5: {
      // A delete range of 2^53 - 1 clocks, and a GC struct as long.
      const update = prng.bool(gen)
        ? concat(varUint(0), varUint(1), varUint(prng.uint32(gen, 1, 2 ** 30)), varUint(1), varUint(0), varUint(2 ** 53 - 1))
        : concat(varUint(1), varUint(1), varUint(prng.uint32(gen, 1, 2 ** 30)), varUint(0), Uint8Array.of(0), varUint(2 ** 53 - 1), varUint(0))
      return { family: 'huge-length', name: 'clock ranges', frames: [syncFrame(syncUpdate, update)] }
    }
    default:
      // The WebSocket frame header itself announces 2^62 bytes (or an invalid 2^63).
      return { family: 'huge-length', name: 'websocket frame header', frames: [], rawLength: prng.bool(gen) ? 2n ** 62n : 2n ** 63n + 5n }
  }
}

function structsCase(gen: prng.PRNG, ctx: FuzzContext): FuzzCase {
  const step = prng.bool(gen) ? syncStep2 : syncUpdate
  switch (prng.uint32(gen, 0, 3)) {
    case 0:
      return { family: 'structs', name: 'bytes damaged', frames: [syncFrame(step, mutateBytes(gen, honestUpdate(gen)))] }
    case 1:
      return { family: 'structs', name: 'structs rewired', frames: [syncFrame(step, mutateStructs(gen, honestUpdate(gen), ctx.known))] }
    case 2:
      return { family: 'structs', name: 'random update', frames: [syncFrame(step, randomUpdate(gen, ctx.known))] }
    default:
      // Occasionally an honest one: it is applied, stored and broadcast like any edit.
      return { family: 'structs', name: 'honest update', frames: [syncFrame(step, honestUpdate(gen))] }
  }
}

function awarenessFloodCase(gen: prng.PRNG): FuzzCase {
  const frames: Uint8Array[] = []
  const count = prng.uint32(gen, 3, 25)
  const smallState = (): string =>
    prng.oneOf(gen, [
      '{"cursor":{"anchor":1,"head":2}}',
      'null',
      '{"user":{"id":"someone-else","name":"Impostor","role":"facilitator"}}',
      '[1,2,3]',
      '"text"',
      '{"unterminated":'
    ])
  for (let i = 0; i < count; i++) {
    // Many entries of small states, or one state just under or over the 64 KiB limit.
    const many = prng.oneOf(gen, [1, 1, 1, 2, 5, 50, 401])
    const big = many === 1 && prng.uint32(gen, 0, 9) === 0
    const entries = Array.from({ length: many }, () => ({
      // Few clientIDs (squatting each other's) or ever new ones (the per-connection quota).
      clientID: prng.bool(gen) ? prng.uint32(gen, 1, 5) : prng.uint32(gen, 1, 2 ** 31),
      clock: prng.uint32(gen, 0, 2 ** 20),
      json: big ? `{"pad":"${'x'.repeat(prng.uint32(gen, 60_000, 70_000))}"}` : smallState()
    }))
    frames.push(awarenessFrame(awarenessUpdate(entries)))
  }
  return { family: 'awareness-flood', name: 'burst', frames }
}

function deepNestingCase(gen: prng.PRNG): FuzzCase {
  switch (prng.uint32(gen, 0, 3)) {
    case 0: {
      const depth = prng.oneOf(gen, [33, 100, 1000, 6000, 19_999, 25_000])
      return { family: 'deep-nesting', name: `element chain ${depth}`, frames: [cached(`chain-${depth}`, () => syncFrame(syncUpdate, chain(depth, FRAGMENT_NAME, 'element')))] }
    }
    case 1: {
      const depth = prng.oneOf(gen, [2, 100, 5000])
      return { family: 'deep-nesting', name: `map chain ${depth}`, frames: [cached(`map-${depth}`, () => syncFrame(syncUpdate, chain(depth, 'm', 'map')))] }
    }
    case 2: {
      const depth = prng.oneOf(gen, [100, 10_000, 200_000])
      return { family: 'deep-nesting', name: `nested array value ${depth}`, frames: [cached(`any-${depth}`, () => syncFrame(syncUpdate, deepAny(depth)))] }
    }
    default: {
      const depth = prng.oneOf(gen, [100, 1000, 3000, 4000, 5000, 8000, 20_000, 32_000])
      const update = awarenessUpdate([{ clientID: prng.uint32(gen, 1, 2 ** 31), clock: 1, json: deepJson(depth) }])
      return { family: 'deep-nesting', name: `nested presence JSON ${depth}`, frames: [awarenessFrame(update)] }
    }
  }
}

function protocolCase(gen: prng.PRNG, ctx: FuzzContext): FuzzCase {
  switch (prng.uint32(gen, 0, 5)) {
    case 0: {
      const type = prng.oneOf(gen, [messageAuth, messageAck, messageAttribution, 4, 99, 255, 2 ** 20])
      return { family: 'protocol', name: `type ${type}`, frames: [concat(varUint(type), prng.uint8Array(gen, prng.uint32(gen, 0, 20)))] }
    }
    case 1:
      return { family: 'protocol', name: 'unknown sync type', frames: [syncFrame(prng.uint32(gen, 3, 300), honestUpdate(gen))] }
    case 2:
      return { family: 'protocol', name: 'query-awareness with payload', frames: [Uint8Array.of(messageQueryAwareness, 1, 2, 3)] }
    case 3:
      return { family: 'protocol', name: 'empty frame', frames: [new Uint8Array(0)] }
    case 4:
      // A malformed state vector in a step 1.
      return { family: 'protocol', name: 'bad state vector', frames: [syncFrame(syncStep1, concat(varUint(3), varUint(1), Uint8Array.of(0xff)))] }
    default: {
      // A frame above the sender's limit (1009), rarely: it is megabytes.
      if (prng.uint32(gen, 0, 19) !== 0) return { family: 'protocol', name: 'query-awareness', frames: [Uint8Array.of(messageQueryAwareness)] }
      return { family: 'protocol', name: 'oversize frame', frames: [cached(`oversize-${ctx.maxFrameBytes}`, () => new Uint8Array(ctx.maxFrameBytes + 1))] }
    }
  }
}

/** Draws the next case. Never a well-formed step 1 (the probe's answer must stay unambiguous). */
export function nextCase(gen: prng.PRNG, ctx: FuzzContext): FuzzCase {
  for (;;) {
    const roll = prng.uint32(gen, 0, 99)
    // Weights per case; a flood case is a burst of frames, about a third of all frames.
    const c =
      roll < 24 ? randomCase(gen)
        : roll < 40 ? truncatedCase(gen, ctx)
          : roll < 52 ? hugeLengthCase(gen)
            : roll < 80 ? structsCase(gen, ctx)
              : roll < 84 ? awarenessFloodCase(gen)
                : roll < 93 ? deepNestingCase(gen)
                  : protocolCase(gen, ctx)
    if (!c.frames.some(isStep1)) return c
  }
}
