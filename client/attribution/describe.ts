/**
 * Words for attribution: badge labels, accessible names and popover lines. Kept apart from the
 * DOM so the marker, the popover and the legend say exactly the same thing.
 */
import type {
  AttributionLabel,
  BlockAttribution,
  Contribution,
  Mover,
  RoleGroup,
  SpecAttribution
} from '../../shared/attribution.js'
import type { Role } from '../../shared/permissions.js'
import { ago } from '../ui/relative-time.js'

/** What is known about a participant named in an attribution. */
export interface Person {
  readonly participantId: string
  readonly displayName: string
  readonly role: Role | null
  readonly group: RoleGroup | null
}

/** participantId → person, from every block's contributors. */
export type People = ReadonlyMap<string, Person>

/** Everyone named as a contributor anywhere in `attribution`, most characters first. */
export const peopleOf = (attribution: SpecAttribution): People => {
  const chars = new Map<string, number>()
  const people = new Map<string, Person>()
  for (const block of attribution.blocks) {
    for (const c of block.contributors) {
      if (!people.has(c.participantId)) {
        people.set(c.participantId, {
          participantId: c.participantId,
          displayName: c.displayName,
          role: c.role,
          group: c.group
        })
      }
      chars.set(c.participantId, (chars.get(c.participantId) ?? 0) + c.chars)
    }
  }
  return new Map([...people].sort((a, b) => (chars.get(b[0]) ?? 0) - (chars.get(a[0]) ?? 0)))
}

/** Human name of a role ("Customer", "Team", "Facilitator"). */
export const roleName = (role: Role | null): string => {
  switch (role) {
    case 'facilitator':
      return 'Facilitator'
    case 'team':
      return 'Team'
    case 'customer':
      return 'Customer'
    case 'viewer':
      return 'Viewer'
    default:
      return 'Unknown role'
  }
}

/** A share 0..1 as a whole percentage; a mixed block never rounds to 0% or 100%. */
export const percent = (share: number, label?: AttributionLabel): number => {
  const p = Math.round(Math.min(1, Math.max(0, share)) * 100)
  return label === 'mixed' ? Math.min(99, Math.max(1, p)) : p
}

/** The badge text: "Customer", "Team", "Mixed · 60% customer" or "Unknown". */
export const badgeText = (block: Pick<BlockAttribution, 'label' | 'customerShare'>): string => {
  switch (block.label) {
    case 'customer':
      return 'Customer'
    case 'team':
      return 'Team'
    case 'mixed':
      return `Mixed · ${percent(block.customerShare, 'mixed')}% customer`
    default:
      return 'Unknown'
  }
}

/** Heading of the popover and start of the accessible name. */
export const summaryText = (block: Pick<BlockAttribution, 'label' | 'customerShare'>): string => {
  const share = `${percent(block.customerShare, block.label)}% customer`
  switch (block.label) {
    case 'customer':
      return `Customer idea: ${share}`
    case 'team':
      return `Team idea: ${share}`
    case 'mixed':
      return `Mixed, ${share}`
    default:
      return 'Author unknown (written before attribution)'
  }
}

/** "Alice (Customer) 60%". */
export const contributorText = (c: Contribution): string =>
  `${c.displayName} (${roleName(c.role)}) ${percent(c.share)}%`

/** Name of whoever first wrote the block, with role when known. */
export const firstAuthorText = (block: BlockAttribution, people: People): string | null => {
  if (block.firstAuthorId === null) return null
  const person = people.get(block.firstAuthorId)
  return person ? person.displayName : 'someone no longer in the directory'
}

/** "Dana (Team)", and ", 2 hours ago" when the server knows when they last moved words here. */
const moverText = (m: Mover, now: number | undefined): string =>
  `${m.displayName}${m.role === null ? '' : ` (${roleName(m.role)})`}${now === undefined || m.lastMovedAt === null ? '' : `, ${ago(m.lastMovedAt, now)}`}`

/** "A", "A and B", "A; B; and C" (items may hold commas, so longer lists take semicolons). */
const listText = (items: readonly string[]): string => {
  if (items.length <= 1) return items.join('')
  if (items.length === 2) return `${items[0]}${items[0]!.includes(',') ? ',' : ''} and ${items[1]}`
  return `${items.slice(0, -1).join('; ')}; and ${items[items.length - 1]}`
}

/**
 * Who moved (split, joined, restyled, dragged, pasted, restored) someone else's words in this
 * block, e.g. "Moved or restructured by Dana (Team), 2 hours ago; the words stay their authors’."
 * Times are relative to `now`; without `now` (the accessible name, which would go stale) none
 * is given. Null when nobody moved others' words here.
 */
export const movedText = (block: BlockAttribution, now?: number): string | null => {
  if (block.movers.length === 0) return null
  // A list of three or more is already cut by semicolons: the last clause gets a sentence.
  const tail = block.movers.length > 2 ? '. The words stay their authors’.' : '; the words stay their authors’.'
  return `Moved or restructured by ${listText(block.movers.map((m) => moverText(m, now)))}${tail}`
}

/** How many contributors the accessible name lists before "and n more". */
const NAMED_IN_LABEL = 4

/**
 * The marker's accessible name, e.g. "Customer idea: 100% customer. Contributors: Alice
 * (Customer) 100%. First written by Alice."
 */
export const markerLabel = (block: BlockAttribution, people: People): string => {
  const parts = [`${summaryText(block)}.`]
  if (block.contributors.length > 0) {
    const named = block.contributors.slice(0, NAMED_IN_LABEL).map(contributorText)
    const more = block.contributors.length - named.length
    parts.push(`Contributors: ${named.join(', ')}${more > 0 ? ` and ${more} more` : ''}.`)
  }
  const first = firstAuthorText(block, people)
  if (first !== null) parts.push(`First written by ${first}.`)
  const moved = movedText(block)
  if (moved !== null) parts.push(moved)
  return parts.join(' ')
}
