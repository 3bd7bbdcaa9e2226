/**
 * A seeded WebSocket proxy that delays, reorders and drops traffic between real providers and
 * the real server.
 *
 * - **Delay**: every message waits a seeded time (now and then a spike) before it is passed on.
 * - **Reorder**: each connection and direction keeps its own order (the protocol needs it: a
 *   server refuses an update whose predecessor it lacks), but connections are delayed
 *   independently, so updates from different clients, and broadcasts to different clients,
 *   arrive in a different order everywhere.
 * - **Drop**: a WebSocket cannot lose one message and stay correct, so a drop cuts the
 *   connection at that message: both sides are terminated (1006) with everything still queued
 *   lost, as when a network path dies. The provider reconnects and resyncs.
 *
 * Timing comes from the operating system, so a seed fixes the decisions drawn per message, not
 * the run; the test prints it anyway.
 */
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import * as prng from 'lib0/prng'
import { WebSocket, WebSocketServer, type RawData } from 'ws'

/** How rough the network is. */
export interface ChaosSettings {
  /** Largest ordinary delay per message (ms). */
  maxDelayMs: number
  /** Chance per message of a delay spike of up to 10 x `maxDelayMs`. */
  spikeRate: number
  /** Chance per message that the connection is cut there. */
  dropRate: number
}

/** What the proxy did. */
export interface ChaosStats {
  connections: number
  messages: number
  spikes: number
  cuts: number
  /** Messages lost with the connections that were cut. */
  lost: number
}

const OPEN = WebSocket.OPEN

/** Queues one direction of one connection: FIFO, each message released at its own time. */
class Lane {
  private queue: Array<{ at: number; data: RawData; binary: boolean }> = []
  private timer: ReturnType<typeof setTimeout> | null = null
  private last = 0

  /** `deliver` returns false while its socket is not open yet; {@link pump} is called again when it is. */
  constructor(private readonly deliver: (data: RawData, binary: boolean) => boolean) {}

  get length(): number {
    return this.queue.length
  }

  push(data: RawData, binary: boolean, delayMs: number): void {
    // Never before the previous message of this lane: per-connection order is kept.
    this.last = Math.max(this.last, Date.now() + delayMs)
    this.queue.push({ at: this.last, data, binary })
    this.pump()
  }

  /** Passes on what is due, then waits for the next message's time. */
  pump(): void {
    if (this.timer !== null) return
    const head = this.queue[0]
    if (!head) return
    this.timer = setTimeout(() => {
      this.timer = null
      for (let m = this.queue[0]; m && m.at <= Date.now(); m = this.queue[0]) {
        if (!this.deliver(m.data, m.binary)) return
        this.queue.shift()
      }
      this.pump()
    }, Math.max(0, head.at - Date.now()))
  }

  clear(): number {
    if (this.timer !== null) clearTimeout(this.timer)
    this.timer = null
    const n = this.queue.length
    this.queue = []
    return n
  }
}

/** A running proxy in front of `target`. */
export class ChaosProxy {
  readonly stats: ChaosStats = { connections: 0, messages: 0, spikes: 0, cuts: 0, lost: 0 }
  private readonly cutters = new Set<() => void>()

  private constructor(
    private readonly server: http.Server,
    private readonly wss: WebSocketServer,
    /** `http://127.0.0.1:port`: give it to providers instead of the server's URL. */
    readonly url: string,
    private settings: ChaosSettings
  ) {}

  /**
   * Starts a proxy on port 0 that forwards every WebSocket upgrade (path and query kept) to
   * `target` (`http://host:port`).
   */
  static async start(target: string, gen: prng.PRNG, settings: ChaosSettings): Promise<ChaosProxy> {
    const server = http.createServer((_req, res) => res.writeHead(404).end())
    const wss = new WebSocketServer({ server })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    const proxy = new ChaosProxy(server, wss, url, settings)
    wss.on('connection', (client, req) => proxy.pipe(client, new WebSocket(target.replace(/^http/, 'ws') + req.url), gen))
    return proxy
  }

  /** Changes how rough the network is from now on (e.g. calm it down to let everyone converge). */
  set(settings: Partial<ChaosSettings>): void {
    this.settings = { ...this.settings, ...settings }
  }

  /** Cuts every open connection now. */
  cutAll(): void {
    for (const cut of [...this.cutters]) cut()
  }

  async close(): Promise<void> {
    this.cutAll()
    for (const ws of this.wss.clients) ws.terminate()
    await new Promise<void>((resolve) => this.wss.close(() => resolve()))
    this.server.closeAllConnections()
    await new Promise<void>((resolve) => this.server.close(() => resolve()))
  }

  private delay(gen: prng.PRNG): number {
    if (prng.real53(gen) < this.settings.spikeRate) {
      this.stats.spikes++
      return prng.uint32(gen, this.settings.maxDelayMs, 10 * this.settings.maxDelayMs)
    }
    return prng.uint32(gen, 0, this.settings.maxDelayMs)
  }

  private pipe(client: WebSocket, upstream: WebSocket, gen: prng.PRNG): void {
    this.stats.connections++
    let cut = false
    const sink = (ws: WebSocket) => (data: RawData, binary: boolean): boolean => {
      if (ws.readyState === WebSocket.CONNECTING) return false
      if (ws.readyState === OPEN) ws.send(data, { binary })
      return true
    }
    const toServer = new Lane(sink(upstream))
    const toClient = new Lane(sink(client))
    const cutHere = (): void => {
      if (cut) return
      cut = true
      this.cutters.delete(cutHere)
      this.stats.cuts++
      this.stats.lost += toServer.clear() + toClient.clear()
      client.terminate()
      upstream.terminate()
    }
    this.cutters.add(cutHere)
    const forward = (lane: Lane) => (data: RawData, binary: boolean) => {
      if (cut) return
      this.stats.messages++
      if (prng.real53(gen) < this.settings.dropRate) return cutHere()
      lane.push(data, binary, this.delay(gen))
    }
    client.on('message', forward(toServer))
    upstream.on('message', forward(toClient))
    // Messages for the server wait until the upstream socket is open.
    upstream.on('open', () => toServer.pump())
    // A close passes through once everything queued before it was delivered (or the cut dropped it).
    const closeAfterQueue = (lane: Lane, other: WebSocket) => (code: number, reason: Buffer) => {
      if (cut) return
      const finish = (): void => {
        if (cut) return
        if (lane.length > 0) return void setTimeout(finish, 5)
        this.cutters.delete(cutHere)
        cut = true
        // 1005/1006 cannot be sent in a close frame.
        if (other.readyState === OPEN) other.close(code === 1005 || code === 1006 ? 1000 : code, reason)
        else other.terminate()
      }
      finish()
    }
    client.on('close', closeAfterQueue(toServer, upstream))
    upstream.on('close', closeAfterQueue(toClient, client))
    client.on('error', () => cutHere())
    upstream.on('error', () => cutHere())
  }
}
