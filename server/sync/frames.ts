/**
 * Decoding one client frame into a typed message, strictly: the whole frame must be exactly one
 * known message; and encoding a server frame once for all its recipients. Pure; no socket or
 * room imports.
 *
 * Each decoded kind is a key of the permission matrix's `MESSAGE_ACCESS` (shared/permissions.ts),
 * and {@link ACCESS_NEEDED} checks at compile time that the two list exactly the same kinds: a
 * kind cannot be added here without declaring the access it needs, and Connection checks that
 * access before any message reaches the room.
 */
import * as decoding from 'lib0/decoding'
import * as encoding from 'lib0/encoding'
import * as Y from 'yjs'
import {
  messageAwareness,
  messageQueryAwareness,
  messageSync,
  syncStep1,
  syncStep2,
  syncUpdate
} from '../../shared/protocol.js'
import { MESSAGE_ACCESS, type MessageAccess } from '../../shared/permissions.js'
import { decodeAwarenessUpdate, type AwarenessDecodeLimits, type AwarenessEntry } from './awareness-codec.js'

/** A decoded client frame. */
export type ClientMessage =
  | { kind: 'sync-step1'; stateVector: Uint8Array }
  | { kind: 'sync-step2'; update: Uint8Array }
  | { kind: 'sync-update'; update: Uint8Array }
  | { kind: 'awareness'; update: Uint8Array; entries: AwarenessEntry[] }
  | { kind: 'query-awareness' }

/** Every kind of message a client may send. */
export type ClientMessageKind = ClientMessage['kind']

/** `Record<K, V>` that also fails on keys of `T` outside `K` (their value must be `never`). */
type ExactRecord<T, K extends PropertyKey, V> = Record<K, V> & Record<Exclude<keyof T, K>, never>

/**
 * The access each message kind needs: `MESSAGE_ACCESS` itself, checked to have exactly one
 * entry per {@link ClientMessageKind} (a missing or a stale entry does not compile).
 */
export const ACCESS_NEEDED: Readonly<Record<ClientMessageKind, MessageAccess>> =
  MESSAGE_ACCESS satisfies ExactRecord<typeof MESSAGE_ACCESS, ClientMessageKind, MessageAccess>

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
          message = { kind: 'sync-step1', stateVector: payload }
        } else if (syncType === syncStep2) {
          message = { kind: 'sync-step2', update: payload }
        } else if (syncType === syncUpdate) {
          message = { kind: 'sync-update', update: payload }
        } else {
          throw new FrameError('malformed', `unknown sync message type ${syncType}`)
        }
        break
      }
      case messageAwareness: {
        const update = decoding.readVarUint8Array(decoder)
        message = { kind: 'awareness', update, entries: decodeAwarenessUpdate(update, presenceLimits) }
        break
      }
      case messageQueryAwareness:
        message = { kind: 'query-awareness' }
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

/** Encodes a frame once; the same buffer goes to every recipient. */
export function encodeFrame(write: (encoder: encoding.Encoder) => void): Uint8Array {
  const encoder = encoding.createEncoder()
  write(encoder)
  return encoding.toUint8Array(encoder)
}
