/**
 * Byte budgets per participant, kept where bytes arrive: every chunk read from any of one
 * participant's sockets is charged to one bucket (`MAX_BYTES_PER_SECOND`, bursts of one largest
 * frame), and while that bucket is in deficit none of their sockets is read.
 *
 * Why per participant: a budget per connection is multiplied by the sockets one person opens.
 * In the attack bench (docs/RELIABILITY.md) one account's 16 sockets each kept within its own
 * 64 KiB/s and its own 8 MiB burst, fed the server megabytes a second between them, and fanning
 * that out took another room's p99 over 100 ms.
 *
 * Why on raw reads, not on frames: `ws` assembles and unmasks a whole frame on the main thread
 * before any Valence code sees it. Ten 7 MB frames arriving at once stall the event loop for
 * hundreds of milliseconds even when every one of them is then refused. Charged per read, only
 * the burst is read at full speed; the rest of a participant's frames trickle in at their rate.
 *
 * Each connection's own budgets (frames and bytes per second, budget.ts) still apply once frames
 * exist: one person's tabs share bytes, not the frame counts that pace typing. A socket left
 * unread longer than the ping check (upgrade.ts, 30 s) can't answer pings and is dropped like
 * any silent socket; only a participant who sent far beyond their burst gets there, and their
 * client reconnects (and is paced again).
 *
 * An entry lives while a connection holds it, and after the last one leaves until its bucket has
 * refilled: closing every socket and reconnecting must not buy a fresh burst. Idle entries are
 * swept on `acquire`, so the map holds at most the participants connected lately. Each server
 * instance keeps its own budgets: behind a load balancer the bound is per instance.
 */
import { performance } from 'node:perf_hooks'
import { byteBucket, type TokenBucket } from './budget.js'

/** What a gate pauses and resumes: a WebSocket (ws's `pause`/`resume` stop reading its socket). */
export interface Pausable {
  pause(): void
  resume(): void
}

/**
 * Whether one connection's socket is read. Two reasons stop it: the connection's inbox has
 * frames waiting for their budget (`setInbox`), or its participant is over their byte budget.
 */
export class ReadGate {
  private inboxPaused = false
  private budgetPaused = false
  private paused = false

  constructor(private readonly target: Pausable) {}

  /** The connection's inbox pauses or resumes reading (inbox.ts). */
  setInbox(paused: boolean): void {
    this.inboxPaused = paused
    this.apply()
  }

  /** The participant's byte budget pauses or resumes reading. */
  setBudget(paused: boolean): void {
    this.budgetPaused = paused
    this.apply()
  }

  /** True while the socket is not read, for either reason. */
  get isPaused(): boolean {
    return this.paused
  }

  private apply(): void {
    const paused = this.inboxPaused || this.budgetPaused
    if (paused === this.paused) return
    this.paused = paused
    if (paused) this.target.pause()
    else this.target.resume()
  }
}

/** One connection's hold on its participant's budget. */
export interface ByteLease {
  readonly gate: ReadGate
  /** Charges `bytes` read from the connection's socket. */
  charge(bytes: number): void
  /** The connection closed; call once (later calls are ignored). */
  release(): void
}

interface Entry {
  bucket: TokenBucket
  /** One per open connection of the participant. */
  gates: Set<ReadGate>
  /** Set while the bucket is in deficit: every gate is paused until it fires. */
  timer: NodeJS.Timeout | null
}

/** The byte budgets of the participants connected to this server (see the module comment). */
export class ParticipantByteBudgets {
  private readonly entries = new Map<string, Entry>()

  /** `now` in milliseconds; injected in tests. */
  constructor(private readonly now: () => number = () => performance.now()) {}

  /**
   * A lease on `participantId`'s budget for a socket read through `target`. The bucket is made
   * with these rates on first use, and keeps them until it is swept.
   */
  acquire(participantId: string, bytesPerSecond: number, burstBytes: number, target: Pausable): ByteLease {
    const now = this.now()
    this.sweep(now)
    let entry = this.entries.get(participantId)
    if (entry === undefined) {
      entry = { bucket: byteBucket({ bytesPerSecond, burstBytes }, now), gates: new Set(), timer: null }
      this.entries.set(participantId, entry)
    }
    const held = entry
    const gate = new ReadGate(target)
    held.gates.add(gate)
    // A participant already over budget gets no fresh reads on a new socket either.
    if (held.timer !== null) gate.setBudget(true)
    return {
      gate,
      charge: (bytes) => this.charge(held, bytes),
      release: () => void held.gates.delete(gate)
    }
  }

  /** Participants with a budget (held, or idle and still refilling). */
  get size(): number {
    return this.entries.size
  }

  private charge(entry: Entry, bytes: number): void {
    const now = this.now()
    entry.bucket.take(bytes, now)
    if (entry.timer === null && entry.bucket.waitMs(0, now) > 0) {
      for (const gate of entry.gates) gate.setBudget(true)
      this.waitForRefill(entry, now)
    }
  }

  /** Resumes the participant's sockets once the bucket is out of deficit (others may spend meanwhile: checked again). */
  private waitForRefill(entry: Entry, now: number): void {
    entry.timer = setTimeout(() => {
      entry.timer = null
      const later = this.now()
      if (entry.bucket.waitMs(0, later) > 0) return this.waitForRefill(entry, later)
      for (const gate of entry.gates) gate.setBudget(false)
    }, Math.ceil(entry.bucket.waitMs(0, now)))
    entry.timer.unref()
  }

  private sweep(now: number): void {
    for (const [id, entry] of this.entries) {
      if (entry.gates.size === 0 && entry.timer === null && entry.bucket.isFull(now)) this.entries.delete(id)
    }
  }
}
