/**
 * Write phases over a room of connected clients, measuring fan-out latency: the time from one
 * client's local edit until every other client's doc has applied it.
 *
 * Each write inserts one character at a pseudo-random position of the spec's first paragraph
 * (a `Y.XmlText` inside the `prosemirror` fragment, like the browser editor writes). Writers
 * rotate over the clients. A receiver "has applied" write `w` when, in one of its doc `update`
 * events, its state vector for the writer's clientID reaches the clock after `w`; the latency is
 * taken at the last of the N-1 receivers. All clients share the bench process, so the figure
 * includes the bench's own time to decode the message for the receivers that came before.
 */
import * as Y from 'yjs'
import * as prng from 'lib0/prng'
import { performance } from 'node:perf_hooks'
import { FRAGMENT_NAME } from '../shared/schema.js'
import type { BenchClient } from './clients.js'

/** What one write phase measured. */
export interface PhaseResult {
  /** Writes made (= updates sent to the server). */
  updates: number
  /**
   * Writes that reached every other client. Less than `updates` only when a fixed-rate phase
   * gave up waiting: the server could not keep up with the rate.
   */
  delivered: number
  /** Fan-out latency of every write, ms. */
  latenciesMs: number[]
  wallMs: number
  /** CPU time of the bench process (all clients) during the phase, ms. */
  benchCpuMs: number
  /** Fixed-rate phases: the largest delay of a write behind its schedule, ms. */
  maxScheduleLagMs: number
}

interface Pending {
  writer: number
  clientID: number
  /** Writer's clock after the write: a receiver has it when its state reaches this. */
  clock: number
  t0: number
  remaining: number
  seen: Uint8Array
  resolve: () => void
}

/** The paragraph text each client edits; created by client 0 on first use. */
function paragraphText(doc: Y.Doc): Y.XmlText | null {
  const paragraph = doc.getXmlFragment(FRAGMENT_NAME).get(1)
  if (!(paragraph instanceof Y.XmlElement)) throw new Error('spec skeleton missing: no paragraph')
  const text = paragraph.get(0)
  return text instanceof Y.XmlText ? text : null
}

/** Drives writes into one room and times how long each takes to reach every other client. */
export class RoomDriver {
  private readonly pending: Pending[] = []
  private readonly listeners: Array<() => void> = []
  private readonly rng: prng.PRNG
  private next = 0
  private latencies: number[] = []

  /**
   * @param clients connected and synced clients of one room.
   * @param seed seed of the edit positions (same seed, same edits, for every server).
   */
  constructor(
    private readonly clients: readonly BenchClient[],
    seed: number
  ) {
    if (clients.length < 2) throw new RangeError('RoomDriver needs at least two clients')
    this.rng = prng.create(seed)
    clients.forEach((client, index) => {
      const onUpdate = (): void => this.observed(index)
      client.doc.on('update', onUpdate)
      this.listeners.push(() => client.doc.off('update', onUpdate))
    })
  }

  /** Stops listening to the clients' docs. */
  dispose(): void {
    for (const off of this.listeners) off()
  }

  /**
   * One write at a time: the next write starts once the previous one reached everyone. Stops
   * after `count` writes or, on a slow machine, once `budgetMs` has passed (at least `minCount`).
   * @throws Error if a write does not reach everyone within `timeoutMs`.
   */
  async closedLoop(count: number, budgetMs = Infinity, minCount = 1, timeoutMs = 15_000): Promise<PhaseResult> {
    return this.phase(async () => {
      const deadline = performance.now() + budgetMs
      let i = 0
      while (i < count && (i < minCount || performance.now() < deadline)) {
        await this.withTimeout(this.write(), timeoutMs)
        i++
      }
      return { writes: i, maxLag: 0 }
    })
  }

  /**
   * Writes on a fixed schedule of `rate` per second regardless of outstanding writes, then
   * waits up to `drainMs` for all of them. Timers do the pacing, so the bench yields between
   * writes. If the server falls behind for good, the writes still outstanding are given up
   * (`delivered < updates`) and forgotten, so they do not count in a later phase.
   */
  async fixedRate(count: number, rate: number, drainMs = 30_000): Promise<PhaseResult> {
    return this.phase(async () => {
      const periodMs = 1000 / rate
      const start = performance.now()
      const inFlight: Promise<void>[] = []
      let maxLag = 0
      for (let i = 0; i < count; i++) {
        const due = start + i * periodMs
        const wait = due - performance.now()
        if (wait > 0) await new Promise((r) => setTimeout(r, wait))
        maxLag = Math.max(maxLag, performance.now() - due)
        inFlight.push(this.write())
      }
      try {
        await this.withTimeout(Promise.all(inFlight), drainMs)
      } catch {
        this.pending.length = 0
      }
      return { writes: count, maxLag }
    })
  }

  /** Creates the paragraph's text (once) and makes sure every client sees it. */
  async prepare(): Promise<void> {
    const first = this.clients[0]!
    if (paragraphText(first.doc) === null) {
      const paragraph = first.doc.getXmlFragment(FRAGMENT_NAME).get(1) as Y.XmlElement
      const t0 = performance.now()
      const done = this.track(0, first.doc.clientID, t0, () => paragraph.insert(0, [new Y.XmlText('')]))
      await this.withTimeout(done, 15_000)
      this.latencies = []
    }
    for (const c of this.clients) {
      if (paragraphText(c.doc) === null) throw new Error('a client never received the paragraph text')
    }
  }

  private async phase(body: () => Promise<{ writes: number; maxLag: number }>): Promise<PhaseResult> {
    this.latencies = []
    const cpu0 = process.cpuUsage()
    const t0 = performance.now()
    const { writes: count, maxLag: maxScheduleLagMs } = await body()
    const wallMs = performance.now() - t0
    const cpu = process.cpuUsage(cpu0)
    const latenciesMs = this.latencies
    this.latencies = []
    return {
      updates: count,
      delivered: latenciesMs.length,
      latenciesMs,
      wallMs,
      benchCpuMs: (cpu.user + cpu.system) / 1000,
      maxScheduleLagMs
    }
  }

  /** Makes the next client in turn insert one character; resolves when all others have it. */
  private write(): Promise<void> {
    const writer = this.next
    this.next = (this.next + 1) % this.clients.length
    const doc = this.clients[writer]!.doc
    const text = paragraphText(doc)
    if (text === null) throw new Error('paragraph text missing; call prepare() first')
    const pos = prng.uint32(this.rng, 0, text.length)
    const char = String.fromCharCode(prng.uint32(this.rng, 97, 122))
    return this.track(writer, doc.clientID, performance.now(), () => text.insert(pos, char))
  }

  /** Runs the local edit `edit` of client `writer` and tracks its arrival everywhere else. */
  private track(writer: number, clientID: number, t0: number, edit: () => void): Promise<void> {
    edit()
    const clock = Y.getState(this.clients[writer]!.doc.store, clientID)
    return new Promise<void>((resolve) => {
      const seen = new Uint8Array(this.clients.length)
      seen[writer] = 1
      this.pending.push({ writer, clientID, clock, t0, remaining: this.clients.length - 1, seen, resolve })
    })
  }

  private observed(receiver: number): void {
    const now = performance.now()
    const store = this.clients[receiver]!.doc.store
    for (let k = 0; k < this.pending.length; k++) {
      const p = this.pending[k]!
      if (p.seen[receiver] === 1 || Y.getState(store, p.clientID) < p.clock) continue
      p.seen[receiver] = 1
      if (--p.remaining === 0) {
        this.latencies.push(now - p.t0)
        this.pending.splice(k--, 1)
        p.resolve()
      }
    }
  }

  private async withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
    let timer: ReturnType<typeof setTimeout> | undefined
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const stuck = this.pending[0]
        const missing = stuck ? stuck.seen.reduce((n, s) => n + (s === 0 ? 1 : 0), 0) : 0
        reject(new Error(`write not observed within ${ms} ms (${this.pending.length} pending, ${missing} receivers missing the oldest)`))
      }, ms)
    })
    try {
      return await Promise.race([promise, timeout])
    } finally {
      clearTimeout(timer)
    }
  }
}
