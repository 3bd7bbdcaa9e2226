/**
 * The permission matrix over WebSocket, with real identities: every kind of principal x the
 * upgrade and every client message type, and the server-only types (100-102) refused from every
 * principal. HTTP routes are covered in permissions-http.test.ts.
 */
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import * as encoding from 'lib0/encoding'
import { startTestService, createSpec } from '../helpers/server.js'
import { signInAs, tokenAs, fetchAs, type SignedIn } from '../helpers/auth.js'
import { openRaw, updateFrame, upgradeStatus, frameType, roundTrip, carriesPresenceOf, type RawSocket } from '../helpers/raw-socket.js'
import { captureUpdate } from '../helpers/capture-update.js'
import { eventually } from '../helpers/eventually.js'
import * as decoding from 'lib0/decoding'
import { CloseCode, encodeAck, encodeAttribution, encodeReviewEvent, messageAck, messageAuth, messageAwareness, messageQueryAwareness, messageSync, readAck, syncStep2 } from '../../shared/protocol.js'
import { allows, MESSAGE_ACCESS, ROLES, seesAllSpecs, specAccess, type Role } from '../../shared/permissions.js'
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

type Kind = keyof typeof MESSAGE_ACCESS
const KINDS = Object.keys(MESSAGE_ACCESS) as Kind[]

/** The payload of every ack `raw` received. */
const acks = (raw: RawSocket): number[] =>
  raw.received.filter((f) => frameType(f) === messageAck).map((f) => {
    const d = decoding.createDecoder(f)
    decoding.readVarUint(d)
    return readAck(d)
  })

/** True if `frame` is the server's sync step 2 (its answer to a step 1). */
const isStep2 = (frame: Uint8Array): boolean => {
  const d = decoding.createDecoder(frame)
  return decoding.readVarUint(d) === messageSync && decoding.readVarUint(d) === syncStep2
}

/**
 * The same matrix generated from the tables instead of written by hand: every role of ROLES, on
 * a spec its panel is invited to and one it is not, x every kind of MESSAGE_ACCESS. The access
 * each role gets is `specAccess`, and each message must do what `allows` says: a role or a
 * message kind added to shared/permissions.ts is tested here without editing this file.
 */
describe('WebSocket permission matrix, generated from MESSAGE_ACCESS x ROLES', () => {
  it('each message has its effect exactly when allows(access, MESSAGE_ACCESS[kind])', async () => {
    const service = await startTestService()
    const specA = await createSpec(service, 'A')
    const specB = await createSpec(service, 'B')
    const ws = service.url.replace(/^http/, 'ws')
    let clientID = 5000
    const failures: string[] = []
    const check = (ok: boolean, cell: string, what: string): void => {
      if (!ok) failures.push(`${cell}: ${what}`)
    }

    /** Sends one message of `kind` on a fresh socket and checks its effect (or its refusal). */
    const probe = async (who: SignedIn, spec: string, kind: Kind, access: 'read' | 'write', cell: string, lower = false): Promise<void> => {
      const raw = await openRaw(service, spec, `v=1&token=${who.wsToken(spec)}`)
      if (lower) {
        // Access lowered while connected (a write permission withdrawn): the same gate applies.
        const pid = who.principal.participantId
        const conn = [...service.sync.connections].filter((c) => c.participantId === pid && !c.isClosed).at(-1)!
        conn.limitToRead()
      }
      const room = () => service.rooms.get(spec)!
      await eventually(() => expect(service.rooms.get(spec)).toBeDefined())
      const before = Y.encodeStateAsUpdate(room().doc)
      const id = ++clientID
      const control = ++clientID
      if (kind === 'query-awareness') await roundTrip(raw, control)
      const seenBefore = raw.received.filter((f) => carriesPresenceOf(f, control)).length
      raw.send(frames(room().doc, id)[kind])
      await roundTrip(raw, ++clientID)
      const allowed = allows(access, MESSAGE_ACCESS[kind])
      const denied = raw.received.some((f) => frameType(f) === messageAuth)
      check(raw.ws.readyState === raw.ws.OPEN, cell, 'socket closed')
      check(denied === !allowed, cell, allowed ? 'denied although allowed' : 'not denied')
      switch (kind) {
        case 'sync-step2':
        case 'sync-update':
          check((Y.getState(room().doc.store, id) > 0) === allowed, cell, allowed ? 'update not applied' : 'update applied')
          if (!allowed) check(Buffer.from(Y.encodeStateAsUpdate(room().doc)).equals(Buffer.from(before)), cell, 'doc changed')
          break
        case 'sync-step1':
          if (allowed) await eventually(() => expect(raw.received.some(isStep2), cell).toBe(true))
          break
        case 'awareness':
          if (allowed) await eventually(() => expect(room().awareness.getStates().get(id)?.user, cell).toBeDefined())
          else check(!room().awareness.getStates().has(id), cell, 'presence applied')
          break
        case 'query-awareness':
          // Answered with every state, the control's included, before the later round trip.
          check(raw.received.filter((f) => carriesPresenceOf(f, control)).length > seenBefore === allowed, cell, allowed ? 'not answered' : 'answered')
          break
        default: {
          const unknown: never = kind
          failures.push(`${cell}: no effect check for kind ${String(unknown)}`)
        }
      }
      // Every kind that needs write access carries an update: an empty one changes nothing and is
      // acknowledged like any no-op, whatever the access (every provider sends an empty step 2).
      if (MESSAGE_ACCESS[kind] === 'write') {
        const empty = Y.encodeStateAsUpdate(new Y.Doc())
        const deniedBefore = raw.received.filter((f) => frameType(f) === messageAuth).length
        raw.send(updateFrame(empty, kind === 'sync-step2'))
        await eventually(() => expect(acks(raw), cell).toContain(2))
        check(raw.received.filter((f) => frameType(f) === messageAuth).length === deniedBefore, cell, 'empty update denied')
      }
      raw.ws.close()
      await raw.closed
    }

    for (const role of ROLES) {
      const session = await signInAs(service, role, seesAllSpecs(role) ? {} : { panelSpecIds: [specA] })
      for (const [label, spec, invited] of [['invited', specA, true], ['not invited', specB, false]] as const) {
        const access = specAccess(role, invited)
        const row = `${role} on a spec ${label} (${access})`
        if (access === 'none') {
          const status = await upgradeStatus(`${ws}/ws/${spec}?v=1&token=${session.wsToken(spec)}`)
          check(status === 403, row, `upgrade answered ${status}`)
          continue
        }
        for (const kind of KINDS) await probe(session, spec, kind, access, `${row}: ${kind}`)
        if (access === 'write') {
          for (const kind of KINDS) await probe(session, spec, kind, 'read', `${row}, lowered to read: ${kind}`, true)
        }
      }
    }
    expect(failures).toEqual([])
  })

  it('server-only messages (ack 100, attribution 101, review 102) from any principal close the socket with 4415', async () => {
    const service = await startTestService()
    const specA = await createSpec(service, 'A')
    const who = (await principals(service, specA)).filter((w) => w.role !== null)
    const serverOnly = [encodeAck(1), encodeAttribution('{}'), encodeReviewEvent(JSON.stringify({ specId: specA, topics: ['decisions'] }))]
    for (const w of who) {
      for (const frame of serverOnly) {
        const raw = await openRaw(service, specA, `v=1&token=${encodeURIComponent((await w.credential(specA))!)}`)
        raw.send(frame)
        expect((await raw.closed).code, `${w.name}: type ${frameType(frame)}`).toBe(CloseCode.unknownMessageType)
      }
    }
  })
})
