/**
 * How the attribution popover and marker name who moved a block's words (issue 9 item 7), without
 * a browser: the sentence for one, two and several movers, with and without known times, and the
 * parser's reading of blocks with and without `movers` (an older server sends none).
 */
import { describe, expect, test } from 'vitest'
import type { BlockAttribution, Mover, SpecAttribution } from '../../shared/attribution.js'
import { ATTRIBUTION_VERSION } from '../../shared/attribution.js'
import { markerLabel, movedText } from '../../client/attribution/describe.js'
import { parseAttribution } from '../../client/attribution/parse.js'

const NOW = Date.parse('2026-12-02T12:00:00.000Z')

const mover = (displayName: string, role: Mover['role'], lastMovedAt: string | null): Mover => ({
  participantId: displayName.toLowerCase(),
  displayName,
  role,
  group: role === null ? null : role === 'customer' ? 'customer' : 'team',
  chars: 12,
  lastMovedAt
})

const block = (movers: Mover[]): BlockAttribution => ({
  type: 'paragraph',
  path: [1],
  excerpt: 'Offline mode',
  length: 12,
  firstAuthorId: 'carla',
  contributors: [{ participantId: 'carla', displayName: 'Carla', role: 'customer', group: 'customer', chars: 12, share: 1 }],
  byGroup: { customer: 12, team: 0, unknown: 0 },
  customerShare: 1,
  label: 'customer',
  runs: [{ length: 12, authorId: 'carla', moverId: movers[0]?.participantId ?? 'carla' }],
  movers
})

describe('naming movers', () => {
  test('one mover with a relative time; several each with theirs; unknown times say none', () => {
    expect(movedText(block([mover('Dana', 'team', '2026-12-02T10:00:00.000Z')]), NOW)).toBe(
      'Moved or restructured by Dana (Team), 2 hours ago; the words stay their authors’.'
    )
    expect(movedText(block([mover('Dana', 'team', '2026-12-02T11:55:00.000Z'), mover('Tom', 'facilitator', null)]), NOW)).toBe(
      'Moved or restructured by Dana (Team), 5 minutes ago, and Tom (Facilitator); the words stay their authors’.'
    )
    expect(
      movedText(block([mover('Ann', 'team', '2026-12-02T11:59:30.000Z'), mover('Bo', 'customer', null), mover('Cy', null, '2026-11-02T12:00:00.000Z')]), NOW)
    ).toBe('Moved or restructured by Ann (Team), just now; Bo (Customer); and Cy, last month. The words stay their authors’.')
    expect(movedText(block([]), NOW)).toBeNull()
  })

  test('the accessible name names movers without a time (it would go stale)', () => {
    expect(markerLabel(block([mover('Dana', 'team', '2026-12-02T10:00:00.000Z')]), new Map())).toBe(
      'Customer idea: 100% customer. Contributors: Carla (Customer) 100%. First written by someone no longer in the directory. ' +
        'Moved or restructured by Dana (Team); the words stay their authors’.'
    )
  })

  test('the parser reads a block without movers as none, and refuses malformed ones', () => {
    const spec = (blocks: unknown[]): string =>
      JSON.stringify({ version: ATTRIBUTION_VERSION, blocks, totals: { customer: 12, team: 0, unknown: 0 }, customerShare: 1 })
    const { movers: _movers, ...old } = block([])
    const parsed = parseAttribution(spec([old])) as SpecAttribution
    expect(parsed.blocks[0]!.movers).toEqual([])
    const current = block([mover('Dana', 'team', '2026-12-02T10:00:00.000Z')])
    expect(parseAttribution(spec([current]))?.blocks[0]!.movers).toEqual(current.movers)
    expect(parseAttribution(spec([{ ...current, movers: [{ ...current.movers[0], lastMovedAt: 'not a time' }] }]))).toBeNull()
    expect(parseAttribution(spec([{ ...current, movers: 'Dana' }]))).toBeNull()
  })
})
