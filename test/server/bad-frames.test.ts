import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import * as encoding from 'lib0/encoding'
import * as prng from 'lib0/prng'
import { startTestService, createSpec } from '../helpers/server.js'
import { connectAs, synced } from '../helpers/clients.js'
import { signInAs } from '../helpers/auth.js'
import { eventually } from '../helpers/eventually.js'
import { openRaw, roundTrip, updateFrame } from '../helpers/raw-socket.js'
import { captureUpdate } from '../helpers/capture-update.js'
import { CloseCode, messageAwareness, messageSync } from '../../shared/protocol.js'
import type { Service } from '../../server/service.js'

const seed = Number(process.env.FUZZ_SEED ?? Date.now() % 1_000_000)

/** Everything a refused frame must leave untouched. */
async function snapshot(service: Service, spec: string) {
  const room = service.rooms.get(spec)!
  const stored = (await service.storage.docs.load(spec)).updates.map((u) => Buffer.from(u).toString('base64'))
  return {
    stateVector: Buffer.from(Y.encodeStateVector(room.doc)).toString('base64'),
    state: Buffer.from(Y.encodeStateAsUpdate(room.doc)).toString('base64'),
    stored
  }
}

/** A V1 update holding a single GC struct: `[clients=1][structs=1][client][clock][info=0][len][ds=0]`. */
function gcUpdate(client: number, clock: number, length: number): Uint8Array {
  const e = encoding.createEncoder()
  encoding.writeVarUint(e, 1)
  encoding.writeVarUint(e, 1)
  encoding.writeVarUint(e, client)
  encoding.writeVarUint(e, clock)
  encoding.writeUint8(e, 0)
  encoding.writeVarUint(e, length)
  encoding.writeVarUint(e, 0)
  return encoding.toUint8Array(e)
}

describe('bad frames close only their socket and change nothing', () => {
  it(`random, truncated, mutated and refused frames (seed ${seed})`, async () => {
    const service = await startTestService({ storage: 'sqlite' })
    const spec = await createSpec(service)
    const a = await connectAs(service, spec)
    const b = await connectAs(service, spec)
    await Promise.all([synced(a), synced(b)])
    const ta = a.doc.getText('t')
    ta.insert(0, 'The customers asked for offline mode.')
    await eventually(() => expect(b.doc.getText('t').toString()).toBe(ta.toString()))
    await eventually(() => expect(a.tracker.current.status).toBe('saved'))

    const attacker = await signInAs(service, 'team')
    const gen = prng.create(seed)
    const scratch = new Y.Doc()
    Y.applyUpdate(scratch, Y.encodeStateAsUpdate(a.doc))
    const valid = updateFrame(captureUpdate(scratch, () => scratch.getText('t').insert(3, ' new')))

    const frames: Array<{ name: string; frame: Uint8Array | string; codes: number[] }> = []
    const malformed = [CloseCode.malformedMessage, CloseCode.unknownMessageType, CloseCode.updateRefused]
    for (let i = 0; i < 15; i++) {
      frames.push({ name: `random bytes #${i}`, frame: prng.uint8Array(gen, prng.uint32(gen, 1, 64)), codes: malformed })
    }
    for (let i = 1; i < valid.length; i += Math.max(1, Math.floor(valid.length / 8))) {
      frames.push({ name: `truncated at ${i}`, frame: valid.slice(0, i), codes: malformed })
    }
    for (let i = 0; i < 15; i++) {
      const m = valid.slice()
      m[prng.uint32(gen, 3, m.length - 1)] = prng.uint32(gen, 0, 255)
      frames.push({ name: `mutated #${i}`, frame: m, codes: [...malformed, -1] })
    }
    frames.push({ name: 'unknown message type', frame: new Uint8Array([77, 1, 2]), codes: [CloseCode.unknownMessageType] })
    frames.push({ name: 'text frame', frame: 'hello', codes: [CloseCode.malformedMessage] })
    frames.push({ name: 'trailing bytes', frame: new Uint8Array([...valid, 0]), codes: [CloseCode.malformedMessage] })
    frames.push({ name: 'bad awareness', frame: new Uint8Array([messageAwareness, 3, 1, 1, 1]), codes: [CloseCode.malformedMessage] })
    frames.push({ name: 'bad state vector', frame: new Uint8Array([messageSync, 0, 2, 5, 200]), codes: [CloseCode.malformedMessage] })

    // A gap: the second of two updates of a client the server never saw.
    const gapDoc = new Y.Doc()
    captureUpdate(gapDoc, () => gapDoc.getText('t').insert(0, 'first'))
    frames.push({ name: 'gap', frame: updateFrame(captureUpdate(gapDoc, () => gapDoc.getText('t').insert(5, ' second'))), codes: [CloseCode.updateRefused] })
    // A missing reference: inserted next to items of a client the server never saw.
    const hidden = new Y.Doc()
    hidden.getText('t').insert(0, 'unseen')
    const referrer = new Y.Doc()
    Y.applyUpdate(referrer, Y.encodeStateAsUpdate(hidden))
    frames.push({ name: 'missing reference', frame: updateFrame(captureUpdate(referrer, () => referrer.getText('t').insert(3, 'X'))), codes: [CloseCode.updateRefused] })
    // A 12-byte GC struct with another client's id and a huge length.
    const aClock = Y.getState(a.doc.store, a.doc.clientID)
    frames.push({ name: 'GC struct for new clocks', frame: updateFrame(gcUpdate(a.doc.clientID, aClock, 2 ** 30)), codes: [CloseCode.updateRefused] })
    // Deleting clocks nobody has written yet.
    const ds = new Uint8Array([0, 1, ...encodeVar(a.doc.clientID), 1, ...encodeVar(aClock + 5), 10])
    frames.push({ name: 'delete of unknown clocks', frame: updateFrame(ds), codes: [CloseCode.updateRefused] })

    let control = 900_000
    for (const { name, frame, codes } of frames) {
      const before = await snapshot(service, spec)
      const bText = b.doc.getText('t').toString()
      // The sender is another participant: a writer may do what it likes with its own clientIDs.
      const raw = await openRaw(service, spec, `v=1&token=${attacker.wsToken(spec)}`)
      raw.ws.send(frame)
      // A mutated frame may still be a valid update; then the socket stays open (code -1).
      // Positive control instead of a timeout: a presence state sent after the frame comes back
      // only if the server handled the frame without closing (refusals close synchronously).
      await roundTrip(raw, ++control)
      const result = raw.ws.readyState === raw.ws.OPEN ? { code: -1 } : await raw.closed
      if (result.code === -1) {
        raw.ws.close()
        await raw.closed
        expect(codes, `${name} (seed ${seed})`).toContain(-1)
        continue
      }
      expect(codes, `${name} (seed ${seed}) closed with ${result.code}`).toContain(result.code)
      const after = await snapshot(service, spec)
      expect(after, `${name} (seed ${seed})`).toEqual(before)
      expect(b.doc.getText('t').toString()).toBe(bText)
    }

    // The room still works for everyone else.
    ta.insert(ta.length, ' Still live.')
    await eventually(() => expect(b.doc.getText('t').toString()).toBe(ta.toString()))
    expect(a.closes).toEqual([])
    expect(b.closes).toEqual([])
  })
})

function encodeVar(n: number): number[] {
  const e = encoding.createEncoder()
  encoding.writeVarUint(e, n)
  return Array.from(encoding.toUint8Array(e))
}
