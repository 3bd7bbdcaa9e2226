/**
 * The ledger's hash chain as pure functions: the canonical encoding pinned by a known answer
 * (computed by an independent implementation: the Python snippet in README "Decisions
 * ledger"), and verifyChain finding the first bad entry whatever was changed.
 */
import { describe, expect, it } from 'vitest'
import { GENESIS_HASH, createDecisionBody, type DecisionEntry } from '../../shared/api-review.js'
import { encodeEntry, hashEntry, sealEntry, verifyChain } from '../../server/review/ledger.js'

const SPEC = 'spec-example-01'
const first = sealEntry({
  specId: SPEC,
  seq: 1,
  subjectId: '123456:7',
  state: 'accepted',
  note: 'Yes — in Q3.\nThanks!',
  decidedBy: 'acct-0001',
  role: 'team',
  decidedAt: '2026-01-02T03:04:05.678Z',
  supersedes: null,
  prevHash: GENESIS_HASH
})
const second = sealEntry({
  ...first,
  seq: 2,
  state: 'planned',
  note: null,
  decidedBy: 'acct-0002',
  role: 'facilitator',
  decidedAt: '2026-01-02T03:05:00.000Z',
  supersedes: 1,
  prevHash: first.hash
})
const third = sealEntry({ ...first, seq: 3, subjectId: '99:0', state: 'declined', note: null, supersedes: null, prevHash: second.hash })
const chain = [first, second, third]

describe('ledger encoding', () => {
  it('is the tnetstring of the documented field list', () => {
    expect(new TextDecoder().decode(encodeEntry(first))).toBe(
      '212:19:valence.decision.v1,15:spec-example-01,1:1#8:123456:7,8:accepted,22:Yes — in Q3.\nThanks!,' +
        `9:acct-0001,4:team,24:2026-01-02T03:04:05.678Z,0:~64:${GENESIS_HASH},]`
    )
  })

  it('hashes to the known answers', () => {
    expect(first.hash).toBe('39bd37fdaa5191f544616be94ff67937542e1ef45c05dfb4a88dca115dc1367b')
    expect(second.hash).toBe('afff4464310b39d09574063fd25f08dcbb6725d99312a4e743be44f748fa26b5')
  })

  it('tells null from an empty string, and lengths keep fields apart', () => {
    expect(hashEntry({ ...first, note: null })).not.toBe(hashEntry({ ...first, note: '' }))
    expect(hashEntry({ ...first, subjectId: '1:2', note: '3' })).not.toBe(hashEntry({ ...first, subjectId: '1', note: ':23' }))
  })
})

describe('verifyChain', () => {
  it('accepts an intact chain and an empty one', () => {
    expect(verifyChain(SPEC, chain)).toEqual({ ok: true, entries: 3, head: third.hash })
    expect(verifyChain(SPEC, [])).toEqual({ ok: true, entries: 0, head: null })
  })

  const fields: Array<[keyof DecisionEntry, unknown]> = [
    ['specId', 'spec-example-02'],
    ['seq', 7],
    ['subjectId', '123456:8'],
    ['state', 'declined'],
    ['state', 'approved'],
    ['note', 'Maybe.'],
    ['decidedBy', 'acct-0003'],
    ['role', 'team'],
    ['role', 'customer'],
    ['decidedAt', '2026-01-02T03:05:00.001Z'],
    ['supersedes', null],
    ['supersedes', 'one'],
    ['prevHash', 'f'.repeat(64)],
    ['hash', 'f'.repeat(64)]
  ]
  it.each(fields)('finds a changed %s (%j) at its index', (field, value) => {
    const tampered = chain.map((e, i) => (i === 1 ? ({ ...e, [field]: value } as DecisionEntry) : e))
    expect(verifyChain(SPEC, tampered)).toEqual({ ok: false, entries: 3, firstBadIndex: 1, head: third.hash })
  })

  it('finds a resealed entry at the next one, a removed or swapped entry where the order breaks', () => {
    const resealed = sealEntry({ ...second, state: 'declined' })
    expect(verifyChain(SPEC, [first, resealed, third])).toMatchObject({ ok: false, firstBadIndex: 2 })
    expect(verifyChain(SPEC, [first, third])).toMatchObject({ ok: false, firstBadIndex: 1 })
    expect(verifyChain(SPEC, [second, first, third])).toMatchObject({ ok: false, firstBadIndex: 0 })
    expect(verifyChain('spec-example-02', chain)).toMatchObject({ ok: false, firstBadIndex: 0 })
  })

  it('finds a supersedes link that skips the subject’s latest decision, even when resealed', () => {
    const fourth = sealEntry({ ...first, seq: 4, state: 'new', supersedes: 1, prevHash: third.hash })
    expect(verifyChain(SPEC, [...chain, fourth])).toMatchObject({ ok: false, firstBadIndex: 3 })
  })
})

describe('createDecisionBody', () => {
  it('trims notes, treats empty or missing notes as none, refuses the rest', () => {
    expect(createDecisionBody.parse({ subjectId: '1:2', state: 'accepted' })).toEqual({ subjectId: '1:2', state: 'accepted', note: null })
    expect(createDecisionBody.parse({ subjectId: '1:2', state: 'accepted', note: '  ' })).toMatchObject({ note: null })
    expect(createDecisionBody.parse({ subjectId: '1:2', state: 'accepted', note: null })).toMatchObject({ note: null })
    expect(createDecisionBody.parse({ subjectId: '1:2', state: 'new', note: ' Later.\n ' })).toMatchObject({ note: 'Later.' })
    for (const bad of [
      { subjectId: '1:2', state: 'maybe' },
      { subjectId: '1 2', state: 'new' },
      { subjectId: '', state: 'new' },
      { subjectId: '1:2', state: 'new', note: 'x'.repeat(2001) },
      { subjectId: '1:2', state: 'new', note: 'bell \u0007' },
      { subjectId: '1:2', state: 'new', extra: true }
    ]) {
      expect(createDecisionBody.safeParse(bad).success, JSON.stringify(bad)).toBe(false)
    }
  })
})
