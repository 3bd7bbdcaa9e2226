/**
 * In-memory {@link IdentityStore}: for tests and `STORAGE=memory`. Nothing survives the process.
 * Every method runs synchronously inside its promise, so each one is atomic ([I8], [I9]);
 * transactions ([I13]-[I15]) are server/identity/transactions.ts over a copy taken at begin.
 */
import type { Role } from '../../shared/permissions.js'
import {
  checkNewMerge,
  IdentityStoreError,
  type AccountRecord,
  type AccountRole,
  type ConsumeResult,
  type InviteRecord,
  type MemberLinkPurpose,
  type NewInvite,
  type MemberInviteRecord,
  type MembershipRecord,
  type MergeRecord,
  type NewMerge,
  type PanelRecord,
  type PanelRole,
  type ParticipantRecord,
  type SessionRecord,
  type TokenRecord
} from './identity-store.js'
import { newIdentityId } from './ids.js'
import { TransactionalIdentityStore, type IdentityBackend } from './transactions.js'

const now = (): string => new Date().toISOString()
const copy = <T extends object>(v: T): T => ({ ...v })

/** Everything the memory store holds; records are plain objects (structuredClone copies them). */
interface Data {
  participants: Map<string, ParticipantRecord>
  accounts: Map<string, AccountRecord>
  sessions: Map<string, SessionRecord>
  panels: Map<string, PanelRecord>
  panelSpecs: Map<string, Set<string>>
  memberships: Map<string, MembershipRecord>
  invites: Map<string, InviteRecord>
  memberInvites: Map<string, MemberInviteRecord>
  tokens: Map<string, TokenRecord>
  secrets: Map<string, string>
  /** Return-link token hash by participant id ([I16]). */
  returnLinks: Map<string, string>
  /** Merge records by the id of the participant merged away ([I17]). */
  merges: Map<string, MergeRecord>
}

/** Identity records kept in Maps: an {@link IdentityStore} with transactions. */
export class MemoryIdentityStore extends TransactionalIdentityStore {
  constructor() {
    super(new MemoryIdentityRecords())
  }
}

/** The Maps and the methods over them, without the transaction boundary. */
class MemoryIdentityRecords implements IdentityBackend {
  private d: Data = {
    participants: new Map(),
    accounts: new Map(),
    sessions: new Map(),
    panels: new Map(),
    panelSpecs: new Map(),
    memberships: new Map(),
    invites: new Map(),
    memberInvites: new Map(),
    tokens: new Map(),
    secrets: new Map(),
    returnLinks: new Map(),
    merges: new Map()
  }
  private saved: Data | null = null

  // Why a whole copy at begin rather than an undo log: records are mutated in place all over
  // this file, and a copy cannot forget one. The memory store serves tests and throwaway dev
  // servers, where copying a few hundred records per transaction costs microseconds.
  begin(): void {
    this.saved = structuredClone(this.d)
  }

  commit(): void {
    this.saved = null
  }

  rollback(): void {
    if (this.saved) this.d = this.saved
    this.saved = null
  }

  async getParticipant(id: string): Promise<ParticipantRecord | null> {
    const account = this.d.accounts.get(id)
    if (account) return copy(account)
    const p = this.d.participants.get(id)
    return p ? copy(p) : null
  }

  async createInvitee(input: { displayName: string; email: string | null }): Promise<ParticipantRecord> {
    const p: ParticipantRecord = { id: newIdentityId(), kind: 'invitee', ...input, createdAt: now() }
    this.d.participants.set(p.id, p)
    return copy(p)
  }

  async updateParticipant(id: string, patch: { displayName?: string; email?: string | null }): Promise<ParticipantRecord | null> {
    const p = this.d.participants.get(id)
    if (!p) return null
    if (patch.displayName !== undefined) p.displayName = patch.displayName
    if (patch.email !== undefined) p.email = patch.email
    return copy(p)
  }

  async createAccount(input: { email: string; displayName: string; role: AccountRole; passwordHash: string }): Promise<AccountRecord> {
    const email = input.email.toLowerCase()
    if ([...this.d.accounts.values()].some((a) => a.email === email)) {
      throw new IdentityStoreError('email_taken', 'an account with this email exists')
    }
    const a: AccountRecord = { ...input, email, id: newIdentityId(), kind: 'account', createdAt: now(), deactivatedAt: null }
    this.d.accounts.set(a.id, a)
    return copy(a)
  }

  async getAccount(participantId: string): Promise<AccountRecord | null> {
    const a = this.d.accounts.get(participantId)
    return a ? copy(a) : null
  }

  async getAccountByEmail(email: string): Promise<AccountRecord | null> {
    const lower = email.toLowerCase()
    const a = [...this.d.accounts.values()].find((x) => x.email === lower)
    return a ? copy(a) : null
  }

  async listAccounts(): Promise<AccountRecord[]> {
    return [...this.d.accounts.values()].map(copy).sort((a, b) => a.createdAt.localeCompare(b.createdAt))
  }

  async countAccounts(): Promise<number> {
    return this.d.accounts.size
  }

  async updateAccount(
    participantId: string,
    patch: { role?: AccountRole; passwordHash?: string; deactivatedAt?: string | null; displayName?: string }
  ): Promise<AccountRecord | null> {
    const a = this.d.accounts.get(participantId)
    if (!a) return null
    for (const [k, v] of Object.entries(patch)) if (v !== undefined) Object.assign(a, { [k]: v })
    return copy(a)
  }

  async createSession(session: SessionRecord): Promise<void> {
    this.d.sessions.set(session.idHash, copy(session))
  }

  async getSession(idHash: string, at: Date): Promise<SessionRecord | null> {
    const s = this.d.sessions.get(idHash)
    return s && s.expiresAt > at.toISOString() ? copy(s) : null
  }

  async extendSession(idHash: string, expiresAt: string): Promise<void> {
    const s = this.d.sessions.get(idHash)
    if (s) s.expiresAt = expiresAt
  }

  async deleteSession(idHash: string): Promise<SessionRecord | null> {
    const s = this.d.sessions.get(idHash)
    this.d.sessions.delete(idHash)
    return s ? copy(s) : null
  }

  async deleteSessionsOf(participantId: string): Promise<number> {
    let n = 0
    for (const [k, s] of this.d.sessions) if (s.participantId === participantId && this.d.sessions.delete(k)) n++
    return n
  }

  async deleteExpiredSessions(at: Date): Promise<number> {
    const iso = at.toISOString()
    let n = 0
    for (const [k, s] of this.d.sessions) if (s.expiresAt <= iso && this.d.sessions.delete(k)) n++
    return n
  }

  async hasLiveSession(participantId: string, at: Date): Promise<boolean> {
    const iso = at.toISOString()
    return [...this.d.sessions.values()].some((s) => s.participantId === participantId && s.expiresAt > iso)
  }

  async createPanel(input: { name: string; description: string }): Promise<PanelRecord> {
    const p: PanelRecord = { id: newIdentityId(), ...input, createdAt: now() }
    this.d.panels.set(p.id, p)
    this.d.panelSpecs.set(p.id, new Set())
    return copy(p)
  }

  async getPanel(id: string): Promise<PanelRecord | null> {
    const p = this.d.panels.get(id)
    return p ? copy(p) : null
  }

  async listPanels(): Promise<PanelRecord[]> {
    return [...this.d.panels.values()].map(copy).sort((a, b) => a.createdAt.localeCompare(b.createdAt))
  }

  async updatePanel(id: string, patch: { name?: string; description?: string }): Promise<PanelRecord | null> {
    const p = this.d.panels.get(id)
    if (!p) return null
    if (patch.name !== undefined) p.name = patch.name
    if (patch.description !== undefined) p.description = patch.description
    return copy(p)
  }

  async deletePanel(id: string): Promise<boolean> {
    if (!this.d.panels.delete(id)) return false
    this.d.panelSpecs.delete(id)
    for (const [k, m] of this.d.memberships) if (m.panelId === id) this.d.memberships.delete(k)
    for (const [k, i] of this.d.invites) if (i.panelId === id) this.d.invites.delete(k)
    return true
  }

  async setPanelSpec(panelId: string, specId: string, invited: boolean): Promise<boolean> {
    const specs = this.d.panelSpecs.get(panelId)
    if (!specs) throw new IdentityStoreError('not_found', 'panel not found')
    if (specs.has(specId) === invited) return false
    if (invited) specs.add(specId)
    else specs.delete(specId)
    return true
  }

  async specIdsOfPanel(panelId: string): Promise<string[]> {
    return [...(this.d.panelSpecs.get(panelId) ?? [])]
  }

  async addMembership(panelId: string, participantId: string, role: PanelRole): Promise<'added' | 'exists' | 'removed'> {
    if (!this.d.panels.has(panelId)) throw new IdentityStoreError('not_found', 'panel not found')
    const key = `${panelId}/${participantId}`
    const existing = this.d.memberships.get(key)
    if (existing) return existing.removedAt ? 'removed' : 'exists'
    this.d.memberships.set(key, { panelId, participantId, role, joinedAt: now(), removedAt: null })
    return 'added'
  }

  async removeMembership(panelId: string, participantId: string): Promise<boolean> {
    const m = this.d.memberships.get(`${panelId}/${participantId}`)
    if (!m || m.removedAt) return false
    m.removedAt = now()
    return true
  }

  async getMembership(panelId: string, participantId: string): Promise<MembershipRecord | null> {
    const m = this.d.memberships.get(`${panelId}/${participantId}`)
    return m ? copy(m) : null
  }

  async listMembers(panelId: string): Promise<MembershipRecord[]> {
    return [...this.d.memberships.values()].filter((m) => m.panelId === panelId && !m.removedAt).map(copy)
  }

  async membershipsOf(participantId: string): Promise<MembershipRecord[]> {
    return [...this.d.memberships.values()].filter((m) => m.participantId === participantId && !m.removedAt).map(copy)
  }

  async createInvite(input: NewInvite): Promise<InviteRecord> {
    if (!this.d.panels.has(input.panelId)) throw new IdentityStoreError('not_found', 'panel not found')
    const i: InviteRecord = { ...input, label: input.label ?? null, id: newIdentityId(), uses: 0, revokedAt: null, createdAt: now() }
    this.d.invites.set(i.id, i)
    return copy(i)
  }

  async getInvite(id: string): Promise<InviteRecord | null> {
    const i = this.d.invites.get(id)
    return i ? copy(i) : null
  }

  async getInviteByHash(tokenHash: string): Promise<InviteRecord | null> {
    const i = [...this.d.invites.values()].find((x) => x.tokenHash === tokenHash)
    return i ? copy(i) : null
  }

  async listInvites(panelId: string): Promise<InviteRecord[]> {
    return [...this.d.invites.values()].filter((i) => i.panelId === panelId).map(copy)
  }

  async revokeInvite(id: string, at: string): Promise<InviteRecord | null> {
    const i = this.d.invites.get(id)
    if (!i) return null
    i.revokedAt ??= at
    return copy(i)
  }

  async consumeInvite(id: string, at: Date): Promise<ConsumeResult> {
    const i = this.d.invites.get(id)
    if (!i) return 'not_found'
    if (i.revokedAt) return 'revoked'
    if (i.expiresAt <= at.toISOString()) return 'expired'
    if (i.maxUses !== null && i.uses >= i.maxUses) return 'used_up'
    i.uses++
    return 'ok'
  }

  async createMemberInvite(input: Omit<MemberInviteRecord, 'id' | 'usedAt' | 'createdAt' | 'purpose'> & { purpose?: MemberLinkPurpose }): Promise<MemberInviteRecord> {
    const i: MemberInviteRecord = { ...input, purpose: input.purpose ?? 'signup', email: input.email.toLowerCase(), id: newIdentityId(), usedAt: null, createdAt: now() }
    this.d.memberInvites.set(i.id, i)
    return copy(i)
  }

  async getMemberInviteByHash(tokenHash: string): Promise<MemberInviteRecord | null> {
    const i = [...this.d.memberInvites.values()].find((x) => x.tokenHash === tokenHash)
    return i ? copy(i) : null
  }

  async listMemberInvites(): Promise<MemberInviteRecord[]> {
    return [...this.d.memberInvites.values()].map(copy)
  }

  async deleteMemberInvite(id: string): Promise<boolean> {
    return this.d.memberInvites.delete(id)
  }

  async useMemberInvite(id: string, at: Date): Promise<boolean> {
    const i = this.d.memberInvites.get(id)
    if (!i || i.usedAt || i.expiresAt <= at.toISOString()) return false
    i.usedAt = at.toISOString()
    return true
  }

  async createToken(input: { name: string; role: Role; tokenHash: string; createdBy: string | null }): Promise<TokenRecord> {
    const t: TokenRecord = { ...input, id: newIdentityId(), createdAt: now(), lastUsedAt: null, revokedAt: null }
    this.d.tokens.set(t.id, t)
    this.d.participants.set(t.id, { id: t.id, kind: 'token', displayName: t.name, email: null, createdAt: t.createdAt })
    return copy(t)
  }

  async getToken(id: string): Promise<TokenRecord | null> {
    const t = this.d.tokens.get(id)
    return t ? copy(t) : null
  }

  async getTokenByHash(tokenHash: string): Promise<TokenRecord | null> {
    const t = [...this.d.tokens.values()].find((x) => x.tokenHash === tokenHash && !x.revokedAt)
    return t ? copy(t) : null
  }

  async listTokens(): Promise<TokenRecord[]> {
    return [...this.d.tokens.values()].map(copy)
  }

  async revokeToken(id: string, at: string): Promise<TokenRecord | null> {
    const t = this.d.tokens.get(id)
    if (!t) return null
    t.revokedAt ??= at
    return copy(t)
  }

  async touchToken(id: string, at: string): Promise<void> {
    const t = this.d.tokens.get(id)
    if (t) t.lastUsedAt = at
  }

  async setReturnLink(participantId: string, tokenHash: string): Promise<void> {
    this.d.returnLinks.set(participantId, tokenHash)
  }

  async participantOfReturnLink(tokenHash: string): Promise<string | null> {
    for (const [participantId, hash] of this.d.returnLinks) if (hash === tokenHash) return participantId
    return null
  }

  async deleteReturnLink(participantId: string): Promise<boolean> {
    return this.d.returnLinks.delete(participantId)
  }

  async recordMerge(input: NewMerge): Promise<MergeRecord> {
    checkNewMerge(input, (id) => this.d.merges.has(id))
    const m: MergeRecord = { id: newIdentityId(), ...input }
    this.d.merges.set(m.fromId, m)
    return copy(m)
  }

  async mergeOf(participantId: string): Promise<MergeRecord | null> {
    const m = this.d.merges.get(participantId)
    return m ? copy(m) : null
  }

  async listMerges(): Promise<MergeRecord[]> {
    return [...this.d.merges.values()].map(copy).sort((a, b) => a.at.localeCompare(b.at) || a.id.localeCompare(b.id))
  }

  async secret(name: string, make: () => string): Promise<string> {
    let s = this.d.secrets.get(name)
    if (s === undefined) this.d.secrets.set(name, (s = make()))
    return s
  }
}
