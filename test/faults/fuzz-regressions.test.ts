/**
 * What the frame fuzzer found, pinned as named cases against the real server.
 */
import { describe, expect, it } from 'vitest'
import * as encoding from 'lib0/encoding'
import { startTestService, createSpec } from '../helpers/server.js'
import { connectAs, synced } from '../helpers/clients.js'
import { signInAs } from '../helpers/auth.js'
import { eventually, sleep } from '../helpers/eventually.js'
import { openRaw } from '../helpers/raw-socket.js'
import { CloseCode, messageAwareness } from '../../shared/protocol.js'
import { MAX_PRESENCE_STATE_DEPTH } from '../../server/sync/awareness-codec.js'

/** An awareness frame with one entry whose state is the JSON text `json`. */
function presenceFrame(clientID: number, json: string): Uint8Array {
  const update = encoding.createEncoder()
  encoding.writeVarUint(update, 1)
  encoding.writeVarUint(update, clientID)
  encoding.writeVarUint(update, 1)
  encoding.writeVarString(update, json)
  const frame = encoding.createEncoder()
  encoding.writeVarUint(frame, messageAwareness)
  encoding.writeVarUint8Array(frame, encoding.toUint8Array(update))
  return encoding.toUint8Array(frame)
}

/** `{"a":[[…]]}`: objects and arrays nested `depth` deep in all. */
const nested = (depth: number): string => `{"a":${'['.repeat(depth - 1)}${']'.repeat(depth - 1)}}`

describe('frame fuzzer regressions', () => {
  it('a presence state nested thousands deep is malformed (4400), not an internal error, and the room goes on', async () => {
    // Was: JSON.stringify overflowed the stack re-encoding the state; 4500 and an error log line.
    const service = await startTestService()
    const spec = await createSpec(service)
    const a = await connectAs(service, spec)
    const b = await connectAs(service, spec)
    await Promise.all([synced(a), synced(b)])
    a.provider.awareness.setLocalStateField('cursor', { anchor: 1 })
    await eventually(() => expect(b.provider.awareness.getStates().get(a.doc.clientID)).toMatchObject({ cursor: { anchor: 1 } }))

    const attacker = await signInAs(service, 'team')
    for (const depth of [MAX_PRESENCE_STATE_DEPTH + 1, 5000, 32_000]) {
      const raw = await openRaw(service, spec, `v=1&token=${attacker.wsToken(spec)}`)
      raw.send(presenceFrame(777, nested(depth)))
      const closed = await Promise.race([raw.closed, sleep(5000).then(() => ({ code: -1, reason: 'still open after 5 s' }))])
      expect(closed, `depth ${depth}`).toEqual({ code: CloseCode.malformedMessage, reason: 'malformed' })
    }
    // At the limit a state is admitted, stamped with its sender, and shown to others.
    const raw = await openRaw(service, spec, `v=1&token=${attacker.wsToken(spec)}`)
    raw.send(presenceFrame(778, nested(MAX_PRESENCE_STATE_DEPTH)))
    await eventually(() => expect(b.provider.awareness.getStates().get(778)).toMatchObject({ user: { id: attacker.principal.participantId } }))

    // Presence and editing go on; a newcomer receives everyone's presence.
    a.provider.awareness.setLocalStateField('cursor', { anchor: 2 })
    await eventually(() => expect(b.provider.awareness.getStates().get(a.doc.clientID)).toMatchObject({ cursor: { anchor: 2 } }))
    const c = await connectAs(service, spec)
    await synced(c)
    await eventually(() => expect(c.provider.awareness.getStates().get(a.doc.clientID)).toMatchObject({ cursor: { anchor: 2 } }))
    a.doc.getText('t').insert(0, 'still editing')
    await eventually(() => expect(c.doc.getText('t').toString()).toBe('still editing'))
    expect([a.closes, b.closes, c.closes]).toEqual([[], [], []])
  })
})
