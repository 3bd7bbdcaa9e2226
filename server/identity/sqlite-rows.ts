/**
 * Row mappers for the identity tables (migration 2): snake_case SQLite rows to records.
 */
import type { Role } from '../../shared/permissions.js'
import type {
  AccountRecord,
  AccountRole,
  InviteRecord,
  MemberInviteRecord,
  MembershipRecord,
  PanelRecord,
  PanelRole,
  ParticipantRecord,
  SessionRecord,
  TokenRecord
} from './identity-store.js'

/** A row as better-sqlite3 returns it. */
export type Row = Record<string, unknown>

/** Maps one column or row. */
export const str = (v: unknown): string => v as string
/** Maps one column or row. */
export const strOrNull = (v: unknown): string | null => (v === null || v === undefined ? null : (v as string))

/** Maps one column or row. */
export const toParticipant = (r: Row): ParticipantRecord => ({
  id: str(r.id),
  kind: r.kind as ParticipantRecord['kind'],
  displayName: str(r.display_name),
  email: strOrNull(r.email),
  createdAt: str(r.created_at)
})

/** Maps one column or row. */
export const toAccount = (r: Row): AccountRecord => ({
  ...toParticipant(r),
  kind: 'account',
  email: str(r.account_email),
  role: r.role as AccountRole,
  passwordHash: str(r.password_hash),
  deactivatedAt: strOrNull(r.deactivated_at)
})

/** Maps one column or row. */
export const toSession = (r: Row): SessionRecord => ({
  idHash: str(r.id_hash),
  participantId: str(r.participant_id),
  csrfToken: str(r.csrf_token),
  createdAt: str(r.created_at),
  expiresAt: str(r.expires_at)
})

/** Maps one column or row. */
export const toPanel = (r: Row): PanelRecord => ({
  id: str(r.id),
  name: str(r.name),
  description: str(r.description),
  createdAt: str(r.created_at)
})

/** Maps one column or row. */
export const toMembership = (r: Row): MembershipRecord => ({
  panelId: str(r.panel_id),
  participantId: str(r.participant_id),
  role: r.role as PanelRole,
  joinedAt: str(r.joined_at),
  removedAt: strOrNull(r.removed_at)
})

/** Maps one column or row. */
export const toInvite = (r: Row): InviteRecord => ({
  id: str(r.id),
  panelId: str(r.panel_id),
  tokenHash: str(r.token_hash),
  role: r.role as PanelRole,
  createdBy: str(r.created_by),
  createdAt: str(r.created_at),
  expiresAt: str(r.expires_at),
  maxUses: r.max_uses === null ? null : Number(r.max_uses),
  uses: Number(r.uses),
  revokedAt: strOrNull(r.revoked_at),
  label: strOrNull(r.label)
})

/** Maps one column or row. */
export const toMemberInvite = (r: Row): MemberInviteRecord => ({
  id: str(r.id),
  purpose: r.purpose === 'reset' ? 'reset' : 'signup',
  tokenHash: str(r.token_hash),
  email: str(r.email),
  displayName: str(r.display_name),
  role: r.role as AccountRole,
  createdBy: str(r.created_by),
  createdAt: str(r.created_at),
  expiresAt: str(r.expires_at),
  usedAt: strOrNull(r.used_at)
})

/** Maps one column or row. */
export const toToken = (r: Row): TokenRecord => ({
  id: str(r.id),
  name: str(r.name),
  role: r.role as Role,
  tokenHash: str(r.token_hash),
  createdBy: strOrNull(r.created_by),
  createdAt: str(r.created_at),
  lastUsedAt: strOrNull(r.last_used_at),
  revokedAt: strOrNull(r.revoked_at)
})

/** The current time as stored (ISO-8601 UTC). */
export const now = (): string => new Date().toISOString()

/** `patch` without its undefined fields (an update sets only what was given). */
export function definedOnly<T extends object>(patch: T): Partial<T> {
  return Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) as Partial<T>
}

/** Accounts with their participant row, in the shape {@link toAccount} reads. */
export const ACCOUNT_SELECT = `SELECT p.*, a.email AS account_email, a.role, a.password_hash, a.deactivated_at
  FROM accounts a JOIN participants p ON p.id = a.participant_id`
