/**
 * {@link ContributionStore} over Postgres (node-postgres pool), beside the decisions ledger when
 * that lives in a shared database (`REVIEW_DATABASE_URL`). Loaded only when configured. Its
 * migrations are versioned under `contributions` in the ledger's `schema_versions` table; a
 * `save` is one transaction ([K5]) whose upsert keeps participant, panels and creation time
 * ([K1]). Panel ids and origins are JSON text, as on SQLite (read whole, never queried).
 */
import pg from 'pg'
import type { Logger } from '../observability/logger.js'
import { byCreation, checkRecords, type ContributionRecord, type ContributionStore } from './contribution-store.js'

/** First key of the advisory lock migrations take ('VCON'). */
export const CONTRIBUTIONS_LOCK = 0x56434f4e

/** Contributions schema migrations for Postgres; same columns as on SQLite (contributions-sqlite.ts). */
export const CONTRIBUTIONS_POSTGRES_MIGRATIONS: readonly string[] = [
  `CREATE TABLE IF NOT EXISTS review_contributions (
     spec_id TEXT NOT NULL,
     id TEXT NOT NULL,
     participant_id TEXT NOT NULL,
     panel_ids TEXT NOT NULL,
     created_at TEXT NOT NULL,
     updated_at TEXT NOT NULL,
     origins TEXT NOT NULL,
     excerpt TEXT NOT NULL,
     chars INTEGER NOT NULL,
     PRIMARY KEY (spec_id, id)
   );
   CREATE INDEX IF NOT EXISTS review_contributions_participant ON review_contributions (spec_id, participant_id);`
]

/** Options for {@link openPostgresContributionStore}. */
export interface PostgresContributionOptions {
  /** `postgres://user@host:port/database` */
  connectionString: string
  /** Schema the tables live in (created if missing); default: the server's search_path. */
  schema?: string
  /** Most connections the pool opens (default 2). */
  maxConnections?: number
  /** Where errors of idle pooled connections are reported (they would otherwise crash the process). */
  log?: Pick<Logger, 'warn'>
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/

/** Connects, creates or migrates the contributions tables, and returns the store. */
export async function openPostgresContributionStore(opts: PostgresContributionOptions): Promise<PostgresContributionStore> {
  if (opts.schema !== undefined && !SCHEMA_NAME.test(opts.schema)) throw new RangeError(`not a schema name: ${opts.schema}`)
  const pool = new pg.Pool({
    connectionString: opts.connectionString,
    max: opts.maxConnections ?? 2,
    ...(opts.schema ? { options: `-c search_path=${opts.schema}` } : {})
  })
  pool.on('error', (err) => opts.log?.warn({ err }, 'contribution store: idle Postgres connection failed'))
  try {
    await inTransaction(pool, async (client) => {
      await client.query('SELECT pg_advisory_xact_lock($1, 0)', [CONTRIBUTIONS_LOCK])
      if (opts.schema) await client.query(`CREATE SCHEMA IF NOT EXISTS ${opts.schema}`)
      await client.query('CREATE TABLE IF NOT EXISTS schema_versions (component TEXT PRIMARY KEY, version INTEGER NOT NULL)')
      const row = await client.query<{ version: number }>("SELECT version FROM schema_versions WHERE component = 'contributions'")
      const from = row.rows[0]?.version ?? 0
      if (from > CONTRIBUTIONS_POSTGRES_MIGRATIONS.length) {
        throw new RangeError(`contributions tables are at version ${from}, newer than this server knows (${CONTRIBUTIONS_POSTGRES_MIGRATIONS.length})`)
      }
      for (let v = from; v < CONTRIBUTIONS_POSTGRES_MIGRATIONS.length; v++) await client.query(CONTRIBUTIONS_POSTGRES_MIGRATIONS[v]!)
      await client.query(
        "INSERT INTO schema_versions (component, version) VALUES ('contributions', $1) ON CONFLICT (component) DO UPDATE SET version = excluded.version",
        [CONTRIBUTIONS_POSTGRES_MIGRATIONS.length]
      )
    })
  } catch (err) {
    await pool.end()
    throw err
  }
  return new PostgresContributionStore(pool)
}

/** Runs `work` in one transaction on one pooled client (COMMIT, or ROLLBACK if it throws). */
async function inTransaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect()
  let broken: Error | undefined
  try {
    await client.query('BEGIN')
    const result = await work(client)
    await client.query('COMMIT')
    return result
  } catch (err) {
    await client.query('ROLLBACK').catch((rollbackErr: unknown) => {
      broken = rollbackErr instanceof Error ? rollbackErr : new Error(String(rollbackErr))
    })
    throw err
  } finally {
    client.release(broken)
  }
}

interface Row {
  spec_id: string
  id: string
  participant_id: string
  panel_ids: string
  created_at: string
  updated_at: string
  origins: string
  excerpt: string
  chars: number
}

const COLUMNS = 'spec_id, id, participant_id, panel_ids, created_at, updated_at, origins, excerpt, chars'

const toRecord = (r: Row): ContributionRecord => ({
  specId: r.spec_id,
  id: r.id,
  participantId: r.participant_id,
  panelIds: JSON.parse(r.panel_ids) as string[],
  createdAt: r.created_at,
  updatedAt: r.updated_at,
  origins: JSON.parse(r.origins) as ContributionRecord['origins'],
  excerpt: r.excerpt,
  chars: r.chars
})

/** The contributions in one Postgres database (see {@link openPostgresContributionStore}). */
export class PostgresContributionStore implements ContributionStore {
  private closing: Promise<void> | null = null

  constructor(private readonly pool: pg.Pool) {}

  async save(records: readonly ContributionRecord[]): Promise<void> {
    checkRecords(records)
    if (records.length === 0) return
    await inTransaction(this.pool, async (client) => {
      for (const r of records) {
        await client.query(
          `INSERT INTO review_contributions (${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
           ON CONFLICT (spec_id, id) DO UPDATE SET updated_at = excluded.updated_at, origins = excluded.origins,
             excerpt = excluded.excerpt, chars = excluded.chars`,
          [r.specId, r.id, r.participantId, JSON.stringify(r.panelIds), r.createdAt, r.updatedAt, JSON.stringify(r.origins), r.excerpt, r.chars]
        )
      }
    })
  }

  async list(specId: string, participantId?: string): Promise<ContributionRecord[]> {
    const res =
      participantId === undefined
        ? await this.pool.query<Row>(`SELECT ${COLUMNS} FROM review_contributions WHERE spec_id = $1`, [specId])
        : await this.pool.query<Row>(`SELECT ${COLUMNS} FROM review_contributions WHERE spec_id = $1 AND participant_id = $2`, [specId, participantId])
    // Sorted here, not in SQL: the database collation and JS string order may disagree.
    return res.rows.map(toRecord).sort(byCreation)
  }

  /** Ends the pool once (idempotent). */
  close(): Promise<void> {
    this.closing ??= this.pool.end()
    return this.closing
  }
}
