/**
 * How roles are named and shown: a coloured text badge ("Customer", "Team", …) and plain-words
 * explanations for invite links.
 */
import { ROLES, type Role } from '../../shared/permissions.js'
import { h } from './dom.js'

/** Display names of the roles. */
export const ROLE_LABELS: Record<Role, string> = {
  facilitator: 'Facilitator',
  team: 'Team',
  customer: 'Customer',
  viewer: 'Viewer'
}

/** What each role may do, in plain words. */
export const ROLE_DESCRIPTIONS: Record<Role, string> = {
  facilitator: 'Runs the workspace: specs, panels, invite links, members and API tokens; edits every spec.',
  team: 'A member of the company team: reads and edits every spec.',
  customer: 'Reads and edits the specs this panel is invited to.',
  viewer: 'Reads the specs this panel is invited to and follows along live, without editing.'
}

/** True if `value` is one of the roles. */
export const isRole = (value: unknown): value is Role => typeof value === 'string' && (ROLES as readonly string[]).includes(value)

/** The label of a role, or '' for something that is not one. */
export const roleLabel = (role: unknown): string => (isRole(role) ? ROLE_LABELS[role] : '')

/**
 * A role badge: `<span class="role-badge" data-role="customer">Customer</span>`. With `short`,
 * phones see only the first letter (the full word stays for screen readers).
 */
export const roleBadge = (role: Role, options: { short?: boolean } = {}): HTMLElement => {
  const label = ROLE_LABELS[role]
  const badge = h('span', { className: 'role-badge', dataset: { role } })
  if (!options.short) {
    badge.textContent = label
    return badge
  }
  badge.classList.add('role-badge-short')
  badge.append(
    h('span', { className: 'role-badge-full' }, label),
    h('span', { className: 'role-badge-initial', attrs: { 'aria-hidden': 'true' } }, label.charAt(0))
  )
  return badge
}
