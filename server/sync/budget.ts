/**
 * Receive budgets: how many frames and bytes per second one connection may have processed (and,
 * with the same buckets, how many bytes one participant may send: participant-budgets.ts).
 *
 * Token buckets written out by hand rather than `rate-limiter-flexible`: they must answer "how
 * long until this frame may run" (to pause the socket for that long) rather than "allowed or
 * refused", and they live in memory with what uses them, with no shared store or keys.
 */
import { messageAwareness, messageQueryAwareness } from '../../shared/protocol.js'

/** A token bucket: refills at `rate` tokens per second up to `capacity`; starts full. */
export class TokenBucket {
  private tokens: number
  private last: number

  constructor(
    readonly rate: number,
    readonly capacity: number,
    now: number
  ) {
    if (!(rate > 0) || !(capacity > 0)) throw new RangeError(`TokenBucket: rate ${rate} and capacity ${capacity} must be positive`)
    this.tokens = capacity
    this.last = now
  }

  /**
   * Milliseconds until `cost` tokens are available (0: available now). A cost above the
   * capacity waits for a full bucket, so it is never refused for good.
   */
  waitMs(cost: number, now: number): number {
    this.refill(now)
    const need = Math.min(cost, this.capacity)
    return this.tokens >= need ? 0 : ((need - this.tokens) / this.rate) * 1000
  }

  /** Takes `cost` tokens (the balance may go below zero for a cost above the capacity). */
  take(cost: number, now: number): void {
    this.refill(now)
    this.tokens -= cost
  }

  /** True once the bucket has refilled to its capacity. */
  isFull(now: number): boolean {
    this.refill(now)
    return this.tokens >= this.capacity
  }

  private refill(now: number): void {
    if (now > this.last) this.tokens = Math.min(this.capacity, this.tokens + ((now - this.last) / 1000) * this.rate)
    this.last = now
  }
}

/** What a connection may receive per second. */
export interface ReceiveRates {
  /** Sync frames (step 1, step 2, update) per second; bursts of twice as many. */
  updatesPerSecond: number
  /** Presence frames (awareness, query-awareness) per second; bursts of twice as many. */
  presencePerSecond: number
  /** Bytes per second over all frames. */
  bytesPerSecond: number
  /** Byte burst: the connection's largest allowed frame, so one such frame never waits on a full bucket. */
  burstBytes: number
}

/** The byte bucket of `rates`: `bytesPerSecond`, with a burst of at least one largest frame. */
export const byteBucket = (rates: Pick<ReceiveRates, 'bytesPerSecond' | 'burstBytes'>, now: number): TokenBucket =>
  new TokenBucket(rates.bytesPerSecond, Math.max(rates.bytesPerSecond, rates.burstBytes), now)

/** Which frame budget a frame draws from. */
export type FrameKind = 'sync' | 'presence'

/**
 * The budget a frame draws from, from its first byte (every message type below 128 is a
 * one-byte varUint). Unknown types count as sync; they close the socket when decoded anyway.
 */
export function frameKind(frame: Uint8Array): FrameKind {
  const type = frame[0]
  return type === messageAwareness || type === messageQueryAwareness ? 'presence' : 'sync'
}

/**
 * One connection's receive budget: a frame bucket per kind and a byte bucket. (Its participant's
 * byte budget over all their connections is kept before frames exist: participant-budgets.ts.)
 */
export class ReceiveBudget {
  private readonly sync: TokenBucket
  private readonly presence: TokenBucket
  private readonly bytes: TokenBucket

  constructor(rates: ReceiveRates, now: number) {
    this.sync = new TokenBucket(rates.updatesPerSecond, rates.updatesPerSecond * 2, now)
    this.presence = new TokenBucket(rates.presencePerSecond, rates.presencePerSecond * 2, now)
    this.bytes = byteBucket(rates, now)
  }

  /**
   * Takes a frame's cost if both its frame bucket and the byte bucket allow it, and returns 0;
   * otherwise takes nothing and returns how many milliseconds to wait before asking again.
   */
  tryTake(frame: Uint8Array, now: number): number {
    const frames = frameKind(frame) === 'presence' ? this.presence : this.sync
    const wait = Math.max(frames.waitMs(1, now), this.bytes.waitMs(frame.length, now))
    if (wait > 0) return wait
    frames.take(1, now)
    this.bytes.take(frame.length, now)
    return 0
  }
}
