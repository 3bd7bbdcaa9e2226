/**
 * {@link IdentityStore} over better-sqlite3, on its own connection to the database file the
 * specs live in (opened and migrated by `openSqliteIdentityStore` in sqlite-schema.ts).
 * better-sqlite3 is synchronous, so every method is atomic; multi-statement methods run in one
 * SQL transaction, and `transaction` is server/identity/transactions.ts over BEGIN IMMEDIATE /
 * COMMIT / ROLLBACK.
 */
import type Database from 'better-sqlite3'
import type { Role } from '../../shared/permissions.js'
import { newIdentityId } from './ids.js'
import {
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
import {
  ACCOUNT_SELECT,
  definedOnly,
  now,
  str,
  toAccount,
  toInvite,
  toMemberInvite,
  toMembership,
  toPanel,
  toParticipant,
  toSession,
  type Row
} from './sqlite-rows.js'
import { TransactionalIdentityStore, type IdentityBackend } from './transactions.js'
import { insertMerge, selectMergeOf, selectMerges } from './sqlite-merges.js'
import * as tokens from './sqlite-tokens.js'

type DB = Database.Database

/** The identity tables of one SQLite connection (see openSqliteIdentityStore). */
export class SqliteIdentityStore extends TransactionalIdentityStore {
  constructor(private readonly db: DB) {
    super(new SqliteIdentityRecords(db))
  }

  /** Closes the connection. */
  async close(): Promise<void> {
    this.db.close()
  }
}

/** The SQL behind each method, without the transaction boundary. */
class SqliteIdentityRecords implements IdentityBackend {
  constructor(private readonly db: DB) {}

  begin(): void {
    // IMMEDIATE takes the write lock now, so a second process (the admin CLI) cannot slip a
    // write between this transaction's reads and its writes.
    this.db.exec('BEGIN IMMEDIATE')
  }

  commit(): void {
    try {
      this.db.exec('COMMIT')
    } catch (err) {
      if (this.db.inTransaction) this.db.exec('ROLLBACK')
      throw err
    }
  }

  rollback(): void {
    if (this.db.inTransaction) this.db.exec('ROLLBACK')
  }

  private one(sql: string, ...params: unknown[]): Row | undefined {
    return this.db.prepare(sql).get(...params) as Row | undefined
  }

  private all(sql: string, ...params: unknown[]): Row[] {
    return this.db.prepare(sql).all(...params) as Row[]
  }

  private run(sql: string, ...params: unknown[]): number {
    return this.db.prepare(sql).run(...params).changes
  }

  async getParticipant(id: string): Promise<ParticipantRecord | null> {
    const account = this.account(id)
    if (account) return account
    const r = this.one('SELECT * FROM participants WHERE id = ?', id)
    return r ? toParticipant(r) : null
  }

  async createInvitee(input: { displayName: string; email: string | null }): Promise<ParticipantRecord> {
    const p: ParticipantRecord = { id: newIdentityId(), kind: 'invitee', ...input, createdAt: now() }
    this.run('INSERT INTO participants (id, kind, display_name, email, created_at) VALUES (?, ?, ?, ?, ?)', p.id, p.kind, p.displayName, p.email, p.createdAt)
    return p
  }

  async updateParticipant(id: string, patch: { displayName?: string; email?: string | null }): Promise<ParticipantRecord | null> {
    const current = this.one("SELECT * FROM participants WHERE id = ? AND kind != 'account'", id)
    if (!current) return null
    const next = { ...toParticipant(current), ...definedOnly(patch) }
    this.run('UPDATE participants SET display_name = ?, email = ? WHERE id = ?', next.displayName, next.email, id)
    return next
  }

  async createAccount(input: { email: string; displayName: string; role: AccountRole; passwordHash: string }): Promise<AccountRecord> {
    const email = input.email.toLowerCase()
    const id = newIdentityId()
    const createdAt = now()
    try {
      this.db.transaction(() => {
        this.run("INSERT INTO participants (id, kind, display_name, email, created_at) VALUES (?, 'account', ?, ?, ?)", id, input.displayName, email, createdAt)
        this.run('INSERT INTO accounts (participant_id, email, role, password_hash) VALUES (?, ?, ?, ?)', id, email, input.role, input.passwordHash)
      })()
    } catch (err) {
      if ((err as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE') {
        throw new IdentityStoreError('email_taken', 'an account with this email exists')
      }
      throw err
    }
    return { id, kind: 'account', email, displayName: input.displayName, role: input.role, passwordHash: input.passwordHash, createdAt, deactivatedAt: null }
  }

  async getAccount(participantId: string): Promise<AccountRecord | null> {
    return this.account(participantId)
  }

  private account(participantId: string): AccountRecord | null {
    const r = this.one(`${ACCOUNT_SELECT} WHERE a.participant_id = ?`, participantId)
    return r ? toAccount(r) : null
  }

  async getAccountByEmail(email: string): Promise<AccountRecord | null> {
    const r = this.one(`${ACCOUNT_SELECT} WHERE a.email = ?`, email.toLowerCase())
    return r ? toAccount(r) : null
  }

  async listAccounts(): Promise<AccountRecord[]> {
    return this.all(`${ACCOUNT_SELECT} ORDER BY p.created_at, p.id`).map(toAccount)
  }

  async countAccounts(): Promise<number> {
    return Number(this.one('SELECT count(*) AS n FROM accounts')!.n)
  }

  async updateAccount(
    participantId: string,
    patch: { role?: AccountRole; passwordHash?: string; deactivatedAt?: string | null; displayName?: string }
  ): Promise<AccountRecord | null> {
    const current = this.account(participantId)
    if (!current) return null
    const next = { ...current, ...definedOnly(patch) }
    this.db.transaction(() => {
      this.run('UPDATE accounts SET role = ?, password_hash = ?, deactivated_at = ? WHERE participant_id = ?', next.role, next.passwordHash, next.deactivatedAt, participantId)
      this.run('UPDATE participants SET display_name = ? WHERE id = ?', next.displayName, participantId)
    })()
    return next
  }

  async createSession(s: SessionRecord): Promise<void> {
    this.run('INSERT INTO sessions (id_hash, participant_id, csrf_token, created_at, expires_at) VALUES (?, ?, ?, ?, ?)', s.idHash, s.participantId, s.csrfToken, s.createdAt, s.expiresAt)
  }

  async getSession(idHash: string, at: Date): Promise<SessionRecord | null> {
    const r = this.one('SELECT * FROM sessions WHERE id_hash = ? AND expires_at > ?', idHash, at.toISOString())
    return r ? toSession(r) : null
  }

  async extendSession(idHash: string, expiresAt: string): Promise<void> {
    this.run('UPDATE sessions SET expires_at = ? WHERE id_hash = ?', expiresAt, idHash)
  }

  async deleteSession(idHash: string): Promise<SessionRecord | null> {
    const r = this.one('DELETE FROM sessions WHERE id_hash = ? RETURNING *', idHash)
    return r ? toSession(r) : null
  }

  async deleteSessionsOf(participantId: string): Promise<number> {
    return this.run('DELETE FROM sessions WHERE participant_id = ?', participantId)
  }

  async deleteExpiredSessions(at: Date): Promise<number> {
    return this.run('DELETE FROM sessions WHERE expires_at <= ?', at.toISOString())
  }

  async hasLiveSession(participantId: string, at: Date): Promise<boolean> {
    return !!this.one('SELECT 1 FROM sessions WHERE participant_id = ? AND expires_at > ? LIMIT 1', participantId, at.toISOString())
  }

  async createPanel(input: { name: string; description: string }): Promise<PanelRecord> {
    const p: PanelRecord = { id: newIdentityId(), ...input, createdAt: now() }
    this.run('INSERT INTO panels (id, name, description, created_at) VALUES (?, ?, ?, ?)', p.id, p.name, p.description, p.createdAt)
    return p
  }

  async getPanel(id: string): Promise<PanelRecord | null> {
    return this.panel(id)
  }

  private panel(id: string): PanelRecord | null {
    const r = this.one('SELECT * FROM panels WHERE id = ?', id)
    return r ? toPanel(r) : null
  }

  async listPanels(): Promise<PanelRecord[]> {
    return this.all('SELECT * FROM panels ORDER BY created_at, id').map(toPanel)
  }

  async updatePanel(id: string, patch: { name?: string; description?: string }): Promise<PanelRecord | null> {
    const current = this.panel(id)
    if (!current) return null
    const next = { ...current, ...definedOnly(patch) }
    this.run('UPDATE panels SET name = ?, description = ? WHERE id = ?', next.name, next.description, id)
    return next
  }

  async deletePanel(id: string): Promise<boolean> {
    return this.db.transaction(() => {
      if (this.run('DELETE FROM panels WHERE id = ?', id) === 0) return false
      this.run('DELETE FROM panel_specs WHERE panel_id = ?', id)
      this.run('DELETE FROM panel_members WHERE panel_id = ?', id)
      this.run('DELETE FROM invites WHERE panel_id = ?', id)
      return true
    })()
  }

  async setPanelSpec(panelId: string, specId: string, invited: boolean): Promise<boolean> {
    if (!this.one('SELECT 1 FROM panels WHERE id = ?', panelId)) throw new IdentityStoreError('not_found', 'panel not found')
    return invited
      ? this.run('INSERT OR IGNORE INTO panel_specs (panel_id, spec_id) VALUES (?, ?)', panelId, specId) > 0
      : this.run('DELETE FROM panel_specs WHERE panel_id = ? AND spec_id = ?', panelId, specId) > 0
  }

  async specIdsOfPanel(panelId: string): Promise<string[]> {
    return this.all('SELECT spec_id FROM panel_specs WHERE panel_id = ? ORDER BY spec_id', panelId).map((r) => str(r.spec_id))
  }

  async addMembership(panelId: string, participantId: string, role: PanelRole): Promise<'added' | 'exists' | 'removed'> {
    return this.db.transaction(() => {
      if (!this.one('SELECT 1 FROM panels WHERE id = ?', panelId)) throw new IdentityStoreError('not_found', 'panel not found')
      const existing = this.one('SELECT removed_at FROM panel_members WHERE panel_id = ? AND participant_id = ?', panelId, participantId)
      if (existing) return existing.removed_at ? 'removed' : 'exists'
      this.run('INSERT INTO panel_members (panel_id, participant_id, role, joined_at) VALUES (?, ?, ?, ?)', panelId, participantId, role, now())
      return 'added'
    })()
  }

  async removeMembership(panelId: string, participantId: string): Promise<boolean> {
    return this.run('UPDATE panel_members SET removed_at = ? WHERE panel_id = ? AND participant_id = ? AND removed_at IS NULL', now(), panelId, participantId) > 0
  }

  async getMembership(panelId: string, participantId: string): Promise<MembershipRecord | null> {
    const r = this.one('SELECT * FROM panel_members WHERE panel_id = ? AND participant_id = ?', panelId, participantId)
    return r ? toMembership(r) : null
  }

  async listMembers(panelId: string): Promise<MembershipRecord[]> {
    return this.all('SELECT * FROM panel_members WHERE panel_id = ? AND removed_at IS NULL ORDER BY joined_at', panelId).map(toMembership)
  }

  async membershipsOf(participantId: string): Promise<MembershipRecord[]> {
    return this.all('SELECT * FROM panel_members WHERE participant_id = ? AND removed_at IS NULL ORDER BY joined_at', participantId).map(toMembership)
  }

  async createInvite(input: NewInvite): Promise<InviteRecord> {
    if (!this.panel(input.panelId)) throw new IdentityStoreError('not_found', 'panel not found')
    const i: InviteRecord = { ...input, label: input.label ?? null, id: newIdentityId(), uses: 0, revokedAt: null, createdAt: now() }
    this.run(
      'INSERT INTO invites (id, panel_id, token_hash, role, created_by, created_at, expires_at, max_uses, label) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
      i.id, i.panelId, i.tokenHash, i.role, i.createdBy, i.createdAt, i.expiresAt, i.maxUses, i.label
    )
    return i
  }

  async getInvite(id: string): Promise<InviteRecord | null> {
    const r = this.one('SELECT * FROM invites WHERE id = ?', id)
    return r ? toInvite(r) : null
  }

  async getInviteByHash(tokenHash: string): Promise<InviteRecord | null> {
    const r = this.one('SELECT * FROM invites WHERE token_hash = ?', tokenHash)
    return r ? toInvite(r) : null
  }

  async listInvites(panelId: string): Promise<InviteRecord[]> {
    return this.all('SELECT * FROM invites WHERE panel_id = ? ORDER BY created_at', panelId).map(toInvite)
  }

  async revokeInvite(id: string, at: string): Promise<InviteRecord | null> {
    this.run('UPDATE invites SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL', at, id)
    return this.getInvite(id)
  }

  async consumeInvite(id: string, at: Date): Promise<ConsumeResult> {
    return this.db.transaction((): ConsumeResult => {
      const r = this.one('SELECT * FROM invites WHERE id = ?', id)
      if (!r) return 'not_found'
      const i = toInvite(r)
      if (i.revokedAt) return 'revoked'
      if (i.expiresAt <= at.toISOString()) return 'expired'
      if (i.maxUses !== null && i.uses >= i.maxUses) return 'used_up'
      this.run('UPDATE invites SET uses = uses + 1 WHERE id = ?', id)
      return 'ok'
    }).immediate()
  }

  async createMemberInvite(input: Omit<MemberInviteRecord, 'id' | 'usedAt' | 'createdAt' | 'purpose'> & { purpose?: MemberLinkPurpose }): Promise<MemberInviteRecord> {
    const i: MemberInviteRecord = { ...input, purpose: input.purpose ?? 'signup', email: input.email.toLowerCase(), id: newIdentityId(), usedAt: null, createdAt: now() }
    this.run(
      'INSERT INTO member_invites (id, token_hash, email, display_name, role, created_by, created_at, expires_at, purpose) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
      i.id, i.tokenHash, i.email, i.displayName, i.role, i.createdBy, i.createdAt, i.expiresAt, i.purpose
    )
    return i
  }

  async getMemberInviteByHash(tokenHash: string): Promise<MemberInviteRecord | null> {
    const r = this.one('SELECT * FROM member_invites WHERE token_hash = ?', tokenHash)
    return r ? toMemberInvite(r) : null
  }

  async listMemberInvites(): Promise<MemberInviteRecord[]> {
    return this.all('SELECT * FROM member_invites ORDER BY created_at').map(toMemberInvite)
  }

  async deleteMemberInvite(id: string): Promise<boolean> {
    return this.run('DELETE FROM member_invites WHERE id = ?', id) > 0
  }

  async useMemberInvite(id: string, at: Date): Promise<boolean> {
    const iso = at.toISOString()
    return this.run('UPDATE member_invites SET used_at = ? WHERE id = ? AND used_at IS NULL AND expires_at > ?', iso, id, iso) > 0
  }

  async createToken(input: { name: string; role: Role; tokenHash: string; createdBy: string | null }): Promise<TokenRecord> {
    return tokens.insertToken(this.db, input)
  }

  async getToken(id: string): Promise<TokenRecord | null> {
    return tokens.selectToken(this.db, id)
  }

  async getTokenByHash(tokenHash: string): Promise<TokenRecord | null> {
    return tokens.selectLiveTokenByHash(this.db, tokenHash)
  }

  async listTokens(): Promise<TokenRecord[]> {
    return tokens.selectTokens(this.db)
  }

  async revokeToken(id: string, at: string): Promise<TokenRecord | null> {
    return tokens.revokeToken(this.db, id, at)
  }

  async touchToken(id: string, at: string): Promise<void> {
    tokens.touchToken(this.db, id, at)
  }

  async setReturnLink(participantId: string, tokenHash: string): Promise<void> {
    tokens.upsertReturnLink(this.db, participantId, tokenHash)
  }

  async participantOfReturnLink(tokenHash: string): Promise<string | null> {
    return tokens.participantOfReturnLink(this.db, tokenHash)
  }

  async deleteReturnLink(participantId: string): Promise<boolean> {
    return tokens.deleteReturnLink(this.db, participantId)
  }

  async recordMerge(input: NewMerge): Promise<MergeRecord> {
    return insertMerge(this.db, input)
  }

  async mergeOf(participantId: string): Promise<MergeRecord | null> {
    return selectMergeOf(this.db, participantId)
  }

  async listMerges(): Promise<MergeRecord[]> {
    return selectMerges(this.db)
  }

  async secret(name: string, make: () => string): Promise<string> {
    // INSERT OR IGNORE then read back: the first writer wins even across processes (CLI + server).
    this.run('INSERT OR IGNORE INTO server_secrets (name, value) VALUES (?, ?)', name, make())
    return str(this.one('SELECT value FROM server_secrets WHERE name = ?', name)!.value)
  }
}

