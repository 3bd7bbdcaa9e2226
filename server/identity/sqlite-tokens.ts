/**
 * The SQL of the credentials bound to a participant, over the identity connection: API tokens
 * (table `api_tokens`, each also a `participants` row of kind `token`) and personal return
 * links ([I16], table `return_links`, one per participant, only the token's hash). Kept apart
 * from sqlite.ts, which holds the rest of the identity tables' SQL.
 */
import type Database from 'better-sqlite3'
import type { Role } from '../../shared/permissions.js'
import type { TokenRecord } from './identity-store.js'
import { newIdentityId } from './ids.js'
import { now, str, toToken, type Row } from './sqlite-rows.js'

type DB = Database.Database

/** Creates a token and its participant in one transaction. */
export function insertToken(db: DB, input: { name: string; role: Role; tokenHash: string; createdBy: string | null }): TokenRecord {
  const t: TokenRecord = { ...input, id: newIdentityId(), createdAt: now(), lastUsedAt: null, revokedAt: null }
  db.transaction(() => {
    db.prepare("INSERT INTO participants (id, kind, display_name, email, created_at) VALUES (?, 'token', ?, NULL, ?)").run(t.id, t.name, t.createdAt)
    db.prepare('INSERT INTO api_tokens (id, name, role, token_hash, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?)').run(
      t.id,
      t.name,
      t.role,
      t.tokenHash,
      t.createdBy,
      t.createdAt
    )
  })()
  return t
}

/** A token by id, revoked or not. */
export function selectToken(db: DB, id: string): TokenRecord | null {
  const r = db.prepare('SELECT * FROM api_tokens WHERE id = ?').get(id) as Row | undefined
  return r ? toToken(r) : null
}

/** The unrevoked token with this hash. */
export function selectLiveTokenByHash(db: DB, tokenHash: string): TokenRecord | null {
  const r = db.prepare('SELECT * FROM api_tokens WHERE token_hash = ? AND revoked_at IS NULL').get(tokenHash) as Row | undefined
  return r ? toToken(r) : null
}

/** Every token, oldest first. */
export function selectTokens(db: DB): TokenRecord[] {
  return (db.prepare('SELECT * FROM api_tokens ORDER BY created_at, id').all() as Row[]).map(toToken)
}

/** Revokes a token (once: a revoked token keeps its first revocation time). */
export function revokeToken(db: DB, id: string, at: string): TokenRecord | null {
  db.prepare('UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL').run(at, id)
  return selectToken(db, id)
}

/** Notes a token's last use. */
export function touchToken(db: DB, id: string, at: string): void {
  db.prepare('UPDATE api_tokens SET last_used_at = ? WHERE id = ?').run(at, id)
}

/** Sets a participant's return link, replacing the one they had. */
export function upsertReturnLink(db: DB, participantId: string, tokenHash: string): void {
  db.prepare(
    'INSERT INTO return_links (participant_id, token_hash, created_at) VALUES (?, ?, ?) ON CONFLICT (participant_id) DO UPDATE SET token_hash = excluded.token_hash, created_at = excluded.created_at'
  ).run(participantId, tokenHash, now())
}

/** Who the return link with this hash belongs to. */
export function participantOfReturnLink(db: DB, tokenHash: string): string | null {
  const r = db.prepare('SELECT participant_id FROM return_links WHERE token_hash = ?').get(tokenHash) as Row | undefined
  return r ? str(r.participant_id) : null
}

/** Turns a participant's return link off; true if they had one. */
export function deleteReturnLink(db: DB, participantId: string): boolean {
  return db.prepare('DELETE FROM return_links WHERE participant_id = ?').run(participantId).changes > 0
}
