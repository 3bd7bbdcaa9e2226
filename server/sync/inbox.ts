/**
 * One connection's incoming frames, in order, processed only as fast as its receive budget
 * allows. A connection over budget has its socket paused (TCP back-pressure reaches the sender)
 * until the budget refills, so one client's flood costs other rooms no CPU and no memory.
 */
import { performance } from 'node:perf_hooks'
import type { SocketLike } from './socket.js'
import { ReceiveBudget, type ReceiveRates } from './budget.js'

/** Options of an {@link Inbox}. */
export interface InboxOptions {
  rates: ReceiveRates
  /**
   * Bytes that may wait in the inbox. Pausing stops new reads, but frames already read from the
   * network still arrive (the rest of a TCP chunk), and a socket that cannot pause keeps
   * delivering: beyond this the inbox gives up (`onOverflow`).
   */
  maxBacklogBytes: number
  /** Processes one frame (the connection's decode and dispatch). */
  handle: (frame: Uint8Array) => void
  /** The backlog exceeded `maxBacklogBytes`; the inbox is stopped. */
  onOverflow: () => void
  /** Longest stretch of frames processed in one go before yielding to other sockets (ms). */
  sliceMs?: number
  /** Clock (ms); injected in tests. */
  now?: () => number
}

/** Queues, paces and dispatches one connection's frames. */
export class Inbox {
  private queue: Uint8Array[] = []
  private head = 0
  private queuedBytes = 0
  private ready = false
  private stopped = false
  private paused = false
  private wake: { cancel: () => void } | null = null
  private readonly budget: ReceiveBudget
  private readonly now: () => number
  private readonly sliceMs: number

  constructor(
    private readonly socket: SocketLike,
    private readonly opts: InboxOptions
  ) {
    this.now = opts.now ?? (() => performance.now())
    this.sliceMs = opts.sliceMs ?? 10
    this.budget = new ReceiveBudget(opts.rates, this.now())
  }

  /** Frames waiting to be processed. */
  get backlog(): number {
    return this.queue.length - this.head
  }

  /** True while the socket is paused by this inbox. */
  get isPaused(): boolean {
    return this.paused
  }

  /** Queues a frame from the socket and processes what the budget allows. */
  push(frame: Uint8Array): void {
    if (this.stopped) return
    this.queue.push(frame)
    this.queuedBytes += frame.length
    if (this.queuedBytes > this.opts.maxBacklogBytes) {
      this.stop()
      this.opts.onOverflow()
      return
    }
    this.drain()
  }

  /** Starts processing (frames that arrived before are processed first, in order). */
  start(): void {
    this.ready = true
    this.drain()
  }

  /** Drops the backlog and every timer; nothing is processed afterwards. */
  stop(): void {
    this.stopped = true
    this.wake?.cancel()
    this.wake = null
    this.queue = []
    this.head = 0
    this.queuedBytes = 0
  }

  private drain(): void {
    // A scheduled wake-up owns the next drain; running now would let a frame overtake the budget.
    if (!this.ready || this.stopped || this.wake) {
      if (this.backlog > 0) this.pause()
      return
    }
    const started = this.now()
    while (this.head < this.queue.length) {
      if (this.stopped) return
      const now = this.now()
      if (now - started >= this.sliceMs) return this.schedule(0)
      const frame = this.queue[this.head]!
      const wait = this.budget.tryTake(frame, now)
      if (wait > 0) return this.schedule(wait)
      this.queue[this.head++] = EMPTY
      this.queuedBytes -= frame.length
      this.opts.handle(frame)
    }
    this.queue = []
    this.head = 0
    this.resume()
  }

  /** Pauses the socket and drains again after `ms` (0: after pending I/O, via setImmediate). */
  private schedule(ms: number): void {
    this.pause()
    const run = (): void => {
      this.wake = null
      this.drain()
    }
    if (ms <= 0) {
      const handle = setImmediate(run)
      this.wake = { cancel: () => clearImmediate(handle) }
    } else {
      const handle = setTimeout(run, Math.ceil(ms))
      this.wake = { cancel: () => clearTimeout(handle) }
    }
  }

  private pause(): void {
    if (this.paused) return
    this.paused = true
    this.socket.pause?.()
  }

  private resume(): void {
    if (!this.paused) return
    this.paused = false
    this.socket.resume?.()
  }
}

const EMPTY = new Uint8Array(0)
