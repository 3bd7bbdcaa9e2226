/**
 * The review contract on Postgres (127.0.0.1:5432, user postgres, database `test`, trust auth;
 * override with REVIEW_TEST_DATABASE_URL). It always runs: without a reachable database it
 * fails. Each run works in a schema of its own, dropped at the end.
 */
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import pg from 'pg'
import { openPostgresReviewStore, REVIEW_POSTGRES_MIGRATIONS, type PostgresReviewStore } from '../../server/review/postgres.js'
import { verifyChain } from '../../server/review/ledger.js'
import { decision, newSpecId, reviewContract } from './review.contract.js'

const URL = process.env.REVIEW_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test'
const schema = `review_test_${process.pid}_${Date.now().toString(36)}`

const admin = new pg.Pool({ connectionString: URL, max: 1 })
afterAll(async () => {
  await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)
  await admin.end()
})

const opened = new Set<PostgresReviewStore>()
const open = async (maxConnections = 4): Promise<PostgresReviewStore> => {
  const s = await openPostgresReviewStore({ connectionString: URL, schema, maxConnections })
  opened.add(s)
  return s
}
const closeAll = async (): Promise<void> => {
  for (const s of opened) await s.close()
  opened.clear()
}
afterEach(closeAll)

const COLUMNS = new Set(['spec_id', 'seq', 'subject_id', 'state', 'note', 'decided_by', 'role', 'decided_at', 'supersedes', 'prev_hash', 'hash'])

reviewContract('postgres', {
  create: () => open(),
  another: () => open(),
  reopen: async () => {
    await closeAll()
    return open()
  },
  tamper: {
    async update(specId, seq, column, value) {
      if (!COLUMNS.has(column)) throw new RangeError(column)
      await admin.query(`UPDATE ${schema}.review_decisions SET ${column} = $1 WHERE spec_id = $2 AND seq = $3`, [value, specId, seq])
    },
    async remove(specId, seq) {
      await admin.query(`DELETE FROM ${schema}.review_decisions WHERE spec_id = $1 AND seq = $2`, [specId, seq])
    }
  }
})

describe('review store on Postgres', () => {
  it('[R7] four pools racing on one spec (200 appends) make one contiguous, valid chain', async () => {
    const stores = await Promise.all([open(8), open(8), open(8), open(8)])
    const spec = newSpecId()
    await Promise.all(Array.from({ length: 200 }, (_, i) => stores[i % 4]!.append(decision(spec, `${i % 9}:1`, 'under_discussion'))))
    const history = await stores[0]!.history(spec)
    expect(history.map((e) => e.seq)).toEqual(Array.from({ length: 200 }, (_, i) => i + 1))
    expect(verifyChain(spec, history)).toMatchObject({ ok: true, entries: 200 })
    expect((await stores[1]!.countsByState(spec)).under_discussion).toBe(9)
  })

  it('[R7] a slow append on one spec does not hold up another spec', async () => {
    const s = await open()
    const [slow, fast] = [newSpecId(), newSpecId()]
    // Hold slow's lock from outside, as a long append in another server would.
    const holder = await admin.connect()
    try {
      await holder.query('BEGIN')
      await holder.query(`SELECT pg_advisory_xact_lock($1, hashtext($2))`, [0x56524556, slow])
      const waiting = s.append(decision(slow, '1:1', 'accepted'))
      await s.append(decision(fast, '1:1', 'accepted'))
      expect(await s.history(slow)).toEqual([])
      await holder.query('COMMIT')
      expect((await waiting).seq).toBe(1)
    } finally {
      // Never hand the admin pool a connection still inside the transaction (if a check failed).
      await holder.query('ROLLBACK')
      holder.release()
    }
  })

  it('a failed append rolls back and releases its connection and its lock', async () => {
    const s = await open(1)
    const spec = newSpecId()
    // A trigger makes inserts of one subject fail inside the append's transaction.
    await admin.query(`CREATE OR REPLACE FUNCTION ${schema}.refuse_boom() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF NEW.subject_id = 'boom:0' THEN RAISE EXCEPTION 'refused'; END IF; RETURN NEW; END $$`)
    await admin.query(`CREATE OR REPLACE TRIGGER refuse_boom BEFORE INSERT ON ${schema}.review_decisions FOR EACH ROW EXECUTE FUNCTION ${schema}.refuse_boom()`)
    try {
      await s.append(decision(spec, '1:1', 'accepted'))
      await expect(s.append(decision(spec, 'boom:0', 'accepted'))).rejects.toThrow(/refused/)
      // Same spec (its lock), same single connection: both free again.
      expect(await s.append(decision(spec, '1:1', 'planned'))).toMatchObject({ seq: 2, supersedes: 1 })
      expect(verifyChain(spec, await s.history(spec))).toMatchObject({ ok: true, entries: 2 })
    } finally {
      await admin.query(`DROP TRIGGER refuse_boom ON ${schema}.review_decisions`)
    }
  })

  it('creates its tables once and records their version', async () => {
    await open()
    await open()
    const res = await admin.query(`SELECT version FROM ${schema}.schema_versions WHERE component = 'review'`)
    expect(res.rows).toEqual([{ version: REVIEW_POSTGRES_MIGRATIONS.length }])
  })
})
