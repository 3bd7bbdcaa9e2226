/**
 * Cold load of a large spec: the automerge-paper trace stored in a Valence SQLite database the
 * way the server stores it (one row per client update, through `openSqliteStorage` and the spec
 * store), then loaded by a fresh server process for a new client, once from the raw update log
 * and once after `docs.compact`.
 *
 * "Cold" means a new server process (room load from storage + sync); the database file itself is
 * still in the OS page cache from being written, which a benchmark cannot drop without root.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { performance } from 'node:perf_hooks'
import Database from 'better-sqlite3'
import { openSqliteStorage } from '../server/storage/sqlite.js'
import { AttributionEngine } from '../server/attribution/index.js'
import { emptySpecUpdate } from '../shared/schema.js'
import { connectClient, whenSynced } from './clients.js'
import { readCpu, startServer } from './servers.js'
import { BENCH_ADMIN_ENV, signIn } from './session.js'
import { median } from './stats.js'
import { readTrace, replayTrace, TRACE_TEXT } from './trace.js'

/** One cold start of a server process until a new client is synced. */
export interface ColdLoadSample {
  /** Spawn until the server answered `/healthz`. */
  listenMs: number
  /** Sign-in and WebSocket token over HTTP (a browser would already hold a session). */
  authMs: number
  /** Connecting until the new client's provider was synced with the full text. */
  syncMs: number
  /** Spawn until synced. */
  totalMs: number
  /** Server CPU from spawn until synced (includes Node + tsx start-up). */
  serverCpuMs: number
}

/** Size and shape of one database variant. */
export interface DbFigures {
  /** Bytes of every file in the DATA_DIR (database, WAL, shm). */
  bytes: number
  /** Rows in the update log plus snapshot rows. */
  logRows: number
  snapshotRows: number
  /** Sum of the stored update/snapshot blob lengths. */
  payloadBytes: number
}

/** Everything the cold-load part measured. */
export interface ColdLoadResult {
  traceFile: string
  patches: number
  updates: number
  finalChars: number
  replayMs: number
  /** Writing every update into a fresh database (one group-commit batch). */
  storeMs: number
  compactMs: number
  raw: DbFigures
  compacted: DbFigures
  /** The compacted database after `VACUUM` (not something the server runs). */
  compactedVacuumedBytes: number
  rawSamples: ColdLoadSample[]
  compactedSamples: ColdLoadSample[]
  rawMedian: ColdLoadSample
  compactedMedian: ColdLoadSample
}

const DB_FILE = 'valence.db'

function dirBytes(dir: string): number {
  let total = 0
  for (const name of fs.readdirSync(dir)) total += fs.statSync(path.join(dir, name)).size
  return total
}

function dbFigures(dir: string): DbFigures {
  const db = new Database(path.join(dir, DB_FILE))
  try {
    const log = db.prepare('SELECT count(*) AS n, coalesce(sum(length(data)), 0) AS b FROM doc_updates').get() as { n: number; b: number }
    const snap = db.prepare('SELECT count(*) AS n, coalesce(sum(length(data)), 0) AS b FROM doc_snapshots').get() as { n: number; b: number }
    return { bytes: 0, logRows: log.n, snapshotRows: snap.n, payloadBytes: log.b + snap.b }
  } finally {
    // Closing the last connection checkpoints the WAL, so the file sizes below are final.
    db.close()
  }
}

function figures(dir: string): DbFigures {
  const f = dbFigures(dir)
  return { ...f, bytes: dirBytes(dir) }
}

/** Stores the spec (skeleton first, as `POST /api/specs` does) and every update; returns the spec id. */
async function storeSpec(dir: string, updates: readonly Uint8Array[]): Promise<string> {
  const storage = openSqliteStorage({ file: path.join(dir, DB_FILE), commitWindowMs: 0, synchronous: 'FULL', foldFacts: AttributionEngine.fold })
  try {
    const spec = await storage.specs.create('automerge-paper')
    const appends = [storage.docs.append(spec.id, emptySpecUpdate())]
    for (const update of updates) appends.push(storage.docs.append(spec.id, update))
    await Promise.all(appends)
    return spec.id
  } finally {
    await storage.close()
  }
}

async function compact(dir: string, specId: string): Promise<number> {
  const storage = openSqliteStorage({ file: path.join(dir, DB_FILE), commitWindowMs: 0, synchronous: 'FULL', foldFacts: AttributionEngine.fold })
  try {
    const t0 = performance.now()
    await storage.docs.compact(specId)
    return performance.now() - t0
  } finally {
    await storage.close()
  }
}

/**
 * Starts a server on `dataDir` once, untimed, so it creates the bench facilitator: every timed
 * start then finds the same database apart from the document.
 */
async function primeAccount(dataDir: string): Promise<void> {
  const server = await startServer('valence', { dataDir, env: BENCH_ADMIN_ENV })
  await server.stop()
}

/** Starts a server on `dataDir` and times it until a new client holds `expected`. */
async function coldLoadOnce(dataDir: string, specId: string, expected: string): Promise<ColdLoadSample> {
  const server = await startServer('valence', { dataDir, pollMs: 5, env: BENCH_ADMIN_ENV })
  try {
    const session = await signIn(server.url)
    const token = await session.wsToken(specId)
    const connectAt = performance.now()
    const client = connectClient('valence', server.url, specId, token, false)
    try {
      await whenSynced(client, 120_000)
      const syncedAt = performance.now()
      const cpu = readCpu(server.pid)
      const text = client.doc.getText(TRACE_TEXT).toString()
      if (text !== expected) throw new Error(`cold load synced ${text.length} chars, expected ${expected.length}`)
      return {
        listenMs: server.readyAt - server.spawnedAt,
        authMs: connectAt - server.readyAt,
        syncMs: syncedAt - connectAt,
        totalMs: syncedAt - server.spawnedAt,
        serverCpuMs: cpu.statUs / 1000
      }
    } finally {
      client.destroy()
    }
  } finally {
    await server.stop()
  }
}

const medianSample = (samples: ColdLoadSample[]): ColdLoadSample => ({
  listenMs: median(samples.map((s) => s.listenMs)),
  authMs: median(samples.map((s) => s.authMs)),
  syncMs: median(samples.map((s) => s.syncMs)),
  totalMs: median(samples.map((s) => s.totalMs)),
  serverCpuMs: median(samples.map((s) => s.serverCpuMs))
})

/**
 * Runs the cold-load part: replay, store, compact a copy, then `runs` interleaved cold starts of
 * each variant (raw, compacted).
 */
export async function benchColdLoad(traceFile: string, runs: number, log: (line: string) => void): Promise<ColdLoadResult> {
  const trace = readTrace(traceFile)
  const replay = replayTrace(trace)
  log(`  replayed ${replay.patches} patches into ${replay.updates.length} updates in ${replay.ms.toFixed(0)} ms; text matches endContent`)
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'valence-bench-cold-'))
  try {
    const rawDir = path.join(root, 'raw')
    const compactedDir = path.join(root, 'compacted')
    const vacuumDir = path.join(root, 'vacuumed')
    const t0 = performance.now()
    const specId = await storeSpec(rawDir, replay.updates)
    const storeMs = performance.now() - t0
    await primeAccount(rawDir)
    const raw = figures(rawDir)
    fs.cpSync(rawDir, compactedDir, { recursive: true })
    const compactMs = await compact(compactedDir, specId)
    const compacted = figures(compactedDir)
    fs.cpSync(compactedDir, vacuumDir, { recursive: true })
    const vdb = new Database(path.join(vacuumDir, DB_FILE))
    vdb.exec('VACUUM')
    vdb.close()
    const compactedVacuumedBytes = dirBytes(vacuumDir)
    log(`  stored ${raw.logRows} rows in ${storeMs.toFixed(0)} ms; compacted a copy in ${compactMs.toFixed(0)} ms`)

    const rawSamples: ColdLoadSample[] = []
    const compactedSamples: ColdLoadSample[] = []
    for (let i = 0; i < runs; i++) {
      rawSamples.push(await coldLoadOnce(rawDir, specId, trace.endContent))
      compactedSamples.push(await coldLoadOnce(compactedDir, specId, trace.endContent))
      log(`  run ${i + 1}/${runs}: raw ${rawSamples[i]!.totalMs.toFixed(0)} ms, compacted ${compactedSamples[i]!.totalMs.toFixed(0)} ms`)
    }
    const rawAfter = dbFigures(rawDir)
    if (rawAfter.logRows !== raw.logRows) {
      log(`  note: the raw log changed during the runs (${raw.logRows} -> ${rawAfter.logRows} rows)`)
    }
    return {
      traceFile,
      patches: replay.patches,
      updates: replay.updates.length,
      finalChars: trace.endContent.length,
      replayMs: replay.ms,
      storeMs,
      compactMs,
      raw,
      compacted,
      compactedVacuumedBytes,
      rawSamples,
      compactedSamples,
      rawMedian: medianSample(rawSamples),
      compactedMedian: medianSample(compactedSamples)
    }
  } finally {
    fs.rmSync(root, { recursive: true, force: true })
  }
}
