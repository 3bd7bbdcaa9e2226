/**
 * What the frame fuzzer found, pinned as named cases against the real server.
 */
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import * as encoding from 'lib0/encoding'
import { startTestService, createSpec } from '../helpers/server.js'
import { connectAs, connectClient, synced } from '../helpers/clients.js'
import { facilitatorOf, signInAs } from '../helpers/auth.js'
import { eventually, sleep } from '../helpers/eventually.js'
import { openRaw, updateFrame } from '../helpers/raw-socket.js'
import { editPm, bodyStart, pmDoc } from '../helpers/pm-edit.js'
import { createLogger } from '../../server/observability/logger.js'
import { FRAGMENT_NAME, schema } from '../../shared/schema.js'
import type { Service } from '../../server/service.js'
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

/** A customer's own words in the spec's first paragraph, typed through a real provider; resolves once saved. */
async function customerTypes(service: Service, spec: string, text: string): Promise<string> {
  const customer = await signInAs(service, 'customer', { panelSpecIds: [spec] })
  const client = connectClient(service, spec, { token: customer.wsToken(spec) })
  await synced(client)
  editPm(client.doc, (tr) => tr.insert(bodyStart(tr.doc), schema.text(text)))
  await eventually(() => expect(client.tracker.current.status).toBe('saved'))
  return customer.principal.participantId
}

/** Participant ids of the spec's stored contributions, as the API lists them to a facilitator. */
async function contributors(service: Service, spec: string): Promise<string[]> {
  const res = await (await facilitatorOf(service)).fetch(`/api/specs/${spec}/contributions`)
  expect(res.status).toBe(200)
  return ((await res.json()) as { contributions: Array<{ participantId: string }> }).contributions.map((c) => c.participantId)
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

  // Found by the long frame fuzzer (seed 2116030485): sync admits clientIDs up to 2^53 - 1
  // (validate-update.ts), the contributions store refuses ids above 2^32 - 1
  // (server/review/contribution-store.ts, checkRecords), and the feed retries a failed save with
  // every later pass, so one such update stops every later contribution of its room from being
  // stored ("contributions pass failed" logged on each pass). Not fixed here: the two owners
  // must pick which side changes. When this passes, move it to an ordinary `it` and drop
  // KNOWN_BUG in frame-fuzzer.test.ts.
  it('after a customer update with a clientID above 2^32, later contributions of the room are still stored', async () => {
    const service = await startTestService({ storage: 'sqlite' })
    const spec = await createSpec(service)
    const odd = await signInAs(service, 'customer', { panelSpecIds: [spec] })
    const doc = new Y.Doc()
    doc.clientID = 2 ** 32 + 5
    const paragraph = new Y.XmlElement('paragraph')
    paragraph.insert(0, [new Y.XmlText('words from a 33-bit clientID')])
    doc.getXmlFragment(FRAGMENT_NAME).insert(0, [paragraph])
    const raw = await openRaw(service, spec, `v=1&token=${odd.wsToken(spec)}`)
    raw.send(updateFrame(Y.encodeStateAsUpdate(doc)))
    await eventually(() => expect(service.rooms.get(spec)?.doc.getXmlFragment(FRAGMENT_NAME).toString()).toContain('33-bit'))
    const honest = await customerTypes(service, spec, 'Offline mode, please.')
    await eventually(() => expect(contributors(service, spec)).resolves.toContain(honest), 5000)
  })

  // Frame fuzzer, FAULT_SEED=1541098557: a deletion of someone else's characters in a root type
  // other than the spec's fragment made removal capture read the parent of a root type
  // ("Cannot read properties of null (reading 'parent')"), logged as an error.
  it('deleting a customer’s characters outside the spec’s fragment records no removal and logs no error', async () => {
    const lines: string[] = []
    const log = createLogger('info', { write: (line: string) => void lines.push(line) })
    const service = await startTestService({}, { log })
    const spec = await createSpec(service)
    const customer = await signInAs(service, 'customer', { panelSpecIds: [spec] })
    const writer = connectClient(service, spec, { token: customer.wsToken(spec) })
    const team = await connectAs(service, spec)
    await Promise.all([synced(writer), synced(team)])
    writer.doc.getText('elsewhere').insert(0, 'not in the spec')
    await eventually(() => expect(team.doc.getText('elsewhere').toString()).toBe('not in the spec'))
    team.doc.getText('elsewhere').delete(0, 4)
    await eventually(() => expect(service.rooms.get(spec)?.doc.getText('elsewhere').toString()).toBe('in the spec'))
    // Positive control on the same route: a removal of the customer's words in the spec is recorded.
    await customerTypes(service, spec, 'Offline mode, please.')
    await eventually(() => expect(team.tracker.current.status).toBe('saved'))
    await eventually(() => expect(pmDoc(team.doc).textContent).toContain('Offline mode'))
    editPm(team.doc, (tr) => tr.delete(bodyStart(tr.doc), bodyStart(tr.doc) + 'Offline '.length))
    const facilitator = await facilitatorOf(service)
    await eventually(async () => {
      const res = await facilitator.fetch(`/api/specs/${spec}/removals`)
      const body = (await res.json()) as { removals: Array<{ text: string }> }
      expect(body.removals.map((r) => r.text)).toEqual(['Offline '])
    })
    expect(lines.map((l) => JSON.parse(l) as { level: number; msg?: string }).filter((e) => e.level >= 50)).toEqual([])
  })
})
