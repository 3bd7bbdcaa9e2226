/**
 * The decisions ledger over HTTP on the real service: who may decide (the server, from the
 * credentials), what the routes answer, concurrent decisions chaining, a row edited in the
 * SQLite file caught by verify, restarts, and the Postgres backend via REVIEW_DATABASE_URL.
 */
import path from 'node:path'
import Database from 'better-sqlite3'
import pg from 'pg'
import { afterAll, describe, expect, it } from 'vitest'
import { GENESIS_HASH, type DecisionEntry } from '../../shared/api-review.js'
import { hashEntry } from '../../server/review/ledger.js'
import { SqliteReviewStore } from '../../server/review/sqlite.js'
import { parseConfig } from '../../server/config.js'
import { DB_FILE } from '../../server/storage/sqlite.js'
import { fetchAs, signInAs, tokenAs } from '../helpers/auth.js'
import { createSpec, startTestService, tempDir } from '../helpers/server.js'

const PG_URL = process.env.REVIEW_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test'

describe('decisions over HTTP', () => {
  it('team and facilitators decide; the ledger shows current, history, counts and head', async () => {
    const service = await startTestService()
    const spec = await createSpec(service)
    const team = await signInAs(service, 'team')
    const facilitator = await signInAs(service, 'facilitator')
    const decide = (who: typeof team, body: unknown) => fetchAs(service, who, 'POST', `/api/specs/${spec}/decisions`, body)

    const first = await decide(team, { subjectId: '3141592:0', state: 'under_discussion', note: '  We are looking at it.  ' })
    expect(first.status).toBe(201)
    const a = first.body.decision as DecisionEntry
    expect(a).toMatchObject({
      specId: spec,
      seq: 1,
      subjectId: '3141592:0',
      state: 'under_discussion',
      note: 'We are looking at it.',
      decidedBy: team.principal.participantId,
      role: 'team',
      supersedes: null,
      prevHash: GENESIS_HASH
    })
    expect(a.hash).toBe(hashEntry(a))
    const b = (await decide(facilitator, { subjectId: '2718281:5', state: 'declined', note: '' })).body.decision as DecisionEntry
    const c = (await decide(facilitator, { subjectId: '3141592:0', state: 'accepted', note: null })).body.decision as DecisionEntry
    expect(b).toMatchObject({ seq: 2, note: null, role: 'facilitator', prevHash: a.hash })
    expect(c).toMatchObject({ seq: 3, supersedes: 1, decidedBy: facilitator.principal.participantId })

    const ledger = await fetchAs(service, team, 'GET', `/api/specs/${spec}/decisions`)
    expect(ledger.status).toBe(200)
    expect(ledger.body).toEqual({
      specId: spec,
      current: [b, c],
      history: [a, b, c],
      counts: { new: 0, under_discussion: 0, accepted: 1, planned: 0, declined: 1 },
      head: c.hash
    })
    expect((await fetchAs(service, facilitator, 'GET', `/api/specs/${spec}/decisions/verify`)).body).toEqual({ ok: true, entries: 3, head: c.hash })
  })

  it('refuses everyone else with a JSON error, whatever the body claims, and stores nothing', async () => {
    const service = await startTestService()
    const spec = await createSpec(service)
    const customer = await signInAs(service, 'customer', { panelSpecIds: [spec] })
    const viewer = await signInAs(service, 'viewer', { panelId: customer.panelId! })
    const customerToken = { bearer: (await tokenAs(service, 'customer', [customer.panelId!])).secret }
    const team = await signInAs(service, 'team')
    const forged = { subjectId: '1:1', state: 'accepted', decidedBy: team.principal.participantId, role: 'team' }
    for (const who of [customer, viewer, customerToken]) {
      for (const body of [{ subjectId: '1:1', state: 'accepted' }, forged]) {
        const res = await fetchAs(service, who, 'POST', `/api/specs/${spec}/decisions`, body)
        expect([res.status, res.body.error.code]).toEqual([403, 'forbidden'])
      }
      for (const route of ['decisions', 'decisions/verify']) {
        const res = await fetchAs(service, who, 'GET', `/api/specs/${spec}/${route}`)
        expect([res.status, res.body.error.code]).toEqual([403, 'forbidden'])
      }
    }
    const anonymous = await fetchAs(service, null, 'POST', `/api/specs/${spec}/decisions`, { subjectId: '1:1', state: 'accepted' })
    expect([anonymous.status, anonymous.body.error.code]).toEqual([401, 'unauthenticated'])
    // A team member cannot name someone else as the decider either: the body is strict.
    const spoof = await fetchAs(service, team, 'POST', `/api/specs/${spec}/decisions`, forged)
    expect([spoof.status, spoof.body.error.code]).toEqual([400, 'invalid_body'])
    // Without the CSRF header, a session cookie alone decides nothing.
    const noCsrf = await fetchAs(service, { cookie: team.cookie, csrfToken: '' }, 'POST', `/api/specs/${spec}/decisions`, { subjectId: '1:1', state: 'accepted' })
    expect([noCsrf.status, noCsrf.body.error.code]).toEqual([403, 'csrf_failed'])
    expect(await service.review.history(spec)).toEqual([])
  })

  it('answers bad bodies with 400 and unknown or deleted specs with 404', async () => {
    const service = await startTestService()
    const spec = await createSpec(service)
    const team = await signInAs(service, 'team')
    const bad: unknown[] = [
      {},
      { subjectId: '1:1' },
      { subjectId: '1:1', state: 'approved' },
      { subjectId: '1 1', state: 'accepted' },
      { subjectId: 'x'.repeat(129), state: 'accepted' },
      { subjectId: '1:1', state: 'accepted', note: 'x'.repeat(2001) },
      { subjectId: '1:1', state: 'accepted', note: 'null \u0000 byte' },
      { subjectId: '1:1', state: 'accepted', note: 7 },
      [{ subjectId: '1:1', state: 'accepted' }]
    ]
    for (const body of bad) {
      const res = await fetchAs(service, team, 'POST', `/api/specs/${spec}/decisions`, body)
      expect([res.status, res.body.error.code], JSON.stringify(body)).toEqual([400, 'invalid_body'])
    }
    expect(await service.review.history(spec)).toEqual([])
    await fetchAs(service, team, 'POST', `/api/specs/${spec}/decisions`, { subjectId: '1:1', state: 'accepted' })
    const facilitator = await signInAs(service, 'facilitator')
    expect((await fetchAs(service, facilitator, 'DELETE', `/api/specs/${spec}`)).status).toBe(204)
    for (const id of [spec, 'unknownspec1', '..%2F..%2Fetc']) {
      for (const [method, route] of [['GET', 'decisions'], ['GET', 'decisions/verify'], ['POST', 'decisions']] as const) {
        const res = await fetchAs(service, team, method, `/api/specs/${id}/${route}`, method === 'POST' ? { subjectId: '1:1', state: 'planned' } : undefined)
        expect([res.status, res.body.error.code], `${method} ${id}/${route}`).toEqual([404, 'spec_not_found'])
      }
    }
    // The deleted spec's ledger is kept.
    expect(await service.review.history(spec)).toHaveLength(1)
  })

  it('chains concurrent decisions from several people into one valid ledger', async () => {
    const service = await startTestService()
    const spec = await createSpec(service)
    const deciders = [await signInAs(service, 'team'), await signInAs(service, 'facilitator'), { bearer: (await tokenAs(service, 'team')).secret }]
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        fetchAs(service, deciders[i % 3]!, 'POST', `/api/specs/${spec}/decisions`, { subjectId: `${i % 4}:0`, state: i % 2 ? 'accepted' : 'planned' })
      )
    )
    expect(results.map((r) => r.status)).toEqual(Array(30).fill(201))
    expect(results.map((r) => r.body.decision.seq).sort((x: number, y: number) => x - y)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1))
    const team = deciders[0]!
    expect((await fetchAs(service, team, 'GET', `/api/specs/${spec}/decisions/verify`)).body).toMatchObject({ ok: true, entries: 30 })
    expect((await fetchAs(service, team, 'GET', `/api/specs/${spec}/decisions`)).body.current).toHaveLength(4)
  })
})

describe('decisions on SQLite', () => {
  it('catches a ledger row edited in valence.db, and keeps the ledger across a restart', async () => {
    const dataDir = tempDir()
    const first = await startTestService({ storage: 'sqlite', dataDir })
    // The default: no Postgres, the ledger beside the specs.
    expect(parseConfig({}).reviewDatabaseUrl).toBeNull()
    expect(first.review).toBeInstanceOf(SqliteReviewStore)
    const spec = await createSpec(first)
    const team = await signInAs(first, 'team')
    for (const [subjectId, state] of [['10:0', 'accepted'], ['11:0', 'declined'], ['10:0', 'planned'], ['12:0', 'new']]) {
      expect((await fetchAs(first, team, 'POST', `/api/specs/${spec}/decisions`, { subjectId, state, note: 'Reason.' })).status).toBe(201)
    }
    const verify = async () => (await fetchAs(first, team, 'GET', `/api/specs/${spec}/decisions/verify`)).body
    expect(await verify()).toMatchObject({ ok: true, entries: 4 })

    // Someone with the file turns the decline into an acceptance, behind the server's back.
    const edit = (sql: string) => {
      const db = new Database(path.join(dataDir, DB_FILE))
      try {
        return db.prepare(sql).run(spec).changes
      } finally {
        db.close()
      }
    }
    expect(edit("UPDATE review_decisions SET state = 'accepted' WHERE spec_id = ? AND seq = 2")).toBe(1)
    expect(await verify()).toMatchObject({ ok: false, entries: 4, firstBadIndex: 1 })
    expect((await fetchAs(first, team, 'GET', `/api/specs/${spec}/decisions`)).body.history[1].state).toBe('accepted')
    expect(edit("UPDATE review_decisions SET state = 'declined' WHERE spec_id = ? AND seq = 2")).toBe(1)
    expect(await verify()).toMatchObject({ ok: true, entries: 4 })

    const history = (await fetchAs(first, team, 'GET', `/api/specs/${spec}/decisions`)).body.history as DecisionEntry[]
    await first.stop()
    const second = await startTestService({ storage: 'sqlite', dataDir })
    const again = await signInAs(second, 'team')
    expect((await fetchAs(second, again, 'GET', `/api/specs/${spec}/decisions`)).body.history).toEqual(history)
    const next = await fetchAs(second, again, 'POST', `/api/specs/${spec}/decisions`, { subjectId: '11:0', state: 'under_discussion' })
    expect(next.body.decision).toMatchObject({ seq: 5, supersedes: 2, prevHash: history[3]!.hash })
  })
})

describe('decisions on Postgres (REVIEW_DATABASE_URL)', () => {
  const schema = `review_http_${process.pid}_${Date.now().toString(36)}`
  const admin = new pg.Pool({ connectionString: PG_URL, max: 1 })
  afterAll(async () => {
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)
    await admin.end()
  })

  it('keeps the ledger in Postgres while the specs stay in SQLite, and readiness checks it', async () => {
    await admin.query(`CREATE SCHEMA ${schema}`)
    const reviewDatabaseUrl = `${PG_URL}?options=${encodeURIComponent(`-c search_path=${schema}`)}`
    const service = await startTestService({ storage: 'sqlite', reviewDatabaseUrl })
    const spec = await createSpec(service)
    const team = await signInAs(service, 'team')
    const res = await fetchAs(service, team, 'POST', `/api/specs/${spec}/decisions`, { subjectId: '42:0', state: 'planned', note: 'Next sprint.' })
    expect(res.status).toBe(201)
    const rows = await admin.query(`SELECT seq, state, note, hash FROM ${schema}.review_decisions WHERE spec_id = $1`, [spec])
    expect(rows.rows).toEqual([{ seq: 1, state: 'planned', note: 'Next sprint.', hash: res.body.decision.hash }])
    expect((await fetchAs(service, team, 'GET', `/api/specs/${spec}/decisions/verify`)).body).toMatchObject({ ok: true, entries: 1 })
    expect((await fetch(`${service.url}/readyz`)).status).toBe(200)

    await admin.query(`UPDATE ${schema}.review_decisions SET note = 'Never.' WHERE spec_id = $1`, [spec])
    expect((await fetchAs(service, team, 'GET', `/api/specs/${spec}/decisions/verify`)).body).toMatchObject({ ok: false, firstBadIndex: 0 })
  })

  it('refuses to start when the ledger database cannot be reached', async () => {
    await expect(startTestService({ storage: 'memory', reviewDatabaseUrl: 'postgres://postgres@127.0.0.1:1/test' })).rejects.toThrow()
  })
})
