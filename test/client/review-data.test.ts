/**
 * The review views' data and list logic without a browser: which sections a review event
 * re-reads, one read at a time per section with one more after a change during it, failures
 * kept beside the last good list; and the panel's filters, sort and customer share.
 */
import { afterEach, describe, expect, test, vi } from 'vitest'
import type { ContributionView } from '../../shared/api-review.js'
import { ReviewData } from '../../client/review/review-data.js'
import { applyFilters, NO_FILTERS } from '../../client/review/review-filters.js'
import { customerShare, discussions } from '../../client/review/format.js'
import type { ThreadView } from '../../shared/api-threads.js'

const SPEC = 'spec1'

/** Answers `GET /api/specs/spec1/<section>` with `bodies[section]` and records the order. */
const stubFetch = (bodies: Record<string, () => unknown>, calls: string[]): void => {
  vi.stubGlobal('fetch', async (url: string) => {
    const section = url.replace(`/api/specs/${SPEC}/`, '')
    calls.push(section)
    const make = bodies[section]
    if (!make) return new Response(JSON.stringify({ error: { code: 'not_found', message: 'no route' } }), { status: 404 })
    return new Response(JSON.stringify(make()), { status: 200, headers: { 'content-type': 'application/json' } })
  })
}

afterEach(() => {
  vi.unstubAllGlobals()
})

const contributions = (n: number) => () => ({ specId: SPEC, contributions: Array.from({ length: n }, (_, i) => ({ id: `c1-${i}` })), counts: {}, byPanel: {}, byParticipant: {}, panelNames: {} })

describe('ReviewData', () => {
  test('a decisions event re-reads contributions, removals and answers, only those the reader may read', async () => {
    const calls: string[] = []
    stubFetch({ contributions: contributions(1), removals: () => ({ removals: [] }), answers: () => ({ unread: 2, items: [] }) }, calls)
    const team = new ReviewData(SPEC, ['contributions', 'threads', 'removals', 'settings'])
    await team.refresh(['decisions'])
    expect(calls.sort()).toEqual(['contributions', 'removals'])
    calls.length = 0
    const customer = new ReviewData(SPEC, ['contributions', 'threads', 'removals', 'answers'])
    await customer.refresh(['decisions'])
    expect(calls.sort()).toEqual(['answers', 'contributions', 'removals'])
    expect(customer.snapshot.answers?.unread).toBe(2)
  })

  test('a change during a read causes exactly one more read, and listeners see the last answer', async () => {
    const calls: string[] = []
    let n = 0
    stubFetch({ contributions: () => contributions(++n)() }, calls)
    const data = new ReviewData(SPEC, ['contributions'])
    const seen: number[] = []
    data.subscribe(() => seen.push(data.snapshot.contributions?.contributions.length ?? -1))
    await Promise.all([data.refresh(['contributions']), data.refresh(['contributions']), data.refresh(['contributions'])])
    await vi.waitFor(() => expect(calls).toHaveLength(2))
    await vi.waitFor(() => expect(data.snapshot.contributions?.contributions).toHaveLength(2))
    expect(seen.at(-1)).toBe(2)
  })

  test('a failed read keeps the previous list and says why; the next good read clears it', async () => {
    const calls: string[] = []
    stubFetch({ contributions: contributions(1) }, calls)
    const data = new ReviewData(SPEC, ['contributions', 'removals'])
    await data.loadAll()
    expect(data.snapshot.contributions?.contributions).toHaveLength(1)
    expect(data.snapshot.errors.removals).toBe('no route')
    stubFetch({ removals: () => ({ removals: [] }) }, calls)
    await data.refresh(['contributions', 'removals'])
    expect(data.snapshot.contributions?.contributions).toHaveLength(1)
    expect(data.snapshot.errors.contributions).toBe('no route')
    expect(data.snapshot.errors.removals).toBeUndefined()
    expect(data.snapshot.removals).toEqual([])
  })
})

const item = (id: string, over: Partial<ContributionView>): ContributionView => ({
  id,
  participantId: 'p1',
  displayName: 'P1',
  panelIds: ['a'],
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
  excerpt: id,
  chars: 3,
  state: 'new',
  decision: null,
  pieces: [],
  comments: 0,
  ...over
})

describe('review list logic', () => {
  const items = [
    item('old', { createdAt: '2026-01-01T00:00:00.000Z', comments: 5 }),
    item('mid', { createdAt: '2026-01-02T00:00:00.000Z', participantId: 'p2', panelIds: [], state: 'accepted' }),
    item('new', { createdAt: '2026-01-03T00:00:00.000Z', panelIds: ['a', 'b'], comments: 5 })
  ]
  const ids = (list: ContributionView[]): string[] => list.map((c) => c.id)

  test('filters by panel (or none), participant and decision; sorts newest or most discussed', () => {
    const comments = (c: ContributionView): number => c.comments
    expect(ids(applyFilters(items, NO_FILTERS, comments))).toEqual(['new', 'mid', 'old'])
    expect(ids(applyFilters(items, { ...NO_FILTERS, panel: 'b' }, comments))).toEqual(['new'])
    expect(ids(applyFilters(items, { ...NO_FILTERS, panel: '-' }, comments))).toEqual(['mid'])
    expect(ids(applyFilters(items, { ...NO_FILTERS, participant: 'p1' }, comments))).toEqual(['new', 'old'])
    expect(ids(applyFilters(items, { ...NO_FILTERS, decision: 'accepted' }, comments))).toEqual(['mid'])
    // Ties in comments fall back to newest first.
    expect(ids(applyFilters(items, { ...NO_FILTERS, sort: 'discussed' }, comments))).toEqual(['new', 'old', 'mid'])
  })

  test('customer share is the contribution against its blocks, capped, null when not on screen', () => {
    expect(customerShare(30, 120)).toBe(25)
    expect(customerShare(10, 10)).toBe(100)
    expect(customerShare(12, 10)).toBe(100)
    expect(customerShare(0, 10)).toBeNull()
    expect(customerShare(5, 0)).toBeNull()
  })

  test('threads and comments are counted per contribution', () => {
    const thread = (contributionId: string | null, comments: number) => ({ contributionId, comments: Array.from({ length: comments }) }) as unknown as ThreadView
    const d = discussions([thread('c1-1', 2), thread('c1-1', 1), thread(null, 4)])
    expect(d.get('c1-1')).toEqual({ threads: 2, comments: 3 })
    expect(d.size).toBe(1)
  })
})
