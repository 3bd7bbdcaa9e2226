/**
 * Flow control of one connection, on in-memory sockets the test drives: receive budgets pause
 * the socket and keep frame order, a transport that cannot pause is closed beyond a bounded
 * backlog, frames above the principal's limit close with 1009, and a socket that does not read
 * is closed with a transient code before its unsent data grows (presence is skipped first).
 */
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { CloseCode, isPermanentClose, messageAwareness, messageSync } from '../../shared/protocol.js'
import { eventually } from '../helpers/eventually.js'
import { memoryConnection, memoryRoom, MemorySocket } from '../helpers/memory-socket.js'
import { awarenessFrame, paddedState, typingFrames } from '../helpers/limit-frames.js'
import { TokenBucket } from '../../server/sync/budget.js'

const generous = { updatesPerSecond: 1000, presencePerSecond: 1000, bytesPerSecond: 10_000_000 }
const typed = (room: { doc: Y.Doc }) => room.doc.getText('t').toString()
const sentTypes = (socket: MemorySocket) => socket.sent.map((f) => f[0])

describe('token bucket', () => {
  it('refills at its rate up to its capacity and makes a cost above the capacity wait for a full bucket', () => {
    const bucket = new TokenBucket(10, 20, 0)
    for (let i = 0; i < 20; i++) {
      expect(bucket.waitMs(1, 0)).toBe(0)
      bucket.take(1, 0)
    }
    expect(bucket.waitMs(1, 0)).toBeCloseTo(100)
    expect(bucket.waitMs(1, 100)).toBe(0)
    expect(bucket.waitMs(5, 10_000)).toBe(0)
    expect(bucket.waitMs(50, 10_000)).toBe(0)
    bucket.take(50, 10_000)
    expect(bucket.waitMs(50, 10_000)).toBeCloseTo(5000)
  })
})

describe('receive budget', () => {
  it('runs a burst at once, pauses the socket for the rest and runs it later, in order', async () => {
    const room = await memoryRoom()
    const { conn, socket } = memoryConnection('alice', 'customer', { rates: { ...generous, updatesPerSecond: 20 } })
    conn.attach(room)
    const { doc, frames } = typingFrames(60)
    for (const frame of frames) conn.receive(frame)
    // Burst: twice the rate (plus what refilled while it ran, on a slow machine). Out of order,
    // the next keystroke would be refused (gap) and the socket closed.
    expect(typed(room).length).toBeGreaterThanOrEqual(40)
    expect(typed(room).length).toBeLessThan(60)
    expect(socket.paused).toBe(true)
    await eventually(() => expect(typed(room)).toBe(doc.getText('t').toString()), 5000)
    expect(socket.paused).toBe(false)
    expect(socket.pauses).toBe(socket.resumes)
    expect(socket.closed).toBeNull()
  })

  it('counts presence and bytes in budgets of their own', async () => {
    const room = await memoryRoom()
    const { conn, socket } = memoryConnection('alice', 'customer', {
      maxFrameBytes: 20_000,
      rates: { updatesPerSecond: 1000, presencePerSecond: 2, bytesPerSecond: 10_000 }
    })
    conn.attach(room)
    // Presence: 4 at once (twice the rate), the fifth waits.
    for (let clock = 1; clock <= 5; clock++) conn.receive(awarenessFrame([{ clientID: 7, clock, state: { n: clock } }]))
    expect(room.awareness.getStates().get(7)).toMatchObject({ n: 4 })
    expect(socket.paused).toBe(true)
    await eventually(() => expect(room.awareness.getStates().get(7)).toMatchObject({ n: 5 }), 3000)
    expect(socket.paused).toBe(false)

    // Bytes: the burst is one largest frame (20 kB); 9 kB frames, two pass, the third waits.
    const other = memoryConnection('bob', 'team', { maxFrameBytes: 20_000, rates: { updatesPerSecond: 1000, presencePerSecond: 1000, bytesPerSecond: 10_000 } })
    other.conn.attach(room)
    for (let clock = 1; clock <= 3; clock++) other.conn.receive(awarenessFrame([{ clientID: 8, clock, state: { ...paddedState(9000), n: clock } }]))
    expect(room.awareness.getStates().get(8)).toMatchObject({ n: 2 })
    expect(other.socket.paused).toBe(true)
    await eventually(() => expect(room.awareness.getStates().get(8)).toMatchObject({ n: 3 }), 3000)
  })

  it('closes a socket that cannot be paused once its backlog outgrows the bound (4508, transient)', async () => {
    const room = await memoryRoom()
    const socket = new MemorySocket(false)
    const { conn } = memoryConnection('alice', 'customer', { maxFrameBytes: 2000, rates: { ...generous, presencePerSecond: 1 } }, socket)
    conn.attach(room)
    const frame = (clock: number) => awarenessFrame([{ clientID: 9, clock, state: paddedState(1500) }])
    // Positive control: the first two frames (the burst) are applied through the same route.
    conn.receive(frame(1))
    conn.receive(frame(2))
    expect(room.awareness.meta.get(9)?.clock).toBe(2)
    let clock = 3
    while (socket.closed === null && clock < 2000) conn.receive(frame(clock++))
    expect(socket.closed?.code).toBe(CloseCode.backpressure)
    expect(isPermanentClose(CloseCode.backpressure)).toBe(false)
    // Bound: one frame plus 1 MiB, in frames of about 1.5 kB.
    expect(clock).toBeLessThan(800)
  })
})

describe('frame limit by role', () => {
  it("closes a customer's frame above the customer limit with 1009; the team's limit takes the same frame", async () => {
    const room = await memoryRoom()
    const frame = awarenessFrame([{ clientID: 11, clock: 1, state: paddedState(3000) }])
    const team = memoryConnection('tom', 'team', { maxFrameBytes: 8000 })
    team.conn.attach(room)
    team.conn.receive(frame)
    expect(room.awareness.getStates().get(11)).toBeDefined()
    expect(team.socket.closed).toBeNull()
    const customer = memoryConnection('carla', 'customer', { maxFrameBytes: 2000 })
    customer.conn.attach(room)
    customer.conn.receive(awarenessFrame([{ clientID: 12, clock: 1, state: paddedState(3000) }]))
    expect(customer.socket.closed?.code).toBe(CloseCode.frameTooLarge)
    expect(room.awareness.getStates().get(12)).toBeUndefined()
  })
})

describe('back-pressure', () => {
  it('skips presence for a backed-up socket, then closes it with 4508 and drops it', async () => {
    const room = await memoryRoom()
    const reader = memoryConnection('vera', 'viewer', { maxBufferedBytes: 160_000 })
    reader.conn.attach(room)
    const writer = memoryConnection('alice', 'customer')
    writer.conn.attach(room)
    const { frames } = typingFrames(3)

    // Healthy: both presence and updates arrive.
    writer.conn.receive(awarenessFrame([{ clientID: 21, clock: 1, state: { n: 1 } }]))
    writer.conn.receive(frames[0]!)
    await eventually(() => expect(sentTypes(reader.socket).filter((t) => t === messageSync).length).toBeGreaterThanOrEqual(2))
    expect(sentTypes(reader.socket)).toContain(messageAwareness)

    // Backed up past 1/16 of the mark: presence is not queued, updates still are.
    reader.socket.bufferedAmount = 20_000
    const before = reader.socket.sent.length
    writer.conn.receive(awarenessFrame([{ clientID: 21, clock: 2, state: { n: 2 } }]))
    writer.conn.receive(frames[1]!)
    await eventually(() => expect(reader.socket.sent.length).toBeGreaterThan(before))
    expect(sentTypes(reader.socket).slice(before)).toEqual([messageSync])

    // Past the mark: closed with a transient code at the next send, and dropped a moment later.
    reader.socket.bufferedAmount = 200_000
    writer.conn.receive(frames[2]!)
    await eventually(() => expect(reader.socket.closed?.code).toBe(CloseCode.backpressure))
    expect(isPermanentClose(reader.socket.closed!.code!)).toBe(false)
    expect(room.conns.has(reader.conn)).toBe(false)
    await eventually(() => expect(reader.socket.terminated).toBe(true), 3000)
    expect(writer.socket.closed).toBeNull()
  })
})
