/**
 * Who a participant is now, and what they may do with each spec. Every decision reads the
 * store afresh, so a removal, deactivation or revocation takes effect on the next request.
 * The matrix itself lives in shared/permissions.ts; this module only supplies the inputs
 * (role, and whether one of the participant's panels is invited to the spec).
 */
import type { Principal } from '../../shared/identity.js'
import { seesAllSpecs, specAccess, type Role, type SpecAccess } from '../../shared/permissions.js'
import type { IdentityStore, MembershipRecord, PanelRole } from '../identity/identity-store.js'

/** Strongest first: a customer membership outranks a viewer one. */
const PANEL_ROLE_RANK: Record<PanelRole, number> = { customer: 2, viewer: 1 }

const strongest = (roles: PanelRole[]): PanelRole | null =>
  roles.reduce<PanelRole | null>((best, r) => (best === null || PANEL_ROLE_RANK[r] > PANEL_ROLE_RANK[best] ? r : best), null)

/** Access decisions over an {@link IdentityStore}. */
export class AccessControl {
  constructor(private readonly store: IdentityStore) {}

  /**
   * The current principal behind `participantId`, or null if it cannot act any more (unknown,
   * deactivated account, revoked token, invitee merged into someone else: they act only as the
   * survivor, server/identity/merge-participants.ts). An invitee's role is their strongest panel role
   * ('viewer' when they belong to no panel any more, which grants no spec).
   */
  async principalOf(participantId: string): Promise<Principal | null> {
    const participant = await this.store.getParticipant(participantId)
    if (!participant) return null
    const base = { participantId, displayName: participant.displayName, email: participant.email }
    if (participant.kind === 'account') {
      const account = await this.store.getAccount(participantId)
      if (!account || account.deactivatedAt) return null
      return { ...base, kind: 'account', role: account.role }
    }
    if (participant.kind === 'token') {
      const token = await this.store.getToken(participantId)
      if (!token || token.revokedAt) return null
      return { ...base, kind: 'token', role: token.role }
    }
    if (await this.store.mergeOf(participantId)) return null
    const memberships = await this.store.membershipsOf(participantId)
    return { ...base, kind: 'invitee', role: strongest(memberships.map((m) => m.role)) ?? 'viewer' }
  }

  /**
   * The role `principal` holds on `specId`: their own role for team roles; for everyone else
   * the strongest role among their panels invited to the spec, or null if none is.
   */
  async roleOnSpec(principal: Principal, specId: string): Promise<Role | null> {
    if (seesAllSpecs(principal.role)) return principal.role
    const roles: PanelRole[] = []
    for (const m of await this.memberships(principal)) {
      if ((await this.store.specIdsOfPanel(m.panelId)).includes(specId)) roles.push(m.role)
    }
    return strongest(roles)
  }

  /** What `principal` may do with `specId`'s document (the matrix, scoped by panels). */
  async accessTo(principal: Principal, specId: string): Promise<SpecAccess> {
    const role = await this.roleOnSpec(principal, specId)
    return role === null ? 'none' : specAccess(role, true)
  }

  /** Specs `principal` may list: 'all' for team roles, else the ids their panels are invited to. */
  async visibleSpecIds(principal: Principal): Promise<'all' | Set<string>> {
    if (seesAllSpecs(principal.role)) return 'all'
    const ids = new Set<string>()
    for (const m of await this.memberships(principal)) {
      for (const id of await this.store.specIdsOfPanel(m.panelId)) ids.add(id)
    }
    return ids
  }

  /**
   * Current access of a participant to a spec, for live sockets. Accounts and invitees also
   * need a live session: their WebSocket credentials (cookie or ws token) all derive from one,
   * so signing out everywhere ends their sockets too.
   */
  async recheck(participantId: string, specId: string): Promise<SpecAccess | 'signed-out'> {
    const principal = await this.principalOf(participantId)
    if (!principal) return 'none'
    if (principal.kind !== 'token' && !(await this.store.hasLiveSession(participantId, new Date()))) return 'signed-out'
    return this.accessTo(principal, specId)
  }

  private async memberships(principal: Principal): Promise<MembershipRecord[]> {
    const all = await this.store.membershipsOf(principal.participantId)
    // An API token's memberships never grant more than the token's own role.
    if (principal.kind === 'token') return all.filter((m) => m.role === principal.role)
    return all
  }
}
