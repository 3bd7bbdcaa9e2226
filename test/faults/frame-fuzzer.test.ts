/**
 * The frame fuzzer: seeded hostile frames (frame-cases.ts) against the real server process
 * (SQLite, default limits), from six sockets at once in three rooms, as three principals (the
 * facilitator, a team API token, a customer API token). After each case the socket sends a
 * probe (a sync step 1, always answered), so every case counted was read by the server: it was
 * answered, or it closed the socket. Sockets are replaced as they close, and after 40 cases.
 *
 * Meanwhile two real providers edit a fourth, quiet room and time each edit's round trip
 * (typed by one, received by the other through the server). They are a fourth participant (a team
 * API token of their own): byte budgets are per participant, and the attackers' must not be
 * theirs.
 *
 * The server runs with default limits except `MAX_BYTES_PER_SECOND` (4 MiB/s): this fuzzer's
 * principals send about 170 KB/s each in cases of up to 8 MiB, which the default 64 KiB/s per
 * participant would rightly pace for minutes, unread; a case held that long is indistinguishable
 * from a hang here. The pacing itself is tested by test/server/participant-budgets.test.ts and
 * measured by the attack bench.
 *
 * Asserted: the server stays up and ready, logs no error (a refused frame is a warning) and
 * writes nothing to stderr, every case is answered or closed (none stalls), every close is a
 * documented code, every quiet-room edit arrives, a newcomer joins the quiet room halfway, and
 * memory stays bounded (generous bounds). Printed: frames, closes by code and reason, RSS
 * before/peak/after, the quiet room's p50/p99 round trip.
 *
 * Short: 5,000 frames. `FAULTS_LONG=1`: 100,000. `FAULT_FRAMES=n` sets the count.
 */
import { performance } from 'node:perf_hooks'
import type net from 'node:net'
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import * as prng from 'lib0/prng'
import * as decoding from 'lib0/decoding'
import WebSocket from 'ws'
import { tempDir } from '../helpers/server.js'
import { CHILD_ADMIN_ENV, signInAt, type RemoteSession } from '../helpers/auth.js'
import { connectClient, synced, type TestClient } from '../helpers/clients.js'
import { eventually, sleep } from '../helpers/eventually.js'
import { startWatchedServer, type WatchedServer } from '../helpers/watched-server.js'
import { CloseCode, messageAttribution, messageSync, syncStep1, syncStep2 } from '../../shared/protocol.js'
import { nextCase, PROBE, type FuzzCase } from './frame-cases.js'
import { percentile, report, seeded, size } from './knobs.js'

const FRAMES = Number(process.env.FAULT_FRAMES ?? size(5_000, 100_000))
const LANES = 6
const CASES_PER_SOCKET = 40
/** A case neither answered nor closed within this long is a stall (the receive budget may hold a case for seconds). */
const STALL_MS = 30_000
const MiB = 1024 * 1024

/** Close codes the server documents (docs/PROTOCOL.md), plus ws's own for transport errors. */
const DOCUMENTED = new Set<number>([...Object.values(CloseCode), 1002, 1006, 1007])

/** Who a lane connects as. */
interface Principal {
  name: string
  maxFrameBytes: number
  wsToken(spec: string): Promise<string>
}

/** Figures of the whole run. */
interface Tally {
  cases: number
  frames: number
  bytes: number
  probes: number
  sockets: number
  stalls: string[]
  byFamily: Record<string, number>
  closes: Map<string, number>
}

const bump = <K>(m: Map<K, number>, k: K): void => void m.set(k, (m.get(k) ?? 0) + 1)

/** One fuzzing socket: counts the probe answers and learns the room's state vector. */
class FuzzSocket {
  answers = 0
  known = new Map<number, number>()
  readonly closed: Promise<{ code: number; reason: string }>
  private waiter: { n: number; resolve: () => void } | null = null

  private constructor(readonly ws: WebSocket) {
    this.closed = new Promise((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })))
    ws.on('error', () => {})
    ws.on('message', (data: Buffer) => {
      if (data[0] !== messageSync) return
      const d = decoding.createDecoder(new Uint8Array(data))
      decoding.readVarUint(d)
      const type = decoding.readVarUint(d)
      if (type === syncStep1) this.known = Y.decodeStateVector(decoding.readVarUint8Array(d))
      if (type === syncStep2 && ++this.answers >= (this.waiter?.n ?? Infinity)) this.waiter!.resolve()
    })
  }

  static open(url: string): Promise<FuzzSocket> {
    const ws = new WebSocket(url)
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(new FuzzSocket(ws)))
      ws.once('error', reject)
      ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: HTTP ${res.statusCode}`)))
    })
  }

  /** Resolves once `n` probes were answered. */
  answered(n: number): Promise<void> {
    if (this.answers >= n) return Promise.resolve()
    return new Promise((resolve) => (this.waiter = { n, resolve }))
  }

  /** Sends a WebSocket frame header announcing `length` bytes, straight onto the TCP socket. */
  sendRawHeader(length: bigint): void {
    const header = Buffer.alloc(14)
    header[0] = 0x82 // FIN, binary
    header[1] = 0x80 | 127 // masked, 64-bit length
    header.writeBigUInt64BE(length & (2n ** 64n - 1n), 2)
    ;(this.ws as unknown as { _socket: net.Socket })._socket.write(header)
  }
}

/** Runs cases on one room as one principal until the shared frame budget is spent. */
async function lane(opts: {
  server: WatchedServer
  spec: string
  who: Principal
  gen: prng.PRNG
  tally: Tally
  budget: () => boolean
}): Promise<void> {
  const { server, spec, who, gen, tally } = opts
  const wsUrl = `${server.url.replace(/^http/, 'ws')}/ws/${spec}`
  let token = await who.wsToken(spec)
  let tokenAt = Date.now()
  while (opts.budget()) {
    // WebSocket tokens live five minutes.
    if (Date.now() - tokenAt > 120_000) {
      token = await who.wsToken(spec)
      tokenAt = Date.now()
    }
    const socket = await FuzzSocket.open(`${wsUrl}?v=1&token=${encodeURIComponent(token)}`)
    tally.sockets++
    let probes = 0
    let closed: { code: number; reason: string } | null = null
    let ourClose = false
    void socket.closed.then((c) => (closed = c))
    for (let n = 0; n < CASES_PER_SOCKET && closed === null && opts.budget(); n++) {
      const c: FuzzCase = nextCase(gen, { known: socket.known, maxFrameBytes: who.maxFrameBytes })
      tally.cases++
      tally.frames += c.frames.length + (c.rawLength !== undefined ? 1 : 0)
      tally.byFamily[c.family] = (tally.byFamily[c.family] ?? 0) + c.frames.length + (c.rawLength !== undefined ? 1 : 0)
      if (c.rawLength !== undefined) {
        socket.sendRawHeader(c.rawLength)
      } else {
        for (const f of c.frames) {
          socket.ws.send(f)
          tally.bytes += f.length
        }
        socket.ws.send(PROBE)
        tally.probes++
        probes++
      }
      let timer: ReturnType<typeof setTimeout> | undefined
      const outcome = await Promise.race([
        c.rawLength !== undefined ? new Promise<'never'>(() => {}) : socket.answered(probes).then(() => 'answered' as const),
        socket.closed.then(() => 'closed' as const),
        new Promise<'stalled'>((resolve) => (timer = setTimeout(() => resolve('stalled'), STALL_MS)))
      ])
      clearTimeout(timer)
      if (outcome === 'stalled') {
        tally.stalls.push(`${who.name}: ${c.family} ${c.name}`)
        ourClose = true
        socket.ws.terminate()
        break
      }
    }
    if (closed === null && !ourClose) {
      ourClose = true
      socket.ws.close(1000)
      const done = await Promise.race([socket.closed, sleep(5000).then(() => null)])
      if (done === null) socket.ws.terminate()
    }
    const end = await socket.closed
    // Our own closes are not the server's verdicts.
    if (!ourClose) bump(tally.closes, `${end.code} ${end.reason}`)
  }
}

/** Two providers in a quiet room, connected and synced. */
async function quietPair(server: WatchedServer, wsToken: (spec: string) => Promise<string>, spec: string): Promise<{ a: TestClient; b: TestClient }> {
  const a = connectClient(server.url, spec, { token: await wsToken(spec) })
  const b = connectClient(server.url, spec, { token: await wsToken(spec) })
  for (const c of [a, b]) c.provider.messageHandlers[messageAttribution] = () => {}
  await Promise.all([synced(a, 30_000), synced(b, 30_000)])
  return { a, b }
}

/**
 * One types, the other must see each character: round trips (ms) until `running()` is false.
 * A round trip longer than 10 s is counted in `late` and waited out.
 */
async function quietRoom(a: TestClient, b: TestClient, running: () => boolean): Promise<{ rtts: number[]; late: number }> {
  const ta = a.doc.getText('t')
  const tb = b.doc.getText('t')
  const rtts: number[] = []
  let late = 0
  while (running()) {
    const want = ta.length + 1
    const start = performance.now()
    ta.insert(ta.length, 'x')
    await new Promise<void>((resolve) => {
      const check = (): void => {
        if (tb.length < want) return
        b.doc.off('update', check)
        clearTimeout(timer)
        resolve()
      }
      const timer = setTimeout(() => late++, 10_000)
      b.doc.on('update', check)
      check()
    })
    rtts.push(performance.now() - start)
    // One edit every ~25 ms: a person typing fast.
    await sleep(25)
  }
  return { rtts, late }
}

describe('frame fuzzer against a live server', () => {
  it(`${FRAMES} seeded hostile frames: the server stays up, other rooms keep working, memory stays bounded`, { timeout: size(180_000, 3_600_000) }, async () => {
    const { gen, replay } = seeded('frame fuzzer')
    const server = await startWatchedServer({ DATA_DIR: tempDir(), ...CHILD_ADMIN_ENV, MAX_BYTES_PER_SECOND: String(4 * MiB) })
    const session = await signInAt(server.url)
    const rooms = [await session.createSpec('Fuzz A'), await session.createSpec('Fuzz B'), await session.createSpec('Fuzz C')]
    const quiet = await session.createSpec('Quiet')
    // A customer panel invited to the fuzzed rooms, and API tokens: three principals, three frame limits' worth of roles.
    const panel = (await (await session.fetch('/api/panels', { method: 'POST', body: { name: 'Fuzz panel', description: '' } })).json()) as { panel: { id: string } }
    for (const spec of rooms) expect((await session.fetch(`/api/panels/${panel.panel.id}/specs/${spec}`, { method: 'PUT' })).status).toBeLessThan(300)
    const apiToken = async (role: string, panelIds: string[] = []): Promise<string> => {
      const res = await session.fetch('/api/tokens', { method: 'POST', body: { name: `fuzz ${role}`, role, panelIds } })
      expect(res.status).toBe(201)
      return ((await res.json()) as { secret: string }).secret
    }
    const bearerWsToken = (secret: string) => async (spec: string): Promise<string> => {
      const res = await fetch(`${server.url}/api/auth/ws-token`, {
        method: 'POST',
        headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
        body: JSON.stringify({ specId: spec })
      })
      if (res.status !== 200) throw new Error(`ws-token: ${res.status} ${await res.text()}`)
      return ((await res.json()) as { token: string }).token
    }
    const principals: Principal[] = [
      { name: 'facilitator', maxFrameBytes: 8 * MiB, wsToken: (spec) => session.wsToken(spec) },
      { name: 'team token', maxFrameBytes: 8 * MiB, wsToken: bearerWsToken(await apiToken('team')) },
      { name: 'customer token', maxFrameBytes: 1 * MiB, wsToken: bearerWsToken(await apiToken('customer', [panel.panel.id])) }
    ]

    const tally: Tally = { cases: 0, frames: 0, bytes: 0, probes: 0, sockets: 0, stalls: [], byFamily: {}, closes: new Map() }
    const quietToken = bearerWsToken(await apiToken('team'))
    const { a, b } = await quietPair(server, quietToken, quiet)
    let fuzzing = true
    const quietRun = quietRoom(a, b, () => fuzzing)
    const rssBefore = server.rssBytes()
    let rssPeak = rssBefore
    const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, server.rssBytes())), 500)
    const started = performance.now()
    // Halfway through, a newcomer joins the quiet room: joining must work under attack too.
    const joinMidway = (async () => {
      await eventually(() => expect(tally.frames).toBeGreaterThanOrEqual(FRAMES / 2), 3_600_000, 100)
      const t0 = performance.now()
      const c = connectClient(server.url, quiet, { token: await quietToken(quiet) })
      c.provider.messageHandlers[messageAttribution] = () => {}
      await synced(c, 15_000)
      return { c, ms: performance.now() - t0 }
    })()
    try {
      await Promise.all(
        Array.from({ length: LANES }, (_, i) =>
          lane({
            server,
            spec: rooms[i % rooms.length]!,
            // Two principals per room, so clientIDs bound to someone else come up (4412).
            who: principals[(i + Math.floor(i / rooms.length)) % principals.length]!,
            gen: prng.create(prng.uint32(gen, 0, 2 ** 31)),
            tally,
            budget: () => tally.frames < FRAMES
          })
        )
      )
    } finally {
      fuzzing = false
      clearInterval(sampler)
    }
    const seconds = (performance.now() - started) / 1000
    const { rtts, late } = await quietRun
    const joined = await joinMidway
    rssPeak = Math.max(rssPeak, server.rssBytes())
    // The rooms empty and unload; what stays is what the server keeps for good.
    await sleep(2000)
    const rssAfter = server.rssBytes()

    // The server is up and ready, the quiet room still edits and is acked.
    expect(server.proc.exitCode, replay).toBeNull()
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200)
    expect((await fetch(`${server.url}/readyz`)).status).toBe(200)
    a.doc.getText('t').insert(0, 'still here ')
    await eventually(() => {
      expect(b.doc.getText('t').toString().startsWith('still here ')).toBe(true)
      expect(a.tracker.current.status).toBe('saved')
    })
    expect(late, replay).toBe(0)
    await eventually(() => expect(joined.c.doc.getText('t').toString()).toBe(b.doc.getText('t').toString()))
    expect(a.closes, replay).toEqual([])
    expect(b.closes, replay).toEqual([])

    const closes = [...tally.closes].sort((x, y) => y[1] - x[1])
    const byCode: Record<string, number> = {}
    for (const [key, n] of closes) byCode[key.split(' ')[0]!] = (byCode[key.split(' ')[0]!] ?? 0) + n
    const errorsByMsg: Record<string, number> = {}
    for (const line of server.errors) {
      const msg = (JSON.parse(line) as { msg?: string }).msg ?? '?'
      errorsByMsg[msg] = (errorsByMsg[msg] ?? 0) + 1
    }
    report('frame fuzzer', {
      frames: tally.frames,
      cases: tally.cases,
      probes: tally.probes,
      megabytes: Math.round(tally.bytes / MiB),
      sockets: tally.sockets,
      seconds: Math.round(seconds),
      framesBySource: tally.byFamily,
      closesByCode: byCode,
      closesByReason: Object.fromEntries(closes.slice(0, 25)),
      stalls: tally.stalls.length,
      rssMiB: { before: Math.round(rssBefore / MiB), peak: Math.round(rssPeak / MiB), after: Math.round(rssAfter / MiB) },
      quietRoomMs: {
        edits: rtts.length,
        late,
        p50: Math.round(percentile(rtts, 50) * 10) / 10,
        p99: Math.round(percentile(rtts, 99) * 10) / 10,
        max: Math.round(Math.max(...rtts)),
        joinMidwayMs: Math.round(joined.ms)
      },
      serverLogLevels: Object.fromEntries(server.levels),
      serverErrors: errorsByMsg,
      ...(server.errors.length > 0 ? { firstServerError: server.errors[0] } : {})
    })

    expect(tally.frames, replay).toBeGreaterThanOrEqual(FRAMES)
    expect(tally.stalls, replay).toEqual([])
    expect([...tally.closes.keys()].map((k) => Number(k.split(' ')[0])).filter((code) => !DOCUMENTED.has(code)), replay).toEqual([])
    // A refused frame is a warning; an error line means some code met input it did not expect.
    expect(server.errors, replay).toEqual([])
    expect(server.stderr, replay).toEqual([])
    // Bounded, generously: a leak of even a few hundred bytes per frame would pass 100,000 frames' worth.
    expect(rssAfter - rssBefore, replay).toBeLessThan(256 * MiB)
    expect(rssPeak - rssBefore, replay).toBeLessThan(512 * MiB)
    // A stalled event loop would show as seconds; this is no speed target (npm run bench is).
    expect(percentile(rtts, 99), replay).toBeLessThan(3000)

    server.proc.kill('SIGTERM')
    expect(await server.exited).toBe(0)
  })
})
