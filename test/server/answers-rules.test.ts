/**
 * What counts as an answer (server/review/answers.ts rules [N1]-[N5]), on hand-made facts: the
 * definition the "My ideas" list, its badge and the email digest share.
 */
import { describe, expect, it } from 'vitest'
import type { DecisionEntry } from '../../shared/api-review.js'
import { commentCounts, deriveAnswers, oneLine, withUnread, type CommentFacts, type SpecFacts, type ThreadFacts } from '../../server/review/answers.js'

const CARLA = 'carla'
const TEAM = 'tess'
const CEM = 'cem'

const at = (minute: number): string => new Date(Date.UTC(2026, 11, 1, 10, minute)).toISOString()

const decision = (seq: number, subjectId: string, minute: number, note: string | null = null, decidedBy = TEAM): DecisionEntry => ({
  specId: 's',
  seq,
  subjectId,
  state: 'accepted',
  note,
  decidedBy,
  role: 'team',
  decidedAt: at(minute),
  supersedes: null,
  prevHash: '0',
  hash: '0'
})

const comment = (id: string, authorId: string, minute: number, body = `comment ${id}`): CommentFacts => ({
  id,
  authorId,
  role: authorId === TEAM ? 'team' : 'customer',
  body,
  createdAt: at(minute)
})

const thread = (id: string, createdBy: string, contributionId: string | null, comments: CommentFacts[]): ThreadFacts => ({ id, createdBy, contributionId, comments })

const facts = (over: Partial<SpecFacts>): SpecFacts => ({ ownContributions: new Set(['c1-0']), history: [], threads: [], removals: [], ...over })

describe('answers', () => {
  it('[N1] every decision on the reader’s contributions by someone else, with state and note', () => {
    const items = deriveAnswers(CARLA, facts({ history: [decision(1, 'c1-0', 1, 'Yes, in Q3.'), decision(2, 'c9-0', 2), decision(3, 'c1-0', 3)] }))
    expect(items.map((i) => [i.id, i.kind, i.contributionId, i.summary])).toEqual([
      ['decision:1', 'decision', 'c1-0', 'Accepted: Yes, in Q3.'],
      ['decision:3', 'decision', 'c1-0', 'Accepted']
    ])
  })

  it('[N2] comments by others: whole threads on own contributions or started by the reader; after joining otherwise', () => {
    const items = deriveAnswers(
      CARLA,
      facts({
        threads: [
          thread('t-on-idea', TEAM, 'c1-0', [comment('a', TEAM, 1), comment('b', CARLA, 2), comment('c', TEAM, 3)]),
          thread('t-started', CARLA, null, [comment('d', CARLA, 4), comment('e', CEM, 5)]),
          thread('t-joined', TEAM, null, [comment('f', TEAM, 6), comment('g', CARLA, 7), comment('h', CEM, 8)]),
          thread('t-other', TEAM, 'c9-0', [comment('i', TEAM, 9)])
        ]
      })
    )
    expect(items.map((i) => [i.id, i.threadId, i.by.participantId])).toEqual([
      ['comment:a', 't-on-idea', TEAM],
      ['comment:c', 't-on-idea', TEAM],
      ['comment:e', 't-started', CEM],
      ['comment:h', 't-joined', CEM]
    ])
    expect(commentCounts([thread('x', TEAM, 'c1-0', [comment('a', TEAM, 1), comment('b', CARLA, 2)]), thread('y', TEAM, null, [comment('c', TEAM, 3)])])).toEqual(new Map([['c1-0', 2]]))
  })

  it('[N3] removals by others and restores by others, of the reader’s words only', () => {
    const removal = { id: 'r1', contributionId: 'c1-0', text: 'Offline\nmode', authorId: CARLA, removedBy: TEAM, removedByRole: 'team' as const, removedAt: at(1), restoredBy: TEAM, restoredByRole: 'team' as const, restoredAt: at(2) }
    const items = deriveAnswers(CARLA, facts({ removals: [removal, { ...removal, id: 'r2', removedBy: CARLA, restoredBy: null, restoredByRole: null, restoredAt: null }, { ...removal, id: 'r3', authorId: CEM }] }))
    expect(items.map((i) => [i.id, i.summary])).toEqual([
      ['removal:r1', 'Removed: “Offline mode”'],
      ['restore:r1', 'Restored: “Offline mode”']
    ])
  })

  it('[N4] oldest first, unread after the seen mark; [N5] nothing of the reader’s own', () => {
    const items = deriveAnswers(
      CARLA,
      facts({
        history: [decision(1, 'c1-0', 5), decision(2, 'c1-0', 6, null, CARLA)],
        threads: [thread('t', CARLA, 'c1-0', [comment('a', CARLA, 1), comment('b', TEAM, 3)])]
      })
    )
    expect(items.map((i) => i.id)).toEqual(['comment:b', 'decision:1'])
    const person = (participantId: string, role: 'team' | 'customer' | 'facilitator' | 'viewer') => ({ participantId, displayName: participantId.toUpperCase(), role })
    expect(withUnread(items, at(4), person).map((i) => [i.id, i.unread, i.by.displayName])).toEqual([
      ['comment:b', false, 'TESS'],
      ['decision:1', true, 'TESS']
    ])
    expect(withUnread(items, null, person).every((i) => i.unread)).toBe(true)
  })

  it('summaries are one line of at most 200 characters', () => {
    expect(oneLine('a\n\n b\tc')).toBe('a b c')
    const long = oneLine('x'.repeat(500))
    expect([long.length, long.endsWith('…')]).toEqual([200, true])
  })
})
