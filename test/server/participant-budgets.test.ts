/**
 * One byte budget per participant, charged on raw reads (server/sync/participant-budgets.ts):
 * the gate and the registry on a clock the test drives, and through real sockets that a
 * participant's second socket is not read while the first one's deficit lasts, while another
 * participant's identical frame (the positive control, same route, sent later) runs at once.
 */
import { describe, expect, it } from 'vitest'
import { ParticipantByteBudgets } from '../../server/sync/participant-budgets.js'
import type { Connection } from '../../server/sync/connection.js'
import { createSpec, startTestService } from '../helpers/server.js'
import { eventually } from '../helpers/eventually.js'
import { openRaw } from '../helpers/raw-socket.js'
import { StubAccess } from '../helpers/stub-access.js'
import { awarenessFrame, paddedState } from '../helpers/limit-frames.js'

/** A socket stand-in that records what the gate asked of it. */
const spy = () => {
  const calls: string[] = []
  return { calls, pause: () => void calls.push('pause'), resume: () => void calls.push('resume') }
}

describe('participant byte budgets', () => {
  it('a gate reads only when neither its inbox nor its budget holds it, and says so once', () => {
    const socket = spy()
    const budgets = new ParticipantByteBudgets(() => 0)
    const { gate } = budgets.acquire('alice', 1000, 4000, socket)
    gate.setInbox(true)
    gate.setBudget(true)
    gate.setInbox(false)
    expect(gate.isPaused).toBe(true)
    gate.setBudget(false)
    expect(gate.isPaused).toBe(false)
    expect(socket.calls).toEqual(['pause', 'resume'])
  })

  it("one bucket per participant: a deficit stops all of their sockets, not others'; kept until refilled", async () => {
    let now = 0
    const budgets = new ParticipantByteBudgets(() => now)
    const [s1, s2, s3, sb] = [spy(), spy(), spy(), spy()]
    const a1 = budgets.acquire('alice', 1000, 4000, s1)
    const a2 = budgets.acquire('alice', 1000, 4000, s2)
    const b = budgets.acquire('bob', 1000, 4000, sb)
    expect(budgets.size).toBe(2)

    a1.charge(3000)
    expect(s1.calls).toEqual([])
    // 5000 bytes against a 4000 burst: 1 s of deficit; both of Alice's sockets stop.
    a2.charge(2000)
    expect([s1.calls, s2.calls, sb.calls]).toEqual([['pause'], ['pause'], []])
    b.charge(4000) // Bob's burst is his own
    expect(sb.calls).toEqual([])
    // A socket Alice opens meanwhile is not read either.
    const a3 = budgets.acquire('alice', 1000, 4000, s3)
    expect(a3.gate.isPaused).toBe(true)

    // The clock moves 1 s: at the next check every one of her sockets is read again.
    now += 1000
    await eventually(() => expect([s1.calls, s2.calls, s3.calls]).toEqual([['pause', 'resume'], ['pause', 'resume'], ['pause', 'resume']]))

    // All closed (a second release is ignored): the bucket is kept while it refills, then swept.
    for (const lease of [a1, a1, a2, a3]) lease.release()
    budgets.acquire('carol', 1000, 4000, spy())
    expect(budgets.size).toBe(3)
    now += 4000
    budgets.acquire('carol', 1000, 4000, spy())
    expect(budgets.size).toBe(2) // bob (held) and carol
  })

  it("a participant's second socket is not read while the first one's deficit lasts; another participant's frame runs at once", async () => {
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
    await eventually(() => expect(stateOf(specA, 101)).toBeDefined())

    // Her second socket, in another spec, has nothing left to spend: it is not even read.
    const second = await openRaw(service, specB, 'v=1&token=carla')
    await eventually(() => expect(connOf(specB)).toBeDefined())
    second.send(frame(102, 1))

    // Positive control: Cleo's identical frame, sent after it by the same route, runs at once.
    const other = await openRaw(service, specC, 'v=1&token=cleo')
    await eventually(() => expect(connOf(specC)).toBeDefined())
    other.send(frame(103, 1))
    await eventually(() => expect(stateOf(specC, 103)).toMatchObject({ n: 1 }))
    expect(stateOf(specB, 102)).toBeUndefined()

    // As the bucket refills, both sockets' frames run, in order; nothing was lost.
    await eventually(() => expect(stateOf(specB, 102)).toMatchObject({ n: 1 }), 15_000)
    await eventually(() => expect(stateOf(specA, 101)).toMatchObject({ n: 8 }), 15_000)
    expect(first.ws.readyState).toBe(first.ws.OPEN)
    expect(second.ws.readyState).toBe(second.ws.OPEN)
  })
})
