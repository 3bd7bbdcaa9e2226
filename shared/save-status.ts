/**
 * The save-status state machine behind the editor's status indicator.
 *
 * It only says "saved" when the server has acknowledged (after a durable commit) every
 * update-bearing frame this client sent on the current connection, and no local change is
 * waiting to be sent. Pure: the client feeds it socket and document events.
 */
import { isUpdateBearingFrame, syncStep2 } from './protocol.js'

/** What the indicator shows. */
export type SaveStatus =
  /** First connection attempt, nothing confirmed yet. */
  | 'connecting'
  /** Connected; some local changes are not yet acknowledged. */
  | 'saving'
  /** Connected; every local change is durably stored on the server. */
  | 'saved'
  /** Not connected and some local changes exist only on this device. */
  | 'offline-unsaved'
  /** Not connected, trying again; nothing local is waiting. */
  | 'reconnecting'
  /** The server refused the connection for good (see `closeCode`). */
  | 'closed'

/** Snapshot of the tracker, for rendering. */
export interface SaveState {
  status: SaveStatus
  /** Update-bearing frames sent on the current connection. */
  sent: number
  /** Of those, how many the server acknowledged. */
  acked: number
  /** Local changes made while they could not be sent. */
  dirty: boolean
  /** Close code of a permanent close. */
  closeCode: number | null
  closeReason: string
}

/** Feeds socket and document events into a {@link SaveState}; calls `onChange` on transitions. */
export class SaveTracker {
  private state: SaveState = {
    status: 'connecting',
    sent: 0,
    acked: 0,
    dirty: false,
    closeCode: null,
    closeReason: ''
  }
  private open = false
  private synced = false
  private everSynced = false

  constructor(private readonly onChange: (state: SaveState) => void = () => {}) {}

  /** Current state (a copy). */
  get current(): SaveState {
    return { ...this.state }
  }

  /** A new socket opened: counters are per connection. */
  socketOpened(): void {
    this.open = true
    this.synced = false
    this.state.sent = 0
    this.state.acked = 0
    this.update()
  }

  /** The provider finished the initial sync on this connection. */
  socketSynced(): void {
    this.synced = true
    this.everSynced = true
    this.update()
  }

  /** The socket closed; unacknowledged frames may be lost, so they count as unsaved. */
  socketClosed(code?: number, reason = '', permanent = false): void {
    if (this.state.sent > this.state.acked) this.state.dirty = true
    this.open = false
    this.synced = false
    this.state.sent = 0
    this.state.acked = 0
    if (permanent) {
      this.state.closeCode = code ?? null
      this.state.closeReason = reason
    }
    this.update()
  }

  /** A frame left over the socket. */
  frameSent(frame: Uint8Array): void {
    if (!isUpdateBearingFrame(frame)) return
    this.state.sent++
    // A sync step 2 answers the server's state vector with everything it lacks, so it carries
    // every change made while offline.
    if (frame[1] === syncStep2) this.state.dirty = false
    this.update()
  }

  /** The server acknowledged the first `count` update-bearing frames. */
  ackReceived(count: number): void {
    this.state.acked = Math.max(this.state.acked, Math.min(count, this.state.sent))
    this.update()
  }

  /** A local edit happened; `sent` tells whether the provider sent it right away. */
  localChange(sentNow: boolean): void {
    if (!sentNow) {
      this.state.dirty = true
      this.update()
    }
  }

  private update(): void {
    const s = this.state
    let status: SaveStatus
    if (s.closeCode !== null) status = 'closed'
    else if (this.open && this.synced) status = s.dirty || s.sent > s.acked ? 'saving' : 'saved'
    else if (this.open) status = this.everSynced ? 'saving' : 'connecting'
    else if (s.dirty) status = 'offline-unsaved'
    else status = this.everSynced ? 'reconnecting' : 'connecting'
    const changed = status !== s.status
    s.status = status
    if (changed || status === 'saving') this.onChange(this.current)
  }
}
