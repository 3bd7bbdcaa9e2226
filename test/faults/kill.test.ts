/**
 * Process faults under load: the real server (a child process on SQLite, `synchronous=FULL`) is
 * killed with SIGKILL, or stopped with SIGTERM, while 20 real providers type into one spec.
 *
 * - Whatever the server acknowledged is in the database file, read directly after the process
 *   ended and before anything restarts (so no client can put it back).
 * - What is stored is sound: no duplicate, nothing nobody typed, and each client's edits a
 *   prefix of what it typed (never an update without the ones it builds on).
 * - SIGTERM exits 0 and tells every client 1001 (transient).
 * - After a restart on the same port the providers reconnect by themselves and every edit
 *   anyone made (before, during and after the fault) is stored exactly once.
 *
 * Short: one fault with 20 x 60 edits. `FAULTS_LONG=1`: three faults of 20 x 200 edits each.
 */
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import * as prng from 'lib0/prng'
import Database from 'better-sqlite3'
import path from 'node:path'
import { tempDir } from '../helpers/server.js'
import { CHILD_ADMIN_ENV, signInAt } from '../helpers/auth.js'
import { eventually } from '../helpers/eventually.js'
import { freePort, startWatchedServer, type WatchedServer } from '../helpers/watched-server.js'
import { SqliteDocStore, DB_FILE } from '../../server/storage/sqlite.js'
import { AttributionEngine } from '../../server/attribution/index.js'
import { Crowd, soundness, tokensIn, type Edit } from './crowd.js'
import { report, seeded, size } from './knobs.js'

const CLIENTS = 20
const PER_CLIENT = size(60, 200)
const ROUNDS = size(1, 3)
/** Mean pause between two edits of one client (ms): about 65 edits/s per client. */
const GAP_MS = 15

/** The spec's stored document, read from the database file of a server that is not running. */
async function readStored(dataDir: string, spec: string): Promise<Y.Doc> {
  const db = new Database(path.join(dataDir, DB_FILE))
  try {
    const stored = await new SqliteDocStore(db, { commitWindowMs: 1, foldFacts: AttributionEngine.fold }).load(spec)
    const doc = new Y.Doc()
    for (const u of stored.updates) Y.applyUpdate(doc, u)
    return doc
  } finally {
    db.close()
  }
}

/** Server log problems: error lines, anything on stderr. */
const troubles = (server: WatchedServer): string[] => [...server.errors, ...server.stderr]

async function underLoad(signal: 'SIGKILL' | 'SIGTERM'): Promise<void> {
  const { gen, replay } = seeded(`${signal} under load`)
  const dataDir = tempDir()
  const port = await freePort()
  const env = { DATA_DIR: dataDir, ...CHILD_ADMIN_ENV }
  let server = await startWatchedServer(env, { port })
  const session = await signInAt(server.url)
  const spec = await session.createSpec(`${signal} under load`)
  const typed: Edit[] = []
  const figures: Array<Record<string, number>> = []

  for (let round = 0; round < ROUNDS; round++) {
    const tokens = await Promise.all(Array.from({ length: CLIENTS }, () => session.wsToken(spec)))
    const crowd = await Crowd.connect(server.url, spec, tokens, round)
    const total = CLIENTS * PER_CLIENT
    // The fault comes once a seeded 30-70% of the edits were acknowledged.
    const faultAt = Math.floor(total * (0.3 + 0.4 * prng.real53(gen)))
    const typing = crowd.type(gen, PER_CLIENT, GAP_MS)
    await eventually(() => expect(crowd.acked.length, replay).toBeGreaterThanOrEqual(faultAt), 60_000, 5)
    const inFlight = crowd.edits.length
    expect(crowd.members.every((m) => m.client.closes.length === 0), `no client was closed before the fault; ${replay}`).toBe(true)
    server.proc.kill(signal)
    const code = await server.exited
    const acked = crowd.acked
    const ackedSet = new Set(acked.map((e) => e.token))
    const before = typed.length
    const sent = crowd.sentLive.length
    const madeByFault = crowd.edits.length

    // The database file, before anything restarts: every acknowledged edit is in it.
    const stored = tokensIn(await readStored(dataDir, spec))
    const storedSet = new Set(stored)
    const lost = acked.filter((e) => !storedSet.has(e.token))
    expect(lost.map((e) => e.token), `acknowledged edits lost after ${signal}; ${replay}`).toEqual([])
    expect(soundness(stored, [...typed, ...crowd.edits]), replay).toEqual([])
    if (signal === 'SIGTERM') {
      expect(code, replay).toBe(0)
      expect(troubles(server), replay).toEqual([])
      // Every client was told to come back (1001), not dropped.
      for (const m of crowd.members) {
        await eventually(() => expect(m.client.closes.map((c) => c.code), `client ${m.index}; ${replay}`).toContain(1001))
      }
    } else {
      expect(code).toBe('SIGKILL')
    }

    // The clients keep typing offline; the server comes back on the same port and they
    // reconnect on their own with everything they have.
    await typing
    typed.push(...crowd.edits)
    server = await startWatchedServer(env, { port })
    await crowd.allSaved(120_000)
    // Saved means each client's own edits are stored; everyone else's arrive by broadcast.
    await eventually(() => {
      for (const m of crowd.members) expect(new Set(tokensIn(m.client.doc)).size, `client ${m.index}; ${replay}`).toBe(typed.length)
    }, 60_000)
    figures.push({
      round,
      edits: crowd.edits.length,
      madeBeforeFault: inFlight,
      madeByFault,
      sentByFault: sent,
      ackedByFault: acked.length,
      storedByFault: stored.length - before,
      ackedLost: lost.length,
      storedUnacked: stored.length - before - ackedSet.size
    })
    crowd.destroy()
  }

  // Everything anyone typed is stored exactly once.
  server.proc.kill('SIGTERM')
  expect(await server.exited).toBe(0)
  const final = tokensIn(await readStored(dataDir, spec))
  expect(soundness(final, typed), replay).toEqual([])
  expect(final.length, replay).toBe(typed.length)
  expect(troubles(server), replay).toEqual([])
  report(`${signal} under load`, { clients: CLIENTS, rounds: figures })
}

describe('process faults under load', () => {
  it('kill -9 while 20 clients edit: every acknowledged edit survives, and nothing is lost once they reconnect', { timeout: size(120_000, 900_000) }, () =>
    underLoad('SIGKILL'))

  it('SIGTERM while 20 clients edit: exits 0, tells everyone 1001, and loses nothing', { timeout: size(120_000, 900_000) }, () =>
    underLoad('SIGTERM'))
})
