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
 * entries, or a state is not a JSON object/null.
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
