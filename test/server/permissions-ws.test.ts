/**
 * The permission matrix over WebSocket, with real identities: every kind of principal x the
 * upgrade and every client message type. HTTP routes are covered in permissions-http.test.ts.
 */
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import * as encoding from 'lib0/encoding'
import { startTestService, createSpec } from '../helpers/server.js'
import { signInAs, tokenAs, fetchAs } from '../helpers/auth.js'
import { openRaw, updateFrame, upgradeStatus, frameType, roundTrip } from '../helpers/raw-socket.js'
import { captureUpdate } from '../helpers/capture-update.js'
import { eventually } from '../helpers/eventually.js'
import { messageAuth, messageAwareness, messageQueryAwareness, messageSync } from '../../shared/protocol.js'
import { MESSAGE_ACCESS, type Role } from '../../shared/permissions.js'
import type { Service } from '../../server/service.js'
import { encodeAwarenessEntries } from '../../server/sync/awareness-codec.js'

type Who = { name: string; role: Role | null; credential: (spec: string) => Promise<string | null>; cookie?: string }

/** A frame per message type a client may send. */
function frames(doc: Y.Doc, clientID: number) {
  const scratch = new Y.Doc()
  scratch.clientID = clientID
  Y.applyUpdate(scratch, Y.encodeStateAsUpdate(doc))
  const update = captureUpdate(scratch, (d) => d.getText('t').insert(0, 'x'))
  const step1 = encoding.createEncoder()
  encoding.writeVarUint(step1, messageSync)
  encoding.writeVarUint(step1, 0)
  encoding.writeVarUint8Array(step1, Y.encodeStateVector(new Y.Doc()))
  const awareness = encoding.createEncoder()
  encoding.writeVarUint(awareness, messageAwareness)
  encoding.writeVarUint8Array(awareness, encodeAwarenessEntries([{ clientID, clock: 1, state: { user: { name: 'Claimed' } } }]))
  return {
    'sync-step1': encoding.toUint8Array(step1),
    'sync-step2': updateFrame(update, true),
    'sync-update': updateFrame(update, false),
    awareness: encoding.toUint8Array(awareness),
    'query-awareness': new Uint8Array([messageQueryAwareness])
  } satisfies Record<keyof typeof MESSAGE_ACCESS, Uint8Array>
}

async function principals(service: Service, specA: string) {
  const wsTokenVia = (bearer: string) => async (spec: string) => {
    const res = await fetchAs(service, { bearer }, 'POST', '/api/auth/ws-token', { specId: spec })
    return res.status === 200 ? (res.body.token as string) : null
  }
  const signed = async (role: Role, spec?: string) => {
    const s = await signInAs(service, role, spec ? { panelSpecIds: [spec] } : {})
    return { role, credential: async (id: string) => s.wsToken(id), cookie: s.cookie }
  }
  const panelA = (await signInAs(service, 'customer', { panelSpecIds: [specA] })).panelId!
  const who: Who[] = [
    { name: 'facilitator', ...(await signed('facilitator')) },
    { name: 'team', ...(await signed('team')) },
    { name: 'customer of panel A', ...(await signed('customer', specA)) },
    { name: 'viewer of panel A', ...(await signed('viewer', specA)) },
    { name: 'facilitator token', role: 'facilitator', credential: wsTokenVia((await tokenAs(service, 'facilitator')).secret) },
    { name: 'team token', role: 'team', credential: wsTokenVia((await tokenAs(service, 'team')).secret) },
    { name: 'customer token of panel A', role: 'customer', credential: wsTokenVia((await tokenAs(service, 'customer', [panelA])).secret) },
    { name: 'viewer token of panel A', role: 'viewer', credential: wsTokenVia((await tokenAs(service, 'viewer', [panelA])).secret) },
    { name: 'anonymous', role: null, credential: async () => null }
  ]
  return who
}

/** Expected access per principal and spec: A is invited to panel A, B is not. */
function expected(w: Who, spec: 'A' | 'B'): 'write' | 'read' | 'none' {
  if (w.role === null) return 'none'
  if (w.role === 'facilitator' || w.role === 'team') return 'write'
  if (spec === 'B') return 'none'
  return w.role === 'customer' ? 'write' : 'read'
}

describe('WebSocket permission matrix', () => {
  it('every principal x upgrade and message type, on an invited and an uninvited spec', async () => {
    const service = await startTestService({ storage: 'sqlite' })
    const specA = await createSpec(service, 'A')
    const specB = await createSpec(service, 'B')
    const who = await principals(service, specA)
    const ws = service.url.replace(/^http/, 'ws')
    let clientID = 1000
    for (const w of who) {
      for (const [label, spec] of [['A', specA], ['B', specB]] as const) {
        const access = expected(w, label)
        const token = await w.credential(spec)
        const row = `${w.name} on spec ${label}`
        if (access === 'none') {
          const status = token ? await upgradeStatus(`${ws}/ws/${spec}?v=1&token=${token}`) : await upgradeStatus(`${ws}/ws/${spec}?v=1`)
          expect([401, 403], row).toContain(status)
          // A cookie from a foreign origin gets no session either.
          if (w.cookie) expect(await upgradeStatus(`${ws}/ws/${spec}?v=1`, { cookie: w.cookie, origin: 'https://evil.example' }), row).toBe(403)
          continue
        }
        expect(token, row).not.toBeNull()
        for (const [type, needed] of Object.entries(MESSAGE_ACCESS) as Array<[keyof typeof MESSAGE_ACCESS, 'read' | 'write']>) {
          const room = service.rooms.get(spec)
          const before = room ? Y.encodeStateAsUpdate(room.doc) : null
          const raw = await openRaw(service, spec, `v=1&token=${token}`)
          const id = ++clientID
          raw.send(frames(service.rooms.get(spec)!.doc, id)[type])
          // Positive control by the same socket, not a sleep: once the server relays a presence
          // state sent after the frame, it has handled the frame (applying or refusing a write
          // is synchronous) and its denial, if any, was received before the relay.
          await roundTrip(raw, ++clientID)
          const cell = `${row}: ${type}`
          expect(raw.ws.readyState, cell).toBe(raw.ws.OPEN)
          const doc = service.rooms.get(spec)!.doc
          if (needed === 'write') {
            const applied = Y.getState(doc.store, id) > 0
            expect(applied, cell).toBe(access === 'write')
            if (access !== 'write') {
              expect(raw.received.some((f) => frameType(f) === messageAuth), cell).toBe(true)
              expect(Y.encodeStateAsUpdate(doc), cell).toEqual(before ?? Y.encodeStateAsUpdate(doc))
            }
          }
          if (type === 'awareness') {
            await eventually(() => expect(service.rooms.get(spec)!.awareness.getStates().get(id)?.user, cell).toMatchObject({ role: w.role }))
          }
          raw.ws.close()
          await raw.closed
        }
      }
    }
    // A refused upgrade loads nothing: a customer of panel A with a token for an uninvited spec
    // (403) or with spec A's token (401) never causes spec C to be loaded.
    const fresh = await createSpec(service, 'C')
    const customer = who.find((w) => w.name === 'customer of panel A')!
    expect(await upgradeStatus(`${ws}/ws/${fresh}?v=1&token=${await customer.credential(fresh)}`)).toBe(403)
    expect(await upgradeStatus(`${ws}/ws/${fresh}?v=1&token=${await customer.credential(specA)}`)).toBe(401)
    expect(service.rooms.loaded).not.toContain(fresh)
  })
})
