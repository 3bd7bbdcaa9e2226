/**
 * The facilitator's workspace API: members, panels (with their specs, members and invite
 * links) and API tokens. Every call needs the matching `*:manage` permission.
 */
import type {
  Invite,
  Member,
  Panel,
  PanelMember,
  ParticipantMerge,
  PendingMemberInvite,
  TokenMeta as ApiToken
} from '../../shared/api-identity.js'
import type { Role } from '../../shared/permissions.js'
import { field, isRecord, list, request, seg } from './http.js'

export type { ApiToken, Invite, Member, Panel, PanelMember, ParticipantMerge, PendingMemberInvite }

/** Roles a team member can be invited with or changed to. */
export type TeamRole = 'team' | 'facilitator'

/** Team accounts and the sign-up links not used yet. */
export const listMembers = async (): Promise<{ members: Member[]; invites: PendingMemberInvite[] }> => {
  const body = await request('GET', '/api/members')
  const invites = isRecord(body) && Array.isArray(body.invites) ? (body.invites as PendingMemberInvite[]) : []
  return { members: list<Member>(body, 'members'), invites }
}

/** Withdraws a sign-up link that was not used yet. */
export const withdrawMemberInvite = async (inviteId: string): Promise<void> => {
  await request('DELETE', `/api/members/invites/${seg(inviteId)}`)
}

/** Invites a team member; returns the sign-up link to hand over. */
export const inviteMember = async (
  email: string,
  displayName: string,
  role: TeamRole
): Promise<{ url: string; token: string }> =>
  (await request('POST', '/api/members/invites', { email, displayName, role })) as { url: string; token: string }

/** Creates a one-time link for `participantId` to choose a new password; returns it to hand over. */
export const resetMemberPassword = async (participantId: string): Promise<{ url: string; token: string }> =>
  (await request('POST', `/api/members/${seg(participantId)}/password-reset`, {})) as { url: string; token: string }

/** Lets a deactivated member sign in again. */
export const reactivateMember = async (participantId: string): Promise<void> => {
  await request('PATCH', `/api/members/${seg(participantId)}`, { active: true })
}

export const changeMemberRole = async (participantId: string, role: TeamRole): Promise<void> => {
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

/** The panel's recorded merges, oldest first. */
export const listMerges = async (panelId: string): Promise<ParticipantMerge[]> =>
  list<ParticipantMerge>(await request('GET', `/api/panels/${seg(panelId)}/merges`), 'merges')

/** Merges participant `from` into `into` (both members of the panel); answers the record. */
export const mergeParticipants = async (panelId: string, from: string, into: string): Promise<ParticipantMerge> =>
  field<ParticipantMerge>(await request('POST', `/api/panels/${seg(panelId)}/merges`, { from, into }), 'merge')

/** Options of a new invite link (the server's default expiry is 7 days). */
export interface InviteOptions {
  role: 'customer' | 'viewer'
  expiresInHours?: number
  maxUses?: number
  /** Shown to facilitators beside the link ("Berlin workshop, Tuesday"). */
  label?: string
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
