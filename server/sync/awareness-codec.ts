/**
 * Decoding and encoding y-protocols awareness updates as whole values, so a truncated or
 * garbled update is refused before any of it is applied.
 */
import * as decoding from 'lib0/decoding'
import * as encoding from 'lib0/encoding'

/** One awareness entry: `state === null` removes the client. */
export interface AwarenessEntry {
  clientID: number
  clock: number
  state: Record<string, unknown> | null
  /**
   * The state's JSON exceeded the decoder's `maxStateBytes` and was not parsed (`state` is
   * null, but the entry is not a removal). Such entries must be dropped.
   */
  oversize?: true
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })

/**
 * Deepest nesting of objects and arrays a presence state may have (an editor's state, with its
 * cursor's relative positions, nests 4 deep). JSON.parse accepts far deeper text, but the
 * server re-encodes every admitted state with JSON.stringify, which recurses: a 64 KiB state
 * nested 5,000 deep overflowed the stack there (frame fuzzer, issue 7).
 */
export const MAX_PRESENCE_STATE_DEPTH = 32

/** True if the JSON text `bytes` nests objects and arrays deeper than `max` (strings skipped). */
function nestsDeeperThan(bytes: Uint8Array, max: number): boolean {
  let depth = 0
  let inString = false
  // Bytes of multi-byte UTF-8 characters are all >= 0x80, so ASCII brackets and quotes are exact.
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]
    if (inString) {
      if (b === 0x5c) i++ // backslash: the next byte is escaped
      else if (b === 0x22) inString = false
    } else if (b === 0x22) {
      inString = true
    } else if (b === 0x7b || b === 0x5b) {
      if (++depth > max) return true
    } else if (b === 0x7d || b === 0x5d) {
      depth--
    }
  }
  return false
}

/** Bounds applied while decoding an awareness update. */
export interface AwarenessDecodeLimits {
  /** States with more JSON bytes than this are not parsed (entry marked `oversize`). */
  maxStateBytes?: number
  /** Updates announcing more entries than this are refused before any entry is read. */
  maxEntries?: number
}

/**
 * Decodes a complete awareness update (`varUint n`, then n x `clientID, clock, JSON string`).
 * States whose JSON is longer than `limits.maxStateBytes` bytes are not parsed and come back
 * marked `oversize`, so a huge state costs no parsing and no memory beyond the frame.
 * @throws Error when it is truncated, has trailing bytes, has more than `limits.maxEntries`
 * entries, or a state is not a JSON object/null or nests deeper than
 * {@link MAX_PRESENCE_STATE_DEPTH}.
 */
export function decodeAwarenessUpdate(update: Uint8Array, limits: AwarenessDecodeLimits = {}): AwarenessEntry[] {
  const maxStateBytes = limits.maxStateBytes ?? Infinity
  const decoder = decoding.createDecoder(update)
  const count = decoding.readVarUint(decoder)
  if (count > (limits.maxEntries ?? Infinity)) throw new Error(`awareness update with ${count} entries`)
  const entries: AwarenessEntry[] = []
  for (let i = 0; i < count; i++) {
    const clientID = decoding.readVarUint(decoder)
    const clock = decoding.readVarUint(decoder)
    // lib0's readVarString is exactly this: a length-prefixed byte array, then strict UTF-8.
    const json = decoding.readVarUint8Array(decoder)
    if (json.length > maxStateBytes) {
      entries.push({ clientID, clock, state: null, oversize: true })
      continue
    }
    if (nestsDeeperThan(json, MAX_PRESENCE_STATE_DEPTH)) {
      throw new Error(`awareness state nested deeper than ${MAX_PRESENCE_STATE_DEPTH}`)
    }
    const state: unknown = JSON.parse(utf8.decode(json))
    if (state !== null && (typeof state !== 'object' || Array.isArray(state))) {
      throw new Error('awareness state must be an object or null')
    }
    entries.push({ clientID, clock, state: state as Record<string, unknown> | null })
  }
  if (decoding.hasContent(decoder)) throw new Error('trailing bytes in awareness update')
  return entries
}

/** Encodes entries as an awareness update (inverse of {@link decodeAwarenessUpdate}). */
export function encodeAwarenessEntries(entries: readonly AwarenessEntry[]): Uint8Array {
  const encoder = encoding.createEncoder()
  encoding.writeVarUint(encoder, entries.length)
  for (const e of entries) {
    encoding.writeVarUint(encoder, e.clientID)
    encoding.writeVarUint(encoder, e.clock)
    encoding.writeVarString(encoder, JSON.stringify(e.state))
  }
  return encoding.toUint8Array(encoder)
}
