/**
 * The spec size estimate: refuses what would outgrow the limit, never refuses a room that only
 * churns (replaces its text over and over), and measures the spec a bounded number of times.
 */
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { SpecSize } from '../../server/sync/spec-size.js'

describe('spec size', () => {
  it('lets a churning room write far more than the limit, and refuses real growth', () => {
    const doc = new Y.Doc()
    let measures = 0
    let now = 0
    const size = new SpecSize({
      maxBytes: 100_000,
      measure: () => {
        measures++
        return Y.encodeStateAsUpdate(doc).length
      },
      now: () => now
    })
    const text = doc.getText('t')
    // 200 replacements of 5 kB: 1 MB written, the state stays about 5 kB.
    for (let i = 0; i < 200; i++) {
      let update: Uint8Array | null = null
      const capture = (u: Uint8Array): void => {
        update = u
      }
      doc.on('update', capture)
      doc.transact(() => {
        text.delete(0, text.length)
        text.insert(0, String(i % 10).repeat(5000))
      })
      doc.off('update', capture)
      expect(size.admits(update!.length), `replacement ${i}`).toBe(true)
      size.add(update!.length)
      now += 10
    }
    // One exact measurement per eighth of the limit written, at most.
    expect(measures).toBeLessThanOrEqual(1 + Math.ceil(1_000_000 / (100_000 / 8)))
    // Growth beyond the limit is refused.
    expect(size.admits(200_000)).toBe(false)
    const before = measures
    // Refusing again right away does not measure again.
    expect(size.admits(200_000)).toBe(false)
    expect(measures).toBe(before)
  })
})
