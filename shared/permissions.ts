/**
 * The permission matrix: written once, enforced by the server on every HTTP route and every
 * WebSocket message type, and read by the client only to hide what a person may not do.
 */

/** Workspace roles, from most to least powerful. */
export const ROLES = ['facilitator', 'team', 'customer', 'viewer'] as const
export type Role = (typeof ROLES)[number]

/** Roles that belong to the company (their words count as "team" in attribution). */
export const TEAM_ROLES: readonly Role[] = ['facilitator', 'team']

/**
 * Every action that is checked. `spec:*` actions are also scoped: customers and viewers hold
 * them only on specs one of their panels is invited to (see {@link specAccess}).
 */
export const ACTIONS = [
  'spec:list',
  'spec:read',
  'spec:write',
  'spec:create',
  'spec:rename',
  'spec:delete',
  'spec:review',
  'spec:comment',
  'spec:resolve-any',
  'spec:restore',
  'spec:publish-decisions',
  'spec:export',
  'spec:export-settings',
  'panel:manage',
  'invite:manage',
  'member:manage',
  'participant:merge',
  'token:manage'
] as const
export type Action = (typeof ACTIONS)[number]

/** The matrix itself: which roles may perform each action (before spec scoping). */
export const PERMISSIONS: Readonly<Record<Action, readonly Role[]>> = {
  'spec:list': ['facilitator', 'team', 'customer', 'viewer'],
  'spec:read': ['facilitator', 'team', 'customer', 'viewer'],
  'spec:write': ['facilitator', 'team', 'customer'],
  'spec:create': ['facilitator'],
  'spec:rename': ['facilitator'],
  'spec:delete': ['facilitator'],
  // The decisions ledger: reading it, verifying it and recording decisions on contributions.
  'spec:review': ['facilitator', 'team'],
  // Threads: anyone who can read a spec may start one, reply, and resolve or reopen their own.
  'spec:comment': ['facilitator', 'team', 'customer', 'viewer'],
  // Resolving or reopening a thread someone else started (a customer can't close a team thread).
  'spec:resolve-any': ['facilitator', 'team'],
  // Putting removed customer words back where they were, still credited to their author.
  'spec:restore': ['facilitator', 'team'],
  // Letting customers see decisions and notes on other people's contributions in a spec.
  'spec:publish-decisions': ['facilitator'],
  // Exporting a spec's brief. Team members also need the spec's `teamMayExport` switch
  // (checked by server/http/export-settings.ts); facilitators always may.
  'spec:export': ['facilitator', 'team'],
  // Turning that switch on or off.
  'spec:export-settings': ['facilitator'],
  'panel:manage': ['facilitator'],
  'invite:manage': ['facilitator'],
  'member:manage': ['facilitator'],
  // Folding a customer who rejoined as a stranger into their first identity (issue 9).
  'participant:merge': ['facilitator'],
  'token:manage': ['facilitator']
}

/** True if `role` may perform `action` at all. */
export const can = (role: Role, action: Action): boolean => PERMISSIONS[action].includes(role)

/** True for roles that see every spec (no panel scoping). */
export const seesAllSpecs = (role: Role): boolean => TEAM_ROLES.includes(role)

/** What a principal may do with one spec's live document. */
export type SpecAccess = 'none' | 'read' | 'write'

/**
 * Access to one spec: team roles reach every spec; customers and viewers only the specs their
 * panels are invited to (`invited`).
 */
export function specAccess(role: Role, invited: boolean): SpecAccess {
  if (!seesAllSpecs(role) && !invited) return 'none'
  if (can(role, 'spec:write')) return 'write'
  return can(role, 'spec:read') ? 'read' : 'none'
}

/** The access a WebSocket message can need. */
export type MessageAccess = Exclude<SpecAccess, 'none'>

/**
 * WebSocket message kinds and the access each needs. Sync step 1, awareness and
 * query-awareness need read access; sync step 2 and update need write access. The keys are
 * exactly the kinds the server decodes (server/sync/frames.ts checks it at compile time), and the
 * server checks every message against this table before handling it. A message a connection's
 * access does not allow is never applied: it is answered with permission-denied, except that an
 * update that changes nothing (the empty step 2 every provider sends on connecting) is
 * acknowledged like any no-op (docs/PROTOCOL.md, "Read-only connections").
 */
export const MESSAGE_ACCESS = {
  'sync-step1': 'read',
  'sync-step2': 'write',
  'sync-update': 'write',
  awareness: 'read',
  'query-awareness': 'read'
} as const satisfies Record<string, MessageAccess>

/** True if `access` suffices for a message needing `needed`. */
export const allows = (access: SpecAccess, needed: MessageAccess): boolean =>
  access === 'write' || (access === 'read' && needed === 'read')
