/**
 * The contributions feed: debounced passes after commits save what changed, a failed save is
 * retried with the next pass, and a feed loaded from the store resumes the same contributions.
 */
import { afterEach, describe, expect, it, vi } from 'vitest'
import { ContributionsFeed, type ContributionsDeps } from '../../server/review/contributions-feed.js'
import { MemoryContributionStore } from '../../server/review/contributions-memory.js'
import type { ContributionStore } from '../../server/review/contribution-store.js'
import { Client, Server } from './harness.js'

afterEach(() => {
  vi.useRealTimers()
})

function setup(store = new MemoryContributionStore()) {
  const server = new Server()
  const cust = new Client(server, 'cust-1')
  const team = new Client(server, 'team-1')
  const lookups: string[] = []
  const deps: ContributionsDeps = {
    store,
    delayMs: 50,
    now: () => server.now,
    lookup: async (_spec, id) => {
      lookups.push(id)
      return { role: id.startsWith('cust-') ? 'customer' : 'team', panelIds: id.startsWith('cust-') ? ['panel-a'] : [] }
    }
  }
  return { server, cust, team, store, deps, lookups }
}

describe('ContributionsFeed', () => {
  it('a burst of commits costs one pass after the delay; roles are looked up once', async () => {
    vi.useFakeTimers()
    const { server, cust, team, store, deps, lookups } = setup()
    const errors: unknown[] = []
    const feed = await ContributionsFeed.load('spec-1', server.doc, () => server.engine.authors, deps, (e) => errors.push(e))
    const save = vi.spyOn(store, 'save')
    cust.type('Offline', 3) // the first paragraph (doc > title, paragraph)
    feed.schedule()
    cust.type(' mode', { after: 'Offline' })
    feed.schedule()
    cust.type(' please', { after: 'Offline mode' })
    feed.schedule()
    team.type(' (noted)', { after: 'please' })
    feed.schedule()
    expect(save).not.toHaveBeenCalled()
    await vi.advanceTimersByTimeAsync(60)
    expect(save).toHaveBeenCalledTimes(1)
    expect(errors).toEqual([])
    expect((await store.list('spec-1')).map((r) => [r.participantId, r.excerpt, r.panelIds])).toEqual([['cust-1', 'Offline mode please', ['panel-a']]])
    expect(lookups.sort()).toEqual(['cust-1', 'team-1'])
    feed.stop()
  })

  it('retries a failed save with the next pass, and resumes from the store after a restart', async () => {
    const { server, cust, store, deps } = setup()
    let fail = true
    const flaky: ContributionStore = {
      list: (s, p) => store.list(s, p),
      save: async (r) => (fail ? Promise.reject(new Error('disk full')) : store.save(r)),
      close: async () => {}
    }
    const feed = await ContributionsFeed.load('spec-1', server.doc, () => server.engine.authors, { ...deps, store: flaky }, () => {})
    cust.type('Offline mode', 3)
    await expect(feed.flush()).rejects.toThrow('disk full')
    fail = false
    await feed.flush()
    const saved = await store.list('spec-1')
    expect(saved.map((r) => r.excerpt)).toEqual(['Offline mode'])

    const again = await ContributionsFeed.load('spec-1', server.doc, () => server.engine.authors, deps, () => {})
    cust.type(' please', { after: 'Offline mode' })
    await again.flush()
    expect((await store.list('spec-1')).map((r) => [r.id, r.excerpt])).toEqual([[saved[0]!.id, 'Offline mode please']])
  })
})
