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
}

/**
 * Decodes a complete awareness update (`varUint n`, then n x `clientID, clock, JSON string`).
 * @throws Error when it is truncated, has trailing bytes, or a state is not a JSON object/null.
 */
export function decodeAwarenessUpdate(update: Uint8Array): AwarenessEntry[] {
  const decoder = decoding.createDecoder(update)
  const count = decoding.readVarUint(decoder)
  const entries: AwarenessEntry[] = []
  for (let i = 0; i < count; i++) {
    const clientID = decoding.readVarUint(decoder)
    const clock = decoding.readVarUint(decoder)
    const state: unknown = JSON.parse(decoding.readVarString(decoder))
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
