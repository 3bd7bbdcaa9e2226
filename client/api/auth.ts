/**
 * Sessions: who is signed in (`/api/auth/*`), first-run setup, team sign-up, and the public side
 * of invite links (`/api/invites/:token`).
 */
import type { InvitePreview as SharedInvitePreview } from '../../shared/api-identity.js'
import type { Principal } from '../../shared/identity.js'
import type { Role } from '../../shared/permissions.js'
import { ApiError, badResponse, field, isRecord, list, request, seg, setCsrfToken } from './http.js'
import { rememberReturnLink } from './return-links.js'

/** The signed-in person, as `GET /api/auth/me` describes them. */
export type Me = Principal

/** The answer of `GET /api/auth/me`. */
export interface Session {
  me: Me
  csrfToken: string
  permissions: string[]
}

const meFrom = (body: unknown): Me => field<Me>(body, 'me')

/**
 * The current session, or null when nobody is signed in (401). Remembers the CSRF token for
 * later state-changing requests. Other failures (offline, 5xx) reject with an {@link ApiError}.
 */
export const getSession = async (): Promise<Session | null> => {
  try {
    const body = await request('GET', '/api/auth/me')
    const me = meFrom(body)
    const csrfToken = isRecord(body) && typeof body.csrfToken === 'string' ? body.csrfToken : ''
    const permissions = isRecord(body) && Array.isArray(body.permissions) ? (body.permissions as string[]) : []
    setCsrfToken(csrfToken || null)
    return { me, csrfToken, permissions }
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      setCsrfToken(null)
      return null
    }
    throw error
  }
}

/** Signs in with email and password (401 `invalid_credentials`, 429 `rate_limited`). */
export const login = async (email: string, password: string): Promise<Me> =>
  meFrom(await request('POST', '/api/auth/login', { email, password }))

/** Ends the session on the server. */
export const logout = async (): Promise<void> => {
  await request('POST', '/api/auth/logout')
  setCsrfToken(null)
}

/** Whether the deployment still needs its first facilitator. */
export const setupStatus = async (): Promise<boolean> => {
  const body = await request('GET', '/api/auth/setup-status')
  if (isRecord(body) && typeof body.needsSetup === 'boolean') return body.needsSetup
  throw badResponse()
}

/** Fields of the first-run setup form. */
export interface SetupInput {
  token: string
  email: string
  password: string
  displayName: string
}

/** Creates the first facilitator with the one-time setup token and signs them in. */
export const setup = async (input: SetupInput): Promise<Me> =>
  meFrom(await request('POST', '/api/auth/setup', input))

/** What a team link is for, as `GET /api/auth/signup/:token` says. */
export interface TeamLink {
  email: string
  displayName: string
  role: Role
  /** `signup`: create the account; `reset`: choose a new password for it. */
  purpose: 'signup' | 'reset'
}

/** Reads a team sign-up or password-reset link (404/410 when it is unknown, used or expired). */
export const readTeamLink = async (token: string): Promise<TeamLink> => (await request('GET', `/api/auth/signup/${seg(token)}`)) as TeamLink

/** Sets the password of an invited team member, or the new one of a reset link, and signs them in. */
export const signup = async (token: string, password: string): Promise<Me> =>
  meFrom(await request('POST', '/api/auth/signup', { token, password }))

/** What an invite link offers, as shown on the invite landing page. */
export interface InvitePreview extends Omit<SharedInvitePreview, 'role' | 'alreadyMember' | 'signedInAs'> {
  role: Extract<Role, 'customer' | 'viewer'>
  alreadyMember: boolean
  /** The invitee this browser is signed in as: the page asks whether to continue as them. */
  signedInAs: { displayName: string } | null
}

/** Looks up an invite link (404 `invite_not_found`, 410 `invite_expired|revoked|used_up`). */
export const getInvite = async (token: string): Promise<InvitePreview> => {
  const body = await request('GET', `/api/invites/${seg(token)}`)
  const panel = field<InvitePreview['panel']>(body, 'panel')
  const facilitator = field<InvitePreview['facilitator']>(body, 'facilitator')
  const specs = list<InvitePreview['specs'][number]>(body, 'specs')
  const role = isRecord(body) && body.role === 'viewer' ? 'viewer' : 'customer'
  const alreadyMember = isRecord(body) && body.alreadyMember === true
  const signed = isRecord(body) && isRecord(body.signedInAs) ? body.signedInAs : null
  const signedInAs = signed && typeof signed.displayName === 'string' ? { displayName: signed.displayName } : null
  return { panel, facilitator, specs, role, alreadyMember, signedInAs }
}

/**
 * Who accepting an invite joins as: the invitee this browser is already signed in as
 * (`current`; name and email optional, they only update), or a new person (`new`, with a name).
 * A browser without an invitee session joins as someone new whatever it says.
 */
export type AcceptAs =
  | { identity: 'current'; displayName?: string; email?: string | null }
  | { identity: 'new'; displayName: string; email?: string | null }

/**
 * Joins through an invite link; the server sets a fresh session cookie (and remembers its CSRF
 * token here). 409 `identity_choice_required` when the browser turns out to hold an invitee
 * session after all, 409 `no_current_identity` when it no longer does.
 */
export const acceptInvite = async (token: string, as: AcceptAs): Promise<{ me: Me; redirectTo: string }> => {
  const payload: Record<string, unknown> = { identity: as.identity }
  if (as.displayName !== undefined) payload.displayName = as.displayName
  if (as.email) payload.email = as.email
  const body = await request('POST', `/api/invites/${seg(token)}/accept`, payload)
  const me = meFrom(body)
  if (isRecord(body) && typeof body.csrfToken === 'string') setCsrfToken(body.csrfToken)
  const redirectTo = isRecord(body) && typeof body.redirectTo === 'string' ? body.redirectTo : '/'
  // A new invitee's personal return link, shown once: kept for the header's "Your return link".
  if (isRecord(body) && typeof body.returnUrl === 'string') rememberReturnLink(me.participantId, body.returnUrl)
  return { me, redirectTo }
}
