/**
 * The facilitator's workspace API: members, panels (with their specs, members and invite
 * links) and API tokens. Every call needs the matching `*:manage` permission.
 */
import type { Role } from '../../shared/permissions.js'
import { field, list, request, seg } from './http.js'

/** A workspace member (team account or panel participant). */
export interface Member {
  participantId: string
  email: string | null
  displayName: string
  role: Role
  deactivatedAt: string | null
  createdAt: string
}

/** A customer panel. */
export interface Panel {
  id: string
  name: string
  description: string | null
  specIds: string[]
  memberCount: number
  createdAt: string
}

/** A person who joined a panel. */
export interface PanelMember {
  participantId: string
  displayName: string
  email: string | null
  role: Role
  joinedAt: string
}

/** An invite link of a panel (the token itself is only returned when it is created). */
export interface Invite {
  id: string
  role: 'customer' | 'viewer'
  expiresAt: string | null
  maxUses: number | null
  uses: number
  revokedAt: string | null
}

/** An API token (its secret is only returned when it is created). */
export interface ApiToken {
  id: string
  name: string
  role: Role
  createdAt: string
  lastUsedAt: string | null
}

/** Roles a team member can be invited with or changed to. */
export type TeamRole = 'team' | 'facilitator'

export const listMembers = async (): Promise<Member[]> => list<Member>(await request('GET', '/api/members'), 'members')

/** Invites a team member; returns the sign-up link to hand over. */
export const inviteMember = async (
  email: string,
  displayName: string,
  role: TeamRole
): Promise<{ url: string; token: string }> =>
  (await request('POST', '/api/members/invites', { email, displayName, role })) as { url: string; token: string }

export const changeMemberRole = async (participantId: string, role: Role): Promise<void> => {
  await request('PATCH', `/api/members/${seg(participantId)}`, { role })
}

export const deactivateMember = async (participantId: string): Promise<void> => {
  await request('DELETE', `/api/members/${seg(participantId)}`)
}

export const listPanels = async (): Promise<Panel[]> => list<Panel>(await request('GET', '/api/panels'), 'panels')

/** `body.panel` when the server returned it (callers reload the list either way). */
const maybePanel = (body: unknown): Panel | null => {
  try {
    return field<Panel>(body, 'panel')
  } catch {
    return null
  }
}

export const createPanel = async (name: string, description: string): Promise<Panel | null> =>
  maybePanel(await request('POST', '/api/panels', description ? { name, description } : { name }))

export const updatePanel = async (
  id: string,
  changes: { name?: string; description?: string }
): Promise<Panel | null> => maybePanel(await request('PATCH', `/api/panels/${seg(id)}`, changes))

export const deletePanel = async (id: string): Promise<void> => {
  await request('DELETE', `/api/panels/${seg(id)}`)
}

/** Invites a panel to a spec. */
export const addPanelSpec = async (panelId: string, specId: string): Promise<void> => {
  await request('PUT', `/api/panels/${seg(panelId)}/specs/${seg(specId)}`)
}

/** Withdraws a panel's invitation to a spec (its members' live sockets are closed). */
export const removePanelSpec = async (panelId: string, specId: string): Promise<void> => {
  await request('DELETE', `/api/panels/${seg(panelId)}/specs/${seg(specId)}`)
}

export const listPanelMembers = async (panelId: string): Promise<PanelMember[]> =>
  list<PanelMember>(await request('GET', `/api/panels/${seg(panelId)}/members`), 'members')

export const removePanelMember = async (panelId: string, participantId: string): Promise<void> => {
  await request('DELETE', `/api/panels/${seg(panelId)}/members/${seg(participantId)}`)
}

/** Options of a new invite link. */
export interface InviteOptions {
  role: 'customer' | 'viewer'
  expiresInHours?: number
  maxUses?: number
}

export const createInvite = async (
  panelId: string,
  options: InviteOptions
): Promise<{ invite: Invite; url: string; token: string }> =>
  (await request('POST', `/api/panels/${seg(panelId)}/invites`, options)) as {
    invite: Invite
    url: string
    token: string
  }

export const listInvites = async (panelId: string): Promise<Invite[]> =>
  list<Invite>(await request('GET', `/api/panels/${seg(panelId)}/invites`), 'invites')

export const revokeInvite = async (inviteId: string): Promise<void> => {
  await request('DELETE', `/api/invites/${seg(inviteId)}`)
}

export const listTokens = async (): Promise<ApiToken[]> => list<ApiToken>(await request('GET', '/api/tokens'), 'tokens')

export const createToken = async (name: string, role: Role): Promise<{ token: ApiToken; secret: string }> =>
  (await request('POST', '/api/tokens', { name, role })) as { token: ApiToken; secret: string }

export const deleteToken = async (id: string): Promise<void> => {
  await request('DELETE', `/api/tokens/${seg(id)}`)
}
