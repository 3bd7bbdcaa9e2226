/**
 * Times as people read them: "just now", "5 minutes ago", "yesterday", "last month", and the
 * full date and time for `title` tooltips. One formatter for every page (the spec list, review,
 * threads, the attribution popover), so the same moment reads the same everywhere.
 */

const relative = new Intl.RelativeTimeFormat('en', { numeric: 'auto' })
const absolute = new Intl.DateTimeFormat('en', { dateStyle: 'medium', timeStyle: 'short' })

/** Each unit and how many of it make the next one. */
const STEPS: ReadonlyArray<[Intl.RelativeTimeFormatUnit, number]> = [
  ['second', 60],
  ['minute', 60],
  ['hour', 24],
  ['day', 30],
  ['month', 12],
  ['year', Infinity]
]

/** "just now", "5 minutes ago", "yesterday", … for an ISO date ('' if it is not one). */
export const ago = (iso: string, now = Date.now()): string => {
  const then = Date.parse(iso)
  if (Number.isNaN(then)) return ''
  let value = Math.round((then - now) / 1000)
  for (const [unit, size] of STEPS) {
    if (Math.abs(value) < size) return unit === 'second' ? 'just now' : relative.format(value, unit)
    value = Math.round(value / size)
  }
  return absolute.format(then)
}

/** The full date and time of an ISO date, for `title` tooltips ('' if it is not one). */
export const fullDate = (iso: string): string => {
  const then = Date.parse(iso)
  return Number.isNaN(then) ? '' : absolute.format(then)
}
