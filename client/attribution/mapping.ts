/**
 * A position mapping for a transaction that keeps decorations outside what really changed.
 *
 * y-prosemirror applies every remote change as one step replacing the whole document, so
 * mapping decorations through it would drop every marker and highlight on each remote keystroke
 * (until the next attribution message). For such a transaction this computes the mapping of the
 * smallest replacement that turns the old document into the new one (the standard
 * `findDiffStart`/`findDiffEnd` diff; unchanged nodes are shared, so it is quick).
 */
import type { Node } from 'prosemirror-model'
import type { Transaction } from 'prosemirror-state'
import { Mapping, ReplaceStep, StepMap } from 'prosemirror-transform'

/** True if `tr` replaced its whole starting document in one step. */
const replacesWholeDoc = (tr: Transaction): boolean =>
  tr.steps.length === 1 &&
  tr.steps[0] instanceof ReplaceStep &&
  (tr.steps[0] as ReplaceStep).from === 0 &&
  (tr.steps[0] as ReplaceStep).to === tr.before.content.size

/** The mapping of the minimal change from `a` to `b`. */
export const diffMapping = (a: Node, b: Node): Mapping => {
  const start = a.content.findDiffStart(b.content)
  if (start === null) return new Mapping()
  const end = a.content.findDiffEnd(b.content)
  if (end === null) return new Mapping()
  let { a: endA, b: endB } = end
  const overlap = start - Math.min(endA, endB)
  if (overlap > 0) {
    endA += overlap
    endB += overlap
  }
  return new Mapping([new StepMap([start, endA - start, endB - start])])
}

/** The mapping to move decorations through `tr` with. */
export const decorationMapping = (tr: Transaction): Mapping =>
  replacesWholeDoc(tr) ? diffMapping(tr.before, tr.doc) : tr.mapping
