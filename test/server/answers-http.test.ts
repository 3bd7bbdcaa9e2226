/**
 * Answers to customers over HTTP on the real service: a decision on a customer's idea is an
 * unread answer until they mark it seen (and the spec list's badge follows); a seen mark never
 * moves past the server clock; review settings decide whether customers see other customers'
 * decided contributions; contributions carry their author's current display name. Refusals
 * (a customer publishing decisions, malformed bodies) change nothing.
 */
import { randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import type { AnswersResponse, ReviewSettingsResponse } from '../../shared/api-answers.js'
import type { ContributionsResponse } from '../../shared/api-review.js'
import type { ContributionRecord } from '../../server/review/contribution-store.js'
import type { Service } from '../../server/service.js'
import type { RemovalRecord } from '../../server/review/removals.js'
import { encodeRuns } from '../../server/review/thread-anchors.js'
import { signInAs, type SignedIn } from '../helpers/auth.js'
import { createSpec, startTestService } from '../helpers/server.js'

/** Seeds one contribution of `who` (what the room's contributions feed would record). */
async function seedIdea(service: Service, spec: string, who: SignedIn, client: number, excerpt: string): Promise<string> {
  const id = `c${client}-0`
  const now = new Date().toISOString()
  const record: ContributionRecord = {
    specId: spec,
    id,
    participantId: who.principal.participantId,
    panelIds: [who.panelId!],
    createdAt: now,
    updatedAt: now,
    origins: [{ client, clock: 0, len: excerpt.length }],
    excerpt,
    chars: excerpt.length
  }
  await service.contributions.save([record])
  return id
}

/** Seeds a removal of `author`'s words by `by` (what the room's removals feed would record). */
async function seedRemoval(service: Service, spec: string, author: SignedIn, by: SignedIn, contributionId: string, text: string): Promise<RemovalRecord> {
  const record: RemovalRecord = {
    specId: spec,
    id: `r${Math.random().toString(36).slice(2, 14)}`,
    contributionId,
    text,
    authorId: author.principal.participantId,
    authorRole: 'customer',
    removedBy: by.principal.participantId,
    removedByRole: by.principal.role,
    removedAt: new Date().toISOString(),
    origins: [{ client: Number(contributionId.slice(1).split('-')[0]), clock: 0, len: text.length }],
    pieces: [{ text, place: { inText: null, inFragment: 'AAA=', blockType: 'paragraph', level: null, blockKey: '1:0' } }],
    status: 'open',
    restoredBy: null,
    restoredByRole: null,
    restoredAt: null
  }
  await service.removals.add(record)
  return record
}

/** A server-style id: `prefix` + 22 base64url characters. */
const newId = (prefix: string): string => prefix + randomBytes(16).toString('base64url').slice(0, 22)

const json = async <T>(res: Response): Promise<T> => (await res.json()) as T

describe('answers over HTTP', () => {
  it('a decision is an unread answer until seen; the spec list counts it; marks never pass the clock', async () => {
    const service = await startTestService()
    const spec = await createSpec(service)
    const carla = await signInAs(service, 'customer', { panelSpecIds: [spec], displayName: 'Carla' })
    const team = await signInAs(service, 'team', { displayName: 'Tess from Team' })
    const idea = await seedIdea(service, spec, carla, 101, 'Offline mode please')

    expect(await json<AnswersResponse>(await carla.fetch(`/api/specs/${spec}/answers`))).toEqual({ specId: spec, unread: 0, items: [] })
    expect((await team.fetch(`/api/specs/${spec}/decisions`, { method: 'POST', body: { subjectId: idea, state: 'accepted', note: 'Planned for Q3.' } })).status).toBe(201)

    const answers = await json<AnswersResponse>(await carla.fetch(`/api/specs/${spec}/answers`))
    expect(answers.unread).toBe(1)
    expect(answers.items).toEqual([
      {
        id: 'decision:1',
        kind: 'decision',
        contributionId: idea,
        threadId: null,
        at: expect.any(String),
        by: { participantId: team.principal.participantId, displayName: 'Tess from Team', role: 'team' },
        summary: 'Accepted: Planned for Q3.',
        unread: true
      }
    ])
    const badge = async (): Promise<number | undefined> =>
      (await json<{ specs: Array<{ id: string; unreadAnswers?: number }> }>(await carla.fetch('/api/specs'))).specs.find((s) => s.id === spec)?.unreadAnswers
    expect(await badge()).toBe(1)
    // The decider has no answers of their own here.
    expect((await json<AnswersResponse>(await team.fetch(`/api/specs/${spec}/answers`))).items).toEqual([])

    const seen = await carla.fetch(`/api/specs/${spec}/answers/seen`, { method: 'POST', body: { upTo: answers.items[0]!.at } })
    expect([seen.status, await seen.json()]).toEqual([200, { unread: 0 }])
    expect((await json<AnswersResponse>(await carla.fetch(`/api/specs/${spec}/answers`))).items[0]!.unread).toBe(false)
    expect(await badge()).toBe(0)

    // A mark in the far future is held at the server clock: later answers are still unread.
    expect((await carla.fetch(`/api/specs/${spec}/answers/seen`, { method: 'POST', body: { upTo: '2999-01-01T00:00:00Z' } })).status).toBe(200)
    await team.fetch(`/api/specs/${spec}/decisions`, { method: 'POST', body: { subjectId: idea, state: 'planned' } })
    const later = await json<AnswersResponse>(await carla.fetch(`/api/specs/${spec}/answers`))
    expect([later.unread, later.items.map((i) => [i.summary, i.unread])]).toEqual([1, [['Accepted: Planned for Q3.', false], ['Planned', true]]])

    // Malformed marks are refused and change nothing.
    for (const body of [{}, { upTo: 'yesterday' }, { upTo: '2026-12-01T10:00:00Z', participantId: team.principal.participantId }]) {
      const res = await carla.fetch(`/api/specs/${spec}/answers/seen`, { method: 'POST', body })
      expect([res.status, ((await res.json()) as { error: { code: string } }).error.code]).toEqual([400, 'invalid_body'])
    }
    expect((await json<AnswersResponse>(await carla.fetch(`/api/specs/${spec}/answers`))).unread).toBe(1)
  })

  it('removals of a customer’s words and their restores are answers to that customer only', async () => {
    const service = await startTestService()
    const spec = await createSpec(service)
    const carla = await signInAs(service, 'customer', { panelSpecIds: [spec] })
    const cem = await signInAs(service, 'customer', { panelSpecIds: [spec] })
    const team = await signInAs(service, 'team', { displayName: 'Tess' })
    const facilitator = await signInAs(service, 'facilitator', { displayName: 'Fay' })
    const idea = await seedIdea(service, spec, carla, 301, 'Offline mode please')
    const removal = await seedRemoval(service, spec, carla, team, idea, 'Offline mode please')
    // Words a customer deleted themselves are no answer to them.
    await seedRemoval(service, spec, cem, cem, await seedIdea(service, spec, cem, 302, 'Typo'), 'Typo')
    await service.removals.transition(spec, removal.id, ['open'], { status: 'restored', restoredBy: facilitator.principal.participantId, restoredByRole: 'facilitator', restoredAt: new Date(Date.now() + 1).toISOString() })

    const answers = await json<AnswersResponse>(await carla.fetch(`/api/specs/${spec}/answers`))
    expect(answers.items.map((i) => [i.kind, i.id, i.contributionId, i.by.displayName, i.summary, i.unread])).toEqual([
      ['removal', `removal:${removal.id}`, idea, 'Tess', 'Removed: “Offline mode please”', true],
      ['restore', `restore:${removal.id}`, idea, 'Fay', 'Restored: “Offline mode please”', true]
    ])
    expect((await json<AnswersResponse>(await cem.fetch(`/api/specs/${spec}/answers`))).items).toEqual([])
  })

  it('comments by others in a thread on a customer’s idea are answers, and count on the contribution', async () => {
    const service = await startTestService()
    const spec = await createSpec(service)
    const carla = await signInAs(service, 'customer', { panelSpecIds: [spec] })
    const team = await signInAs(service, 'team', { displayName: 'Tess' })
    const idea = await seedIdea(service, spec, carla, 401, 'Offline mode please')
    const now = (ms = 0): string => new Date(Date.now() + ms).toISOString()
    // What POST /threads and /replies store (their anchors are checked there, not here).
    const thread = await service.threads.create({
      specId: spec,
      id: newId('t'),
      contributionId: idea,
      start: 'AAA=',
      end: 'AAE=',
      quote: 'Offline mode please',
      anchored: encodeRuns([{ client: 401, clock: 0, len: 19 }]),
      createdBy: team.principal.participantId,
      createdRole: 'team',
      createdAt: now(),
      comment: { id: newId('m'), authorId: team.principal.participantId, role: 'team', body: 'Which devices?', createdAt: now() }
    })
    await service.threads.reply(spec, thread.id, { id: newId('m'), authorId: carla.principal.participantId, role: 'customer', body: 'Phones mostly.', createdAt: now(1) })
    await service.threads.reply(spec, thread.id, { id: newId('m'), authorId: team.principal.participantId, role: 'team', body: 'Thanks!', createdAt: now(2) })

    const answers = await json<AnswersResponse>(await carla.fetch(`/api/specs/${spec}/answers`))
    expect(answers.items.map((i) => [i.kind, i.threadId, i.contributionId, i.by.displayName, i.summary])).toEqual([
      ['comment', thread.id, idea, 'Tess', 'Which devices?'],
      ['comment', thread.id, idea, 'Tess', 'Thanks!']
    ])
    const listed = await json<ContributionsResponse>(await team.fetch(`/api/specs/${spec}/contributions`))
    expect(listed.contributions.map((c) => [c.id, c.comments])).toEqual([[idea, 3]])
  })

  it('customers see others’ decided contributions only while a facilitator makes decisions public', async () => {
    const service = await startTestService()
    const spec = await createSpec(service)
    const carla = await signInAs(service, 'customer', { panelSpecIds: [spec], displayName: 'Carla' })
    const cem = await signInAs(service, 'customer', { panelSpecIds: [spec], displayName: 'Cem' })
    const team = await signInAs(service, 'team')
    const facilitator = await signInAs(service, 'facilitator')
    const decidedIdea = await seedIdea(service, spec, carla, 201, 'Dark mode')
    await seedIdea(service, spec, carla, 202, 'Undecided idea')
    const cemIdea = await seedIdea(service, spec, cem, 203, 'Cem’s idea')
    await team.fetch(`/api/specs/${spec}/decisions`, { method: 'POST', body: { subjectId: decidedIdea, state: 'declined', note: 'Out of scope.' } })

    const settings = async (who: SignedIn): Promise<ReviewSettingsResponse> => json(await who.fetch(`/api/specs/${spec}/review-settings`))
    const seenBy = async (who: SignedIn) => (await json<ContributionsResponse>(await who.fetch(`/api/specs/${spec}/contributions`))).contributions
    expect(await settings(cem)).toEqual({ specId: spec, decisionsPublic: false })
    expect((await seenBy(cem)).map((c) => c.id)).toEqual([cemIdea])

    // A customer and a team member may not publish; nothing changes.
    for (const who of [cem, team]) {
      const res = await who.fetch(`/api/specs/${spec}/review-settings`, { method: 'PUT', body: { decisionsPublic: true } })
      expect(res.status).toBe(403)
    }
    expect((await settings(cem)).decisionsPublic).toBe(false)
    expect((await facilitator.fetch(`/api/specs/${spec}/review-settings`, { method: 'PUT', body: { decisionsPublic: 'yes' } })).status).toBe(400)

    const put = await facilitator.fetch(`/api/specs/${spec}/review-settings`, { method: 'PUT', body: { decisionsPublic: true } })
    expect([put.status, await put.json()]).toEqual([200, { specId: spec, decisionsPublic: true }])
    const shown = await seenBy(cem)
    expect(shown.map((c) => [c.id, c.displayName, c.state, c.decision?.note ?? null])).toEqual([
      [decidedIdea, 'Carla', 'declined', 'Out of scope.'],
      [cemIdea, 'Cem', 'new', null]
    ])
    expect(shown[0]!.comments).toBe(0)
    // Other customers' panels stay the facilitators' business.
    expect(shown.map((c) => c.panelIds)).toEqual([[], [cem.panelId]])
    expect(Object.keys((await json<ContributionsResponse>(await cem.fetch(`/api/specs/${spec}/contributions`))).byPanel).sort()).toEqual(['', cem.panelId].sort())

    await facilitator.fetch(`/api/specs/${spec}/review-settings`, { method: 'PUT', body: { decisionsPublic: false } })
    expect((await seenBy(cem)).map((c) => c.id)).toEqual([cemIdea])
    // The team always sees every contribution, with names resolved now.
    await service.storage.identity.updateParticipant(carla.principal.participantId, { displayName: 'Carla R.' })
    expect((await seenBy(team)).map((c) => c.displayName)).toEqual(['Carla R.', 'Carla R.', 'Cem'])
  })
})
