/**
 * Valence wire protocol: the y-websocket message types plus Valence's own additions.
 *
 * Every frame is one message: `varUint messageType` followed by its payload. Types 0-3 are the
 * y-websocket protocol unchanged (see y-protocols PROTOCOL.md); Valence adds types >= 100, which a
 * stock `WebsocketProvider` never receives unless it opted in with the `v` URL parameter.
 * The full table lives in docs/PROTOCOL.md. Pure functions over lib0 encoders only: no socket,
 * DOM or Node imports.
 */
import * as encoding from 'lib0/encoding'
import * as decoding from 'lib0/decoding'

/** Bumped whenever a Valence message changes incompatibly. Sent by clients as `?v=`. */
export const PROTOCOL_VERSION = 1

/** y-protocols sync (step 1, step 2, update). */
export const messageSync = 0
/** y-protocols awareness update. */
export const messageAwareness = 1
/** y-protocols auth (permission denied). */
export const messageAuth = 2
/** y-websocket: ask the other side to send its full awareness state. */
export const messageQueryAwareness = 3
/**
 * Server -> client: `varUint count`. The first `count` update-bearing messages (sync step 2 or
 * update) this connection sent are durably committed. Sent only to clients that connected with
 * `?v=PROTOCOL_VERSION`.
 */
export const messageAck = 100

/**
 * Server -> client: `varString json`, a `SpecAttribution` (shared/attribution.ts) computed by the
 * server after commits. Read-only: the server ignores (closes with 4415) this type from clients.
 * Sent only to clients that connected with `?v=PROTOCOL_VERSION`.
 */
export const messageAttribution = 101

/**
 * Server -> client: `varString json`, a `ReviewEvent` (shared/review-events.ts): something in
 * the spec's review changed (contributions, decisions, threads, removals, settings). It names
 * only what changed, never its content, so it reveals nothing a recipient may not read: clients
 * fetch the changed lists over HTTP, where every read is permission-checked. Read-only: the
 * server closes with 4415 on this type from clients. Sent only to clients that connected with
 * `?v=PROTOCOL_VERSION`.
 */
export const messageReview = 102

/** y-protocols sync sub-types, as written after `messageSync`. */
export const syncStep1 = 0
export const syncStep2 = 1
export const syncUpdate = 2

/**
 * Close codes. 4400-4499 are permanent (the y-websocket provider stops reconnecting),
 * 4500-4599 transient (it retries with backoff). 1001 is a graceful server shutdown.
 */
export const CloseCode = {
  /** Server is shutting down; reconnect later. */
  goingAway: 1001,
  /**
   * The frame exceeds the sender's frame limit (`MAX_MESSAGE_BYTES` for the team,
   * `MAX_CUSTOMER_MESSAGE_BYTES` for customers and viewers). The WebSocket standard's code.
   */
  frameTooLarge: 1009,
  /** The frame could not be decoded (garbage, truncated varint, trailing bytes). */
  malformedMessage: 4400,
  /** The session behind the connection ended (signed out or expired). */
  sessionEnded: 4401,
  /** The participant's access to this spec was removed (panel member removed, panel withdrawn, account deactivated, token deleted). */
  accessRevoked: 4403,
  /**
   * The update carries items of a Yjs clientID bound to another participant (attribution
   * forgery). Nothing was applied; the client's local state now differs from the server's, so it
   * must not reconnect with it.
   */
  clientIdForeign: 4412,
  /** The spec does not exist or was deleted. */
  specNotFound: 4404,
  /** A Yjs update was refused: it does not decode completely or could never integrate. */
  updateRefused: 4409,
  /**
   * The update would grow the stored spec beyond `MAX_SPEC_BYTES`. Nothing was applied; the
   * client would send the same update again, so it must not reconnect with it.
   */
  specTooLarge: 4413,
  /** Unknown message type. */
  unknownMessageType: 4415,
  /** The client speaks a protocol version the server does not. */
  incompatibleProtocol: 4426,
  /** Unexpected server error; retry. */
  internalError: 4500,
  /** Storage failed to commit; the room was reset. Retry. */
  storageUnavailable: 4503,
  /**
   * The socket did not read what the server sent (more than `MAX_BUFFERED_BYTES` unsent), or
   * sent frames faster than it let the server pause it. Reconnect and resync.
   */
  backpressure: 4508,
  /** Too many open connections from this address (`MAX_CONNECTIONS_PER_IP`) or to this spec (`MAX_CONNECTIONS_PER_ROOM`). Retry later. */
  tooManyConnections: 4529,
  /** The server has `MAX_OPEN_ROOMS` specs open, all in use. Retry later. */
  tooManyRooms: 4530
} as const

/** A close code value from {@link CloseCode}. */
export type CloseCodeValue = (typeof CloseCode)[keyof typeof CloseCode]

/**
 * True for close codes after which a client must not reconnect on its own: 4400-4499, and 1009
 * (a frame above the sender's limit: reconnecting would send the same change again).
 */
export const isPermanentClose = (code: number): boolean =>
  code === CloseCode.frameTooLarge || (code >= 4400 && code < 4500)

/** Encodes a complete attribution frame from its JSON text. */
export const encodeAttribution = (json: string): Uint8Array => {
  const encoder = encoding.createEncoder()
  encoding.writeVarUint(encoder, messageAttribution)
  encoding.writeVarString(encoder, json)
  return encoding.toUint8Array(encoder)
}

/** Reads the JSON text of an attribution frame (after the message type has been read). */
export const readAttribution = (decoder: decoding.Decoder): string => decoding.readVarString(decoder)

/** Encodes a complete review-event frame from its JSON text. */
export const encodeReviewEvent = (json: string): Uint8Array => {
  const encoder = encoding.createEncoder()
  encoding.writeVarUint(encoder, messageReview)
  encoding.writeVarString(encoder, json)
  return encoding.toUint8Array(encoder)
}

/** Reads the JSON text of a review-event frame (after the message type has been read). */
export const readReviewEvent = (decoder: decoding.Decoder): string => decoding.readVarString(decoder)

/** Writes an acknowledgement of the first `count` update-bearing messages. */
export const writeAck = (encoder: encoding.Encoder, count: number): void => {
  encoding.writeVarUint(encoder, messageAck)
  encoding.writeVarUint(encoder, count)
}

/** Reads the payload of an ack (after the message type has been read). */
export const readAck = (decoder: decoding.Decoder): number => decoding.readVarUint(decoder)

/** Encodes a complete ack frame. */
export const encodeAck = (count: number): Uint8Array => {
  const encoder = encoding.createEncoder()
  writeAck(encoder, count)
  return encoding.toUint8Array(encoder)
}

/**
 * True if a client frame carries a Yjs update (sync step 2 or update) and will therefore be
 * acknowledged. Both type bytes are single-byte varints, so two bytes decide it.
 */
export const isUpdateBearingFrame = (frame: Uint8Array): boolean =>
  frame.length >= 2 &&
  frame[0] === messageSync &&
  (frame[1] === syncStep2 || frame[1] === syncUpdate)
