/**
 * Server-verified authorship: clientIDs are bound to the participant that first writes with them
 * (or announces them); updates carrying new structs of someone else's clientID are refused whole.
 */
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { FRAGMENT_NAME, SEED_CLIENT_ID } from '../../shared/schema.js'
import { AttributionRefusedError, ClientBindings, SYSTEM_PARTICIPANT } from '../../server/attribution/index.js'
import { Client, Server, posAfter, posOf } from './harness.js'
import { captureUpdate } from '../helpers/capture-update.js'

/** A raw Y.Doc with the server's state and a chosen clientID. */
function rawDoc(server: Server, clientID: number): Y.Doc {
  const doc = new Y.Doc()
  Y.applyUpdate(doc, Y.encodeStateAsUpdate(server.doc))
  // After applying: Yjs picks a new clientID when a remote update writes with its own.
  doc.clientID = clientID
  return doc
}

/** The update a raw doc produces by appending `text` to the first XmlText it finds. */
function forgeInsert(doc: Y.Doc, text: string): Uint8Array {
  return captureUpdate(doc, () => {
    const para = doc.getXmlFragment(FRAGMENT_NAME).get(1) as Y.XmlElement
    const t = para.get(0)
    if (t instanceof Y.XmlText) t.insert(t.length, text)
    else para.insert(0, [new Y.XmlText(text)])
  })
}

function setup(): { server: Server; cust: Client; team: Client } {
  const server = new Server()
  const cust = new Client(server, 'cust-1')
  const team = new Client(server, 'team-1')
  cust.type('Customers want offline mode', 3)
  return { server, cust, team }
}

function expectRefused(fn: () => void, clientID: number): void {
  let error: unknown
  try {
    fn()
  } catch (e) {
    error = e
  }
  expect(error).toBeInstanceOf(AttributionRefusedError)
  expect((error as AttributionRefusedError).reason).toBe('client-bound-to-other')
  expect((error as AttributionRefusedError).clientID).toBe(clientID)
}

describe('clientID bindings', () => {
  it('binds a clientID to the participant that first writes with it', () => {
    const { server, cust } = setup()
    expect(server.engine.bindings.ownerOf(cust.doc.clientID)).toBe('cust-1')
    expect(server.engine.bindings.isDurable(cust.doc.clientID)).toBe(true)
    expect(server.engine.bindings.ownerOf(SEED_CLIENT_ID)).toBe(SYSTEM_PARTICIPANT)
  })

  it("refuses a raw client reusing the customer's clientID; nothing is applied", () => {
    const { server, cust } = setup()
    const before = Y.encodeStateAsUpdate(server.doc)
    const logLength = server.log.length
    const forged = forgeInsert(rawDoc(server, cust.doc.clientID), ' (team says: not needed)')
    expectRefused(() => server.receive('team-1', forged), cust.doc.clientID)
    expect(Y.encodeStateAsUpdate(server.doc)).toEqual(before)
    expect(server.log.length).toBe(logLength)
    expect(server.pm().textContent).toBe('Customers want offline mode')
  })

  it("refuses a crafted update mixing the sender's own items with another participant's clientID", () => {
    const { server, cust, team } = setup()
    const own = forgeInsert(rawDoc(server, team.doc.clientID), ' team words')
    const forged = forgeInsert(rawDoc(server, cust.doc.clientID), ' fake customer words')
    const mixed = Y.mergeUpdates([own, forged])
    const before = Y.encodeStateAsUpdate(server.doc)
    expectRefused(() => server.receive('team-1', mixed), cust.doc.clientID)
    expect(Y.encodeStateAsUpdate(server.doc)).toEqual(before)
    // The honest part alone is fine.
    server.receive('team-1', own)
    expect(server.authorsOf('Customers want offline mode team words')).toEqual([
      ['Customers want offline mode', 'cust-1'],
      [' team words', 'team-1']
    ])
  })

  it("deleting other people's items is allowed", () => {
    const { server, team } = setup()
    team.edit((tr, doc) => tr.delete(posOf(doc, ' offline'), posAfter(doc, ' offline')))
    expect(server.pm().textContent).toBe('Customers want mode')
    expect(server.authorsOf('Customers want mode')).toEqual([['Customers want mode', 'cust-1']])
  })

  it('an announced clientID is kept from other announcers, and its announcer writes with it', () => {
    const server = new Server()
    const announced = 424242
    expect(server.engine.announce(announced, 'cust-1')).toBe(true)
    expect(server.engine.announce(announced, 'team-1')).toBe(false)
    expect(server.engine.bindings.isDurable(announced)).toBe(false)
    server.receive('cust-1', forgeInsert(rawDoc(server, announced), 'mine'))
    expect(server.engine.bindings.isDurable(announced)).toBe(true)
    expect(server.authorsOf('mine')).toEqual([['mine', 'cust-1']])
    // Durable now: nobody else writes with it.
    expectRefused(() => server.receive('team-1', forgeInsert(rawDoc(server, announced), 'x')), announced)
  })

  it("a real write beats someone else's announcement-only binding (squatting never shuts the owner out)", () => {
    const server = new Server()
    const squatted = 515151
    // Someone announces the clientID first and never writes with it.
    expect(server.engine.announce(squatted, 'cust-2')).toBe(true)
    // Its owner's first write is accepted, binds durably to the owner, and is stored as a fact.
    server.receive('team-1', forgeInsert(rawDoc(server, squatted), 'owner words'))
    expect(server.engine.bindings.ownerOf(squatted)).toBe('team-1')
    expect(server.engine.bindings.isDurable(squatted)).toBe(true)
    expect(server.authorsOf('owner words')).toEqual([['owner words', 'team-1']])
    server.restart()
    expect(server.engine.bindings.ownerOf(squatted)).toBe('team-1')
    // The squatter now cannot write with it.
    expectRefused(() => server.receive('cust-2', forgeInsert(rawDoc(server, squatted), 'x')), squatted)
  })

  it('releasing an announcement frees the clientID; durable bindings are never released', () => {
    const b = new ClientBindings()
    expect(b.bind(11, 'cust-1', { provisional: true })).toBe('new')
    expect(b.provisionalSize).toBe(1)
    expect(b.release(11, 'team-1')).toBe(false)
    expect(b.release(11, 'cust-1')).toBe(true)
    expect(b.ownerOf(11)).toBeUndefined()
    expect(b.provisionalSize).toBe(0)
    expect(b.bind(12, 'cust-1')).toBe('new')
    expect(b.release(12, 'cust-1')).toBe(false)
    expect(b.ownerOf(12)).toBe('cust-1')
  })

  it('the seed clientID belongs to the system', () => {
    const server = new Server()
    expectRefused(() => server.receive('cust-1', forgeInsert(rawDoc(server, SEED_CLIENT_ID), 'x')), SEED_CLIENT_ID)
  })

  it('accepts offline edits from an older clientID of the same participant', () => {
    const { server, cust, team } = setup()
    const oldSession = cust
    oldSession.online = false
    oldSession.type(' and dark theme', { after: 'mode' })
    // The same person opens a new session (new clientID) meanwhile.
    const newSession = new Client(server, 'cust-1')
    newSession.type('Also: export. ', 3)
    team.type(' (noted)', { after: 'want' })
    // The old session's work arrives later, as one step 2 from a cust-1 connection.
    oldSession.reconnect()
    const text = 'Also: export. Customers want (noted) offline mode and dark theme'
    expect(server.pm().textContent).toBe(text)
    expect(server.authorsOf(text)).toEqual([
      // (y-prosemirror's diff placed the typed space after the word, next to an equal space.)
      ['Also: export. Customers want ', 'cust-1'],
      ['(noted) ', 'team-1'],
      ['offline mode and dark theme', 'cust-1']
    ])
    // But someone else can never upload that clientID's work.
    const stale = rawDoc(server, oldSession.doc.clientID)
    expectRefused(() => server.receive('team-1', forgeInsert(stale, '!')), oldSession.doc.clientID)
  })

  it('ClientBindings serializes durable bindings only', () => {
    const b = new ClientBindings()
    expect(b.bind(7, 'cust-1')).toBe('new')
    expect(b.bind(7, 'cust-1')).toBe('same')
    expect(b.bind(7, 'team-1')).toBe('other')
    expect(b.bind(8, 'team-1', { provisional: true })).toBe('new')
    expect(b.bind(9, 'team-1', { provisional: true })).toBe('new')
    expect(b.bind(9, 'team-1')).toBe('new') // provisional → durable
    const copy = ClientBindings.deserialize(b.serialize())
    expect(copy.ownerOf(7)).toBe('cust-1')
    expect(copy.ownerOf(8)).toBeUndefined()
    expect(copy.ownerOf(9)).toBe('team-1')
    expect(copy.ownerOf(SEED_CLIENT_ID)).toBe(SYSTEM_PARTICIPANT)
    expect(() => b.bind(-1, 'x')).toThrow(RangeError)
    expect(() => b.check('team-1', new Map([[7, { from: 3, to: 3 }]]))).not.toThrow()
    expect(() => b.check('team-1', new Map([[7, { from: 3, to: 4 }]]))).toThrow(AttributionRefusedError)
  })
})
