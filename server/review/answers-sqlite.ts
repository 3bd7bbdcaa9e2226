/**
 * {@link AnswersStore} over better-sqlite3, in the database file the specs, the decisions
 * ledger and the contributions live in, on a connection of its own with its own migrations
 * (version kept in `schema_versions` under `answers`). Marks only move forward ([A2], [A4]):
 * the upserts keep the later of the stored and the given instant, in SQL, so two writers never
 * lose a later mark to an earlier one. Instants are canonical text, so text order is time order.
 */
import type Database from 'better-sqlite3'
import { openComponentDb, type SqliteFileOptions } from '../sqlite/components.js'
import { canonicalInstant, checkId, DEFAULT_DIGEST, type AnswersStore, type DigestState } from './answers-store.js'

type DB = Database.Database

/** Answers schema migrations; entry `i` takes the tables from version `i` to `i + 1`. */
export const ANSWERS_SQLITE_MIGRATIONS: readonly string[] = [
  `CREATE TABLE IF NOT EXISTS review_settings (
     spec_id TEXT PRIMARY KEY,
     decisions_public INTEGER NOT NULL
   );
   CREATE TABLE IF NOT EXISTS review_seen (
     participant_id TEXT NOT NULL,
     spec_id TEXT NOT NULL,
     seen_up_to TEXT NOT NULL,
     PRIMARY KEY (participant_id, spec_id)
   );
   CREATE TABLE IF NOT EXISTS review_digest (
     participant_id TEXT PRIMARY KEY,
     enabled INTEGER NOT NULL,
     mailed_up_to TEXT
   );`,
  // [A7] Whether team members may export the spec (a row made by either setting has both).
  `ALTER TABLE review_settings ADD COLUMN team_may_export INTEGER NOT NULL DEFAULT 0;`
]

/** Options for {@link openSqliteAnswersStore}. */
export type SqliteAnswersOptions = SqliteFileOptions

/** Opens the answers tables on `file` with a connection of its own, creating or migrating them. */
export function openSqliteAnswersStore(opts: SqliteAnswersOptions): SqliteAnswersStore {
  return new SqliteAnswersStore(openComponentDb(opts, { component: 'answers', migrations: ANSWERS_SQLITE_MIGRATIONS }))
}

/** The answers marks in one SQLite connection's database. */
export class SqliteAnswersStore implements AnswersStore {
  private readonly getPublic
  private readonly putPublic
  private readonly getTeamExport
  private readonly putTeamExport
  private readonly getSeen
  private readonly putSeen
  private readonly allSeen
  private readonly getDigest
  private readonly putEnabled
  private readonly putMailed

  constructor(private readonly db: DB) {
    this.getPublic = db.prepare('SELECT decisions_public FROM review_settings WHERE spec_id = ?').pluck()
    this.putPublic = db.prepare(
      'INSERT INTO review_settings (spec_id, decisions_public) VALUES (?, ?) ON CONFLICT (spec_id) DO UPDATE SET decisions_public = excluded.decisions_public'
    )
    this.getTeamExport = db.prepare('SELECT team_may_export FROM review_settings WHERE spec_id = ?').pluck()
    this.putTeamExport = db.prepare(
      'INSERT INTO review_settings (spec_id, decisions_public, team_may_export) VALUES (?, 0, ?) ON CONFLICT (spec_id) DO UPDATE SET team_may_export = excluded.team_may_export'
    )
    this.getSeen = db.prepare('SELECT seen_up_to FROM review_seen WHERE participant_id = ? AND spec_id = ?').pluck()
    // SQLite's scalar max() compares text with BINARY collation: canonical instants in time order.
    this.putSeen = db
      .prepare(
        `INSERT INTO review_seen (participant_id, spec_id, seen_up_to) VALUES (?, ?, ?)
         ON CONFLICT (participant_id, spec_id) DO UPDATE SET seen_up_to = max(review_seen.seen_up_to, excluded.seen_up_to)
         RETURNING seen_up_to`
      )
      .pluck()
    this.allSeen = db.prepare('SELECT spec_id, seen_up_to FROM review_seen WHERE participant_id = ?')
    this.getDigest = db.prepare('SELECT enabled, mailed_up_to FROM review_digest WHERE participant_id = ?')
    this.putEnabled = db.prepare(
      'INSERT INTO review_digest (participant_id, enabled, mailed_up_to) VALUES (?, ?, NULL) ON CONFLICT (participant_id) DO UPDATE SET enabled = excluded.enabled'
    )
    this.putMailed = db.prepare(
      `INSERT INTO review_digest (participant_id, enabled, mailed_up_to) VALUES (?, 1, ?)
       ON CONFLICT (participant_id) DO UPDATE SET mailed_up_to = max(coalesce(review_digest.mailed_up_to, ''), excluded.mailed_up_to)`
    )
  }

  async decisionsPublic(specId: string): Promise<boolean> {
    checkId('spec', specId)
    return this.getPublic.get(specId) === 1
  }

  async setDecisionsPublic(specId: string, value: boolean): Promise<void> {
    checkId('spec', specId)
    this.putPublic.run(specId, value ? 1 : 0)
  }

  async teamMayExport(specId: string): Promise<boolean> {
    checkId('spec', specId)
    return this.getTeamExport.get(specId) === 1
  }

  async setTeamMayExport(specId: string, value: boolean): Promise<void> {
    checkId('spec', specId)
    this.putTeamExport.run(specId, value ? 1 : 0)
  }

  async seenUpTo(participantId: string, specId: string): Promise<string | null> {
    checkId('participant', participantId)
    checkId('spec', specId)
    return (this.getSeen.get(participantId, specId) as string | undefined) ?? null
  }

  async markSeen(participantId: string, specId: string, upTo: string): Promise<string> {
    checkId('participant', participantId)
    checkId('spec', specId)
    return this.putSeen.get(participantId, specId, canonicalInstant(upTo)) as string
  }

  async seenOf(participantId: string): Promise<Map<string, string>> {
    checkId('participant', participantId)
    const rows = this.allSeen.all(participantId) as Array<{ spec_id: string; seen_up_to: string }>
    return new Map(rows.map((r) => [r.spec_id, r.seen_up_to]))
  }

  async digest(participantId: string): Promise<DigestState> {
    checkId('participant', participantId)
    const row = this.getDigest.get(participantId) as { enabled: number; mailed_up_to: string | null } | undefined
    return row ? { enabled: row.enabled === 1, mailedUpTo: row.mailed_up_to } : { ...DEFAULT_DIGEST }
  }

  async setDigestEnabled(participantId: string, enabled: boolean): Promise<void> {
    checkId('participant', participantId)
    this.putEnabled.run(participantId, enabled ? 1 : 0)
  }

  async advanceMailed(participantId: string, upTo: string): Promise<void> {
    checkId('participant', participantId)
    this.putMailed.run(participantId, canonicalInstant(upTo))
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close()
  }
}
