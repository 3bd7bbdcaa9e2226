/**
 * HTTP API shapes for identity: sign-in, members, panels, invite links and API tokens. Bodies
 * are strict zod objects (unknown fields are refused); responses are plain interfaces.
 */
import { z } from 'zod'
import type { Principal } from './identity.js'
import type { Action, Role } from './permissions.js'

const email = z.email('must be an email address').max(254).transform((e) => e.toLowerCase())
const password = z.string().min(8, 'password must be at least 8 characters').max(256)
const displayName = z.string().trim().min(1, 'display name must not be empty').max(80)
const token = z.string().min(16).max(200)
const name = z.string().trim().min(1, 'name must not be empty').max(100)
const description = z.string().trim().max(2000)
const id = z.string().regex(/^[A-Za-z0-9_-]{8,64}$/, 'not an id')

/** Roles of team accounts and of panel memberships. */
export const accountRole = z.enum(['facilitator', 'team'])
export const panelRole = z.enum(['customer', 'viewer'])

/** `POST /api/auth/login` */
export const loginBody = z.strictObject({ email: z.string().trim().min(1).max(254), password: z.string().min(1).max(256) })
/** `POST /api/auth/setup` */
export const setupBody = z.strictObject({ token, email, password, displayName })
/** `POST /api/auth/signup` */
export const signupBody = z.strictObject({ token, password })
/** `POST /api/auth/return`: sign in through a personal return link. */
export const returnLinkBody = z.strictObject({ token })
/** `POST /api/me/return-link` answers with the new link, shown once (only its hash is kept). */
export interface ReturnLinkResponse {
  url: string
}
/** `POST /api/auth/password` */
export const changePasswordBody = z.strictObject({ currentPassword: z.string().min(1).max(256), newPassword: password })
/** `POST /api/auth/ws-token` */
export const wsTokenBody = z.strictObject({ specId: z.string().min(1).max(64) })

/** `POST /api/members/invites` */
export const memberInviteBody = z.strictObject({ email, displayName, role: accountRole })
/** `PATCH /api/members/:participantId` */
export const updateMemberBody = z
  .strictObject({ role: accountRole.optional(), active: z.boolean().optional() })
  .refine((b) => b.role !== undefined || b.active !== undefined, 'give role or active')

/** `POST /api/panels` */
export const createPanelBody = z.strictObject({ name, description: description.optional() })
/** `PATCH /api/panels/:id` */
export const updatePanelBody = z
  .strictObject({ name: name.optional(), description: description.optional() })
  .refine((b) => b.name !== undefined || b.description !== undefined, 'give name or description')

/** `POST /api/panels/:id/merges`: fold participant `from` into `into` (both members of the panel). */
export const mergeBody = z.strictObject({ from: id, into: id })

/** A participant as a merge record names them (display name as it is now). */
export interface MergePerson {
  participantId: string
  displayName: string
}

/** A recorded merge of two participants of one panel (`POST`/`GET /api/panels/:id/merges`). */
export interface ParticipantMerge {
  id: string
  panelId: string
  /** Merged away: their words, bindings and contributions now count as `into`'s. */
  from: MergePerson
  /** The survivor; keeps their display name. */
  into: MergePerson
  /** The facilitator who merged them. */
  by: MergePerson
  at: string
}

/** `POST /api/panels/:id/invites` */
/** Longest invite link label, in characters. */
export const MAX_INVITE_LABEL = 80

/** A facilitator's name for an invite link: trimmed, no control characters; empty means none. */
const inviteLabel = z
  .string()
  .trim()
  .max(MAX_INVITE_LABEL, `label must be at most ${MAX_INVITE_LABEL} characters`)
  .refine((s) => !/[\u0000-\u001F\u007F]|\p{Cs}/u.test(s), 'label must not contain control characters')
  .nullable()
  .transform((s) => (s ? s : null))

export const createInviteBody = z.strictObject({
  role: panelRole,
  expiresInHours: z.number().positive().max(8760).optional(),
  maxUses: z.number().int().min(1).max(100_000).nullable().optional(),
  /** "Berlin workshop, Tuesday": shown to facilitators beside the link, never to invitees. */
  label: inviteLabel.optional()
})
/**
 * `POST /api/invites/:token/accept`. `identity` is required when the browser already holds an
 * invitee session (else `409 identity_choice_required`): `current` joins as that person (the
 * display name is then optional and only changes it when given), `new` joins as someone new.
 */
export const acceptInviteBody = z
  .strictObject({
    displayName: displayName.optional(),
    email: z.union([email, z.literal('').transform(() => null), z.null()]).optional(),
    identity: z.enum(['current', 'new']).optional()
  })
  .refine((b) => b.identity === 'current' || b.displayName !== undefined, {
    message: 'give displayName',
    path: ['displayName']
  })

/** `POST /api/tokens` */
export const createTokenBody = z.strictObject({
  name,
  role: z.enum(['facilitator', 'team', 'customer', 'viewer']),
  /** Customer and viewer tokens reach only these panels' specs. */
  panelIds: z.array(id).max(100).optional()
})

/** `GET /api/auth/me` (and the body of a successful sign-in). */
export interface MeResponse {
  me: Principal
  /** Send as `X-CSRF-Token` on every state-changing request; null for bearer requests. */
  csrfToken: string | null
  permissions: Action[]
}

/** A team account as `GET /api/members` lists it. */
export interface Member {
  participantId: string
  email: string
  displayName: string
  role: Role
  active: boolean
  createdAt: string
}

/** A pending team sign-up link (the link itself was shown once). */
export interface PendingMemberInvite {
  id: string
  /** `signup` creates the account; `reset` sets a new password for an existing one. */
  purpose: 'signup' | 'reset'
  email: string
  displayName: string
  role: Role
  createdAt: string
  expiresAt: string
  usedAt: string | null
}

/** A panel with its invited specs and member count. */
export interface Panel {
  id: string
  name: string
  description: string
  createdAt: string
  specIds: string[]
  memberCount: number
}

/** A member of a panel (an invitee, or an API token scoped to the panel). */
export interface PanelMember {
  participantId: string
  displayName: string
  email: string | null
  kind: Principal['kind']
  role: Role
  joinedAt: string
}

/** A panel invite link (the token itself was shown once). */
export interface Invite {
  id: string
  panelId: string
  role: Role
  createdAt: string
  expiresAt: string
  maxUses: number | null
  uses: number
  revokedAt: string | null
  status: 'active' | 'expired' | 'revoked' | 'used_up'
  /** The facilitator's label, or null. */
  label: string | null
}

/** `GET /api/invites/:token`: what an invite landing page shows. */
export interface InvitePreview {
  panel: { name: string; description: string }
  specs: Array<{ id: string; title: string }>
  facilitator: { displayName: string }
  role: Role
  /** The caller (same browser) is already a member: the page can just continue. Always sent. */
  alreadyMember?: boolean
  /**
   * The invitee this browser is already signed in as, or null. When set, the page asks whether
   * to continue as them or join as someone new (accept's `identity`). Always sent.
   */
  signedInAs?: { displayName: string } | null
}

/** An API token's metadata (the secret was shown once). */
export interface TokenMeta {
  id: string
  name: string
  role: Role
  createdAt: string
  lastUsedAt: string | null
  revokedAt: string | null
  panelIds: string[]
}
