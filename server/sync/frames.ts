/**
 * Decoding one client frame into a typed message, strictly: the whole frame must be exactly one
 * known message. Pure; no socket or room imports.
 */
import * as decoding from 'lib0/decoding'
import * as Y from 'yjs'
import {
  messageAwareness,
  messageQueryAwareness,
  messageSync,
  syncStep1,
  syncStep2,
  syncUpdate
} from '../../shared/protocol.js'
import { decodeAwarenessUpdate, type AwarenessDecodeLimits, type AwarenessEntry } from './awareness-codec.js'

/** A decoded client frame. */
export type ClientMessage =
  | { type: 'sync-step1'; stateVector: Uint8Array }
  | { type: 'update'; update: Uint8Array; step2: boolean }
  | { type: 'awareness'; update: Uint8Array; entries: AwarenessEntry[] }
  | { type: 'query-awareness' }

/** Why a frame could not be decoded. */
export type FrameErrorReason = 'malformed' | 'unknown-type'

/** A frame that is not exactly one known message. */
export class FrameError extends Error {
  constructor(
    readonly reason: FrameErrorReason,
    message: string
  ) {
    super(message)
    this.name = 'FrameError'
  }
}

/**
 * Decodes a frame. Yjs update payloads are returned undecoded (validation is a separate step);
 * state vectors and awareness updates are decoded here so a bad one is refused before use,
 * within `presenceLimits` (oversize states come back marked, too many entries is malformed).
 * @throws FrameError
 */
export function decodeClientFrame(frame: Uint8Array, presenceLimits: AwarenessDecodeLimits = {}): ClientMessage {
  const decoder = decoding.createDecoder(frame)
  let message: ClientMessage
  let messageType: number
  try {
    messageType = decoding.readVarUint(decoder)
  } catch {
    throw new FrameError('malformed', 'empty or truncated message type')
  }
  try {
    switch (messageType) {
      case messageSync: {
        const syncType = decoding.readVarUint(decoder)
        const payload = decoding.readVarUint8Array(decoder)
        if (syncType === syncStep1) {
          // Throws on a truncated or garbled state vector.
          Y.decodeStateVector(payload)
          message = { type: 'sync-step1', stateVector: payload }
        } else if (syncType === syncStep2 || syncType === syncUpdate) {
          message = { type: 'update', update: payload, step2: syncType === syncStep2 }
        } else {
          throw new FrameError('malformed', `unknown sync message type ${syncType}`)
        }
        break
      }
      case messageAwareness: {
        const update = decoding.readVarUint8Array(decoder)
        message = { type: 'awareness', update, entries: decodeAwarenessUpdate(update, presenceLimits) }
        break
      }
      case messageQueryAwareness:
        message = { type: 'query-awareness' }
        break
      default:
        throw new FrameError('unknown-type', `unknown message type ${messageType}`)
    }
  } catch (err) {
    if (err instanceof FrameError) throw err
    throw new FrameError('malformed', `cannot decode message type ${messageType}: ${String(err)}`)
  }
  if (decoding.hasContent(decoder)) {
    throw new FrameError('malformed', `trailing bytes after message type ${messageType}`)
  }
  return message
}
