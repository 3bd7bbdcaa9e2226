/**
 * Postgres plumbing shared by the review stores (decisions ledger, contributions): a pool whose
 * tables are migrated under one component name of `schema_versions`, and one-transaction work.
 *
 * Why an advisory lock around migrations: servers starting together against one database would
 * otherwise run the same migration twice; the transaction-scoped lock makes them take turns,
 * and the second finds the version already current.
 */
import pg from 'pg'
import type { Logger } from '../observability/logger.js'

/** Options shared by every Postgres-backed review store. */
export interface PostgresPoolOptions {
  /** `postgres://user@host:port/database` */
  connectionString: string
  /** Schema the tables live in (created if missing); default: the server's search_path. */
  schema?: string
  /** Most connections the pool opens. */
  maxConnections?: number
  /** Where errors of idle pooled connections are reported (they would otherwise crash the process). */
  log?: Pick<Logger, 'warn'>
}

/** What one store migrates: its `schema_versions` row, its lock key, and its migrations. */
export interface MigrationSet {
  /** Row name in `schema_versions`, and the label of log lines and errors. */
  component: string
  /** First key of the advisory lock taken while migrating. */
  lock: number
  /** Entry `i` takes the tables from version `i` to `i + 1`. */
  migrations: readonly string[]
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/

/**
 * Connects a pool and brings `set`'s tables to the newest version. The pool is closed again if
 * that fails.
 * @throws RangeError for a bad schema name or tables newer than this server knows.
 */
export async function openMigratedPool(opts: PostgresPoolOptions, set: MigrationSet, defaultMax: number): Promise<pg.Pool> {
  if (opts.schema !== undefined && !SCHEMA_NAME.test(opts.schema)) throw new RangeError(`not a schema name: ${opts.schema}`)
  const pool = new pg.Pool({
    connectionString: opts.connectionString,
    max: opts.maxConnections ?? defaultMax,
    ...(opts.schema ? { options: `-c search_path=${opts.schema}` } : {})
  })
  // An idle client losing its connection emits 'error' on the pool; unheard, that is fatal.
  pool.on('error', (err) => opts.log?.warn({ err }, `${set.component} store: idle Postgres connection failed`))
  try {
    await inTransaction(pool, async (client) => {
      await client.query('SELECT pg_advisory_xact_lock($1, 0)', [set.lock])
      if (opts.schema) await client.query(`CREATE SCHEMA IF NOT EXISTS ${opts.schema}`)
      await client.query('CREATE TABLE IF NOT EXISTS schema_versions (component TEXT PRIMARY KEY, version INTEGER NOT NULL)')
      const row = await client.query<{ version: number }>('SELECT version FROM schema_versions WHERE component = $1', [set.component])
      const from = row.rows[0]?.version ?? 0
      if (from > set.migrations.length) {
        throw new RangeError(`${set.component} tables are at version ${from}, newer than this server knows (${set.migrations.length})`)
      }
      for (let v = from; v < set.migrations.length; v++) await client.query(set.migrations[v]!)
      await client.query(
        'INSERT INTO schema_versions (component, version) VALUES ($1, $2) ON CONFLICT (component) DO UPDATE SET version = excluded.version',
        [set.component, set.migrations.length]
      )
    })
  } catch (err) {
    await pool.end()
    throw err
  }
  return pool
}

/**
 * Runs `work` in one transaction on one pooled client: COMMIT if it resolves, ROLLBACK if it
 * throws. A client whose ROLLBACK failed is destroyed rather than returned to the pool.
 */
export async function inTransaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
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
