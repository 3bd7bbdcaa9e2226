/**
 * Review events on the sync connection (docs/PROTOCOL.md, type 102): a Valence socket on a spec
 * receives a `messageReview` frame naming `decisions` after a decision, `contributions` after a
 * customer types, and `settings` after the review settings change; a socket on another spec
 * receives none of those (shown after a positive control on the same route for its own spec);
 * a client that sends type 102 is closed with 4415.
 */
import { describe, expect, it } from 'vitest'
import * as decoding from 'lib0/decoding'
import { CloseCode, encodeReviewEvent, messageReview, readReviewEvent } from '../../shared/protocol.js'
import { parseReviewEvent, type ReviewEvent } from '../../shared/review-events.js'
import { schema } from '../../shared/schema.js'
import { signInAs } from '../helpers/auth.js'
import { connectClient, synced } from '../helpers/clients.js'
import { eventually } from '../helpers/eventually.js'
import { editPm } from '../helpers/pm-edit.js'
import { frameType, openRaw, roundTrip, type RawSocket } from '../helpers/raw-socket.js'
import { createSpec, startTestService } from '../helpers/server.js'

/** The review events `raw` received so far, in order. */
function reviewEvents(raw: RawSocket): ReviewEvent[] {
  return raw.received
    .filter((f) => frameType(f) === messageReview)
    .map((f) => {
      const d = decoding.createDecoder(f)
      decoding.readVarUint(d)
      const json = readReviewEvent(d)
      expect(decoding.hasContent(d)).toBe(false)
      return parseReviewEvent(json)
    })
}

/** Waits until `raw` received an event of `specId` naming `topic`. */
const receives = (raw: RawSocket, specId: string, topic: ReviewEvent['topics'][number]): Promise<void> =>
  eventually(() => expect(reviewEvents(raw).some((e) => e.specId === specId && e.topics.includes(topic))).toBe(true))

describe('review events on the sync connection', () => {
  it('reach the spec’s sockets for decisions, contributions and settings, and no other spec’s', async () => {
    const service = await startTestService()
    const specA = await createSpec(service, 'A')
    const specB = await createSpec(service, 'B')
    const facilitator = await signInAs(service, 'facilitator')
    const team = await signInAs(service, 'team')
    const customer = await signInAs(service, 'customer', { panelSpecIds: [specA] })
    const onA = await openRaw(service, specA)
    const onB = await openRaw(service, specB)

    const decided = await team.fetch(`/api/specs/${specA}/decisions`, { method: 'POST', body: { subjectId: 'c1-0', state: 'accepted' } })
    expect(decided.status).toBe(201)
    await receives(onA, specA, 'decisions')

    const writer = connectClient(service, specA, { token: customer.wsToken(specA) })
    await synced(writer)
    editPm(writer.doc, (tr) => tr.insert(3, schema.text('Customers want offline mode')))
    await receives(onA, specA, 'contributions')

    const put = await facilitator.fetch(`/api/specs/${specA}/review-settings`, { method: 'PUT', body: { decisionsPublic: true } })
    expect(put.status).toBe(200)
    await receives(onA, specA, 'settings')
    // The event names what changed, nothing more.
    for (const e of reviewEvents(onA)) expect(Object.keys(e).sort()).toEqual(['specId', 'topics'])

    // Positive control on B, through the same routes: B's socket gets B's events only.
    await team.fetch(`/api/specs/${specB}/decisions`, { method: 'POST', body: { subjectId: 'c1-0', state: 'declined' } })
    await facilitator.fetch(`/api/specs/${specB}/review-settings`, { method: 'PUT', body: { decisionsPublic: true } })
    await receives(onB, specB, 'decisions')
    await receives(onB, specB, 'settings')
    expect(reviewEvents(onB).every((e) => e.specId === specB)).toBe(true)
    expect(reviewEvents(onB).flatMap((e) => e.topics).sort()).toEqual(['decisions', 'settings'])
    // And A's socket, having handled a round trip after B's events went out, got none of B's.
    await roundTrip(onA, 424242)
    expect(reviewEvents(onA).every((e) => e.specId === specA)).toBe(true)
    writer.destroy()
  })

  it('closes a client that sends a review event (type 102) with 4415', async () => {
    const service = await startTestService()
    const spec = await createSpec(service)
    const raw = await openRaw(service, spec)
    raw.send(encodeReviewEvent(JSON.stringify({ specId: spec, topics: ['decisions'] })))
    expect((await raw.closed).code).toBe(CloseCode.unknownMessageType)
  })
})
