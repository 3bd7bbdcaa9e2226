/**
 * Byte budgets per participant: all of one participant's connections on this server draw the
 * bytes they send from one bucket (`MAX_BYTES_PER_SECOND`, with a burst of one largest frame).
 *
 * Why: a budget per connection is multiplied by the sockets one person opens. In the attack
 * bench (docs/RELIABILITY.md) one account's 16 sockets each kept within its own 64 KiB/s and its
 * own 8 MiB burst, fed the server megabytes a second between them, and fanning that out took
 * another room's p99 over 100 ms. Shared, an account gets one rate and one burst however many
 * sockets it opens. The frame-count budgets stay per connection: they bound one socket's decode
 * work, and one person's tabs should not slow each other's typing.
 *
 * An entry lives while a connection holds it, and after the last one leaves until its bucket
 * has refilled: closing every socket and reconnecting must not buy a fresh burst. Idle entries
 * are swept on `acquire`, so the map holds at most the participants connected lately.
 * Each server instance keeps its own budgets: behind a load balancer the bound is per instance.
 */
import { performance } from 'node:perf_hooks'
import { byteBucket, type TokenBucket } from './budget.js'

/** A participant's shared byte bucket, held by one connection until it calls `release`. */
export interface SharedBytes {
  readonly bucket: TokenBucket
  /** The connection closed; call once. */
  release(): void
}

interface Entry {
  bucket: TokenBucket
  holders: number
}

/** The byte buckets of the participants connected to this server (see the module comment). */
export class ParticipantByteBudgets {
  private readonly entries = new Map<string, Entry>()

  /** `now` must be the clock the connections' inboxes use (performance.now by default). */
  constructor(private readonly now: () => number = () => performance.now()) {}

  /**
   * The bucket of `participantId`, made with these rates on first use. A participant keeps the
   * rates their bucket was made with until it is swept (a role change applies after that).
   */
  acquire(participantId: string, bytesPerSecond: number, burstBytes: number): SharedBytes {
    const now = this.now()
    this.sweep(now)
    let entry = this.entries.get(participantId)
    if (entry === undefined) {
      entry = { bucket: byteBucket({ bytesPerSecond, burstBytes }, now), holders: 0 }
      this.entries.set(participantId, entry)
    }
    entry.holders++
    const held = entry
    let released = false
    return {
      bucket: held.bucket,
      release: () => {
        if (released) return
        released = true
        held.holders--
      }
    }
  }

  /** Participants with a bucket (held, or idle and still refilling). */
  get size(): number {
    return this.entries.size
  }

  private sweep(now: number): void {
    for (const [id, entry] of this.entries) {
      if (entry.holders === 0 && entry.bucket.isFull(now)) this.entries.delete(id)
    }
  }
}
