/**
 * One byte budget per participant (server/sync/participant-budgets.ts): the registry's rules on
 * a clock the test drives, and through real sockets that a participant's second socket waits on
 * what the first one spent, while another participant's identical frame (the positive control,
 * same route) runs at once.
 */
import { describe, expect, it } from 'vitest'
import { ParticipantByteBudgets } from '../../server/sync/participant-budgets.js'
import type { Connection } from '../../server/sync/connection.js'
import { createSpec, startTestService } from '../helpers/server.js'
import { eventually } from '../helpers/eventually.js'
import { openRaw } from '../helpers/raw-socket.js'
import { StubAccess } from '../helpers/stub-access.js'
import { awarenessFrame, paddedState } from '../helpers/limit-frames.js'

describe('participant byte budgets', () => {
  it('gives one bucket per participant, kept after the last release until it has refilled', () => {
    let now = 0
    const budgets = new ParticipantByteBudgets(() => now)
    const a1 = budgets.acquire('alice', 1000, 4000)
    const a2 = budgets.acquire('alice', 1000, 4000)
    const b = budgets.acquire('bob', 1000, 4000)
    expect(a2.bucket).toBe(a1.bucket)
    expect(b.bucket).not.toBe(a1.bucket)
    expect(budgets.size).toBe(2)

    // Alice spends her burst and leaves; reconnecting at once finds the same, empty bucket.
    a1.bucket.take(4000, now)
    a1.release()
    a1.release() // a second release is ignored: a2 still holds the bucket
    a2.release()
    now += 1000
    const again = budgets.acquire('alice', 1000, 4000)
    expect(again.bucket).toBe(a1.bucket)
    expect(again.bucket.waitMs(4000, now)).toBe(3000)
    again.release()
    // Refilled (4 s at 1000/s): swept on the next acquire; bob is still held and stays.
    now += 3000
    budgets.acquire('carol', 1000, 4000)
    expect(budgets.size).toBe(2)
    expect(budgets.acquire('alice', 1000, 4000).bucket).not.toBe(a1.bucket)
  })

  it("a participant's second socket waits on what the first spent; another participant's frame runs at once", async () => {
    const access = new StubAccess()
    // A 20 kB burst (the customer frame limit) refilling at 10 kB/s; frames of about 9 kB.
    const service = await startTestService({ limits: { maxCustomerMessageBytes: 20_000, bytesPerSecond: 10_000 } }, { syncAccess: access })
    access.add('carla', 'Carla', 'customer', 'write')
    access.add('cleo', 'Cleo', 'customer', 'write')
    const [specA, specB, specC] = [await createSpec(service), await createSpec(service), await createSpec(service)]
    const connOf = (spec: string): Connection | undefined => [...(service.rooms.get(spec)?.conns ?? [])][0] as Connection | undefined
    const stateOf = (spec: string, clientID: number): unknown => service.rooms.get(spec)?.awareness.getStates().get(clientID)
    const frame = (clientID: number, clock: number) => awarenessFrame([{ clientID, clock, state: { ...paddedState(9000), n: clock } }])

    // Carla's first socket sends 8 frames: two run on the burst, the rest wait about 5 s.
    const first = await openRaw(service, specA, 'v=1&token=carla')
    await eventually(() => expect(connOf(specA)).toBeDefined())
    for (let clock = 1; clock <= 8; clock++) first.send(frame(101, clock))
    await eventually(() => expect(connOf(specA)!.receivePaused).toBe(true))

    // Her second socket, in another spec, has nothing left to spend: its one frame waits.
    const second = await openRaw(service, specB, 'v=1&token=carla')
    await eventually(() => expect(connOf(specB)).toBeDefined())
    second.send(frame(102, 1))
    await eventually(() => expect(connOf(specB)!.receivePaused).toBe(true))

    // Positive control: Cleo's identical frame, by the same route, runs at once.
    const other = await openRaw(service, specC, 'v=1&token=cleo')
    await eventually(() => expect(connOf(specC)).toBeDefined())
    other.send(frame(103, 1))
    await eventually(() => expect(stateOf(specC, 103)).toMatchObject({ n: 1 }))
    expect(connOf(specC)!.receivePaused).toBe(false)

    // As the bucket refills, both sockets' frames run, in order; nothing was lost.
    await eventually(() => expect(stateOf(specB, 102)).toMatchObject({ n: 1 }), 15_000)
    await eventually(() => expect(stateOf(specA, 101)).toMatchObject({ n: 8 }), 15_000)
    expect(first.ws.readyState).toBe(first.ws.OPEN)
    expect(second.ws.readyState).toBe(second.ws.OPEN)
  })
})
