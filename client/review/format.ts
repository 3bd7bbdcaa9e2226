/**
 * Words the review views show: decision states, removal statuses, times ("5 minutes ago") and
 * the customer share of a contribution. Pure functions, no DOM.
 */
import { DECISION_STATES, type DecisionState } from '../../shared/api-review.js'
import type { RemovalStatus } from '../../shared/api-removals.js'

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

const relative = new Intl.RelativeTimeFormat('en', { numeric: 'auto' })
const absolute = new Intl.DateTimeFormat('en', { dateStyle: 'medium', timeStyle: 'short' })

/** "just now", "5 minutes ago", "yesterday", … for an ISO date. */
export const ago = (iso: string, now = Date.now()): string => {
  const then = Date.parse(iso)
  if (Number.isNaN(then)) return 'at an unknown time'
  let value = Math.round((then - now) / 1000)
  const steps: [Intl.RelativeTimeFormatUnit, number][] = [
    ['second', 60],
    ['minute', 60],
    ['hour', 24],
    ['day', 30],
    ['month', 12],
    ['year', Infinity]
  ]
  for (const [unit, size] of steps) {
    if (Math.abs(value) < size) return unit === 'second' ? 'just now' : relative.format(value, unit)
    value = Math.round(value / size)
  }
  return absolute.format(then)
}

/** The full date and time of an ISO date (for `title` tooltips). */
export const fullDate = (iso: string): string => {
  const then = Date.parse(iso)
  return Number.isNaN(then) ? '' : absolute.format(then)
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
