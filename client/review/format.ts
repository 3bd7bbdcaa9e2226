/**
 * Words and numbers the review views show: decision states, removal statuses, panel names (facilitators can read the panel list; others see a neutral label), the
 * customer share of a contribution and the threads and comments on each. Pure functions, no DOM.
 */
import { DECISION_STATES, type ContributionView, type DecisionState } from '../../shared/api-review.js'
import type { RemovalStatus } from '../../shared/api-removals.js'
import type { ThreadView } from '../../shared/api-threads.js'

/** How each decision state reads ("Accepted", "Under discussion", …). */
export const DECISION_LABELS: Record<DecisionState, string> = {
  new: 'New',
  under_discussion: 'Under discussion',
  accepted: 'Accepted',
  planned: 'Planned',
  declined: 'Declined'
}

/** Every decision state with its label, in review order (for selects). */
export const DECISION_OPTIONS: ReadonlyArray<{ value: DecisionState; label: string }> = DECISION_STATES.map((value) => ({
  value,
  label: DECISION_LABELS[value]
}))

/** How each removal status reads. */
export const REMOVAL_STATUS_LABELS: Record<RemovalStatus, string> = {
  open: 'Removed',
  returned: 'Back in the spec',
  restored: 'Restored',
  closed: 'Closed by a decision'
}


/**
 * A contribution's customer share: its characters as a whole percentage of all the text of
 * the blocks it is in now (as this replica has them). 100% means the customer wrote every word
 * of those blocks; a low share means the team built a lot around the idea. Null when its words
 * are not in the document (all deleted, or not synced yet).
 */
export const customerShare = (chars: number, blockChars: number): number | null =>
  blockChars <= 0 || chars <= 0 ? null : Math.min(100, Math.round((chars / blockChars) * 100))

/** "1 comment", "3 comments". */
export const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`

/** A contribution as the review views read it. */
export type ContributionItem = ContributionView

/** A panel's name, or a neutral label when it is not known to this reader. */
export const panelName = (panelId: string, panels: ReadonlyMap<string, string>, index: number): string =>
  panelId === '' ? 'No panel' : (panels.get(panelId) ?? `Panel ${index + 1}`)

/** Per contribution: its threads and the comments in them. */
export interface Discussion {
  threads: number
  comments: number
}

/** Threads and comments of every contribution that has any. */
export const discussions = (threads: readonly ThreadView[] | null): Map<string, Discussion> => {
  const out = new Map<string, Discussion>()
  for (const t of threads ?? []) {
    if (t.contributionId === null) continue
    const d = out.get(t.contributionId) ?? { threads: 0, comments: 0 }
    d.threads++
    d.comments += t.comments.length
    out.set(t.contributionId, d)
  }
  return out
}

/** How discussed `c` is: the comments in its threads, as the server counts them. */
export const commentCount = (c: ContributionItem): number => c.comments
