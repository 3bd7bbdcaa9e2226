/**
 * {@link AnswersStore} over Postgres (node-postgres pool), beside the decisions ledger when that
 * lives in a shared database (`REVIEW_DATABASE_URL`). Loaded only when configured. Its
 * migrations are versioned under `answers` in the ledger's `schema_versions` table. Marks only
 * move forward ([A2], [A4]): the upserts keep the later instant in SQL, comparing canonical
 * instants byte-wise (`COLLATE "C"`), whatever the database's collation.
 */
import type pg from 'pg'
import { openMigratedPool, type PostgresPoolOptions } from './postgres-pool.js'
import { canonicalInstant, checkId, DEFAULT_DIGEST, type AnswersStore, type DigestState } from './answers-store.js'

/** First key of the advisory lock migrations take ('VANS'). */
export const ANSWERS_LOCK = 0x56414e53

/** Answers schema migrations for Postgres; same tables as on SQLite (answers-sqlite.ts). */
export const ANSWERS_POSTGRES_MIGRATIONS: readonly string[] = [
  `CREATE TABLE IF NOT EXISTS review_settings (
     spec_id TEXT PRIMARY KEY,
     decisions_public INTEGER NOT NULL
   );
   CREATE TABLE IF NOT EXISTS review_seen (
     participant_id TEXT NOT NULL,
     spec_id TEXT NOT NULL,
     seen_up_to TEXT COLLATE "C" NOT NULL,
     PRIMARY KEY (participant_id, spec_id)
   );
   CREATE TABLE IF NOT EXISTS review_digest (
     participant_id TEXT PRIMARY KEY,
     enabled INTEGER NOT NULL,
     mailed_up_to TEXT COLLATE "C"
   );`,
  // [A7] Whether team members may export the spec (a row made by either setting has both).
  `ALTER TABLE review_settings ADD COLUMN IF NOT EXISTS team_may_export INTEGER NOT NULL DEFAULT 0;`
]

/** Options for {@link openPostgresAnswersStore}; `maxConnections` defaults to 2. */
export type PostgresAnswersOptions = PostgresPoolOptions

/** Connects, creates or migrates the answers tables, and returns the store. */
export async function openPostgresAnswersStore(opts: PostgresAnswersOptions): Promise<PostgresAnswersStore> {
  const pool = await openMigratedPool(opts, { component: 'answers', lock: ANSWERS_LOCK, migrations: ANSWERS_POSTGRES_MIGRATIONS }, 2)
  return new PostgresAnswersStore(pool)
}

/** The answers marks in one Postgres database (see {@link openPostgresAnswersStore}). */
export class PostgresAnswersStore implements AnswersStore {
  private closing: Promise<void> | null = null

  constructor(private readonly pool: pg.Pool) {}

  async decisionsPublic(specId: string): Promise<boolean> {
    checkId('spec', specId)
    const res = await this.pool.query<{ decisions_public: number }>('SELECT decisions_public FROM review_settings WHERE spec_id = $1', [specId])
    return res.rows[0]?.decisions_public === 1
  }

  async setDecisionsPublic(specId: string, value: boolean): Promise<void> {
    checkId('spec', specId)
    await this.pool.query(
      'INSERT INTO review_settings (spec_id, decisions_public) VALUES ($1, $2) ON CONFLICT (spec_id) DO UPDATE SET decisions_public = excluded.decisions_public',
      [specId, value ? 1 : 0]
    )
  }

  async teamMayExport(specId: string): Promise<boolean> {
    checkId('spec', specId)
    const res = await this.pool.query<{ team_may_export: number }>('SELECT team_may_export FROM review_settings WHERE spec_id = $1', [specId])
    return res.rows[0]?.team_may_export === 1
  }

  async setTeamMayExport(specId: string, value: boolean): Promise<void> {
    checkId('spec', specId)
    await this.pool.query(
      'INSERT INTO review_settings (spec_id, decisions_public, team_may_export) VALUES ($1, 0, $2) ON CONFLICT (spec_id) DO UPDATE SET team_may_export = excluded.team_may_export',
      [specId, value ? 1 : 0]
    )
  }

  async seenUpTo(participantId: string, specId: string): Promise<string | null> {
    checkId('participant', participantId)
    checkId('spec', specId)
    const res = await this.pool.query<{ seen_up_to: string }>('SELECT seen_up_to FROM review_seen WHERE participant_id = $1 AND spec_id = $2', [participantId, specId])
    return res.rows[0]?.seen_up_to ?? null
  }

  async markSeen(participantId: string, specId: string, upTo: string): Promise<string> {
    checkId('participant', participantId)
    checkId('spec', specId)
    const res = await this.pool.query<{ seen_up_to: string }>(
      `INSERT INTO review_seen (participant_id, spec_id, seen_up_to) VALUES ($1, $2, $3)
       ON CONFLICT (participant_id, spec_id) DO UPDATE SET seen_up_to = GREATEST(review_seen.seen_up_to, excluded.seen_up_to)
       RETURNING seen_up_to`,
      [participantId, specId, canonicalInstant(upTo)]
    )
    return res.rows[0]!.seen_up_to
  }

  async seenOf(participantId: string): Promise<Map<string, string>> {
    checkId('participant', participantId)
    const res = await this.pool.query<{ spec_id: string; seen_up_to: string }>('SELECT spec_id, seen_up_to FROM review_seen WHERE participant_id = $1', [participantId])
    return new Map(res.rows.map((r) => [r.spec_id, r.seen_up_to]))
  }

  async digest(participantId: string): Promise<DigestState> {
    checkId('participant', participantId)
    const res = await this.pool.query<{ enabled: number; mailed_up_to: string | null }>('SELECT enabled, mailed_up_to FROM review_digest WHERE participant_id = $1', [participantId])
    const row = res.rows[0]
    return row ? { enabled: row.enabled === 1, mailedUpTo: row.mailed_up_to } : { ...DEFAULT_DIGEST }
  }

  async setDigestEnabled(participantId: string, enabled: boolean): Promise<void> {
    checkId('participant', participantId)
    await this.pool.query(
      'INSERT INTO review_digest (participant_id, enabled, mailed_up_to) VALUES ($1, $2, NULL) ON CONFLICT (participant_id) DO UPDATE SET enabled = excluded.enabled',
      [participantId, enabled ? 1 : 0]
    )
  }

  async advanceMailed(participantId: string, upTo: string): Promise<void> {
    checkId('participant', participantId)
    // GREATEST ignores NULLs: the first watermark is the given one.
    await this.pool.query(
      `INSERT INTO review_digest (participant_id, enabled, mailed_up_to) VALUES ($1, 1, $2)
       ON CONFLICT (participant_id) DO UPDATE SET mailed_up_to = GREATEST(review_digest.mailed_up_to, excluded.mailed_up_to)`,
      [participantId, canonicalInstant(upTo)]
    )
  }

  /** Ends the pool once (idempotent). */
  close(): Promise<void> {
    this.closing ??= this.pool.end()
    return this.closing
  }
}
