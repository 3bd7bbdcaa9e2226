/**
 * What review tracking adds to the whole sync path of a keystroke (issue 10: "adding review
 * tracking to the sync path costs at most 5% more CPU per keystroke"), measured on the real
 * parts in process: a {@link Room} on the storage `npm start` opens (SQLite in WAL mode in a
 * temp DATA_DIR, documents with `synchronous=FULL`), a customer's {@link Connection} sending the automerge-paper keystrokes as sync
 * frames, a team member's connection receiving the fan-out, and each keystroke sent once the
 * previous one was acknowledged (what a provider's save status waits for). Per keystroke the
 * room decodes, validates, attributes, commits the update with its facts, broadcasts and acks.
 *
 * Two ways, in interleaved rounds: `without` review (no contributions or removals deps, the
 * path before review existed) and `with` review (contributions and removals on their SQLite
 * stores, as `npm start` wires them). The contributions pass runs once per
 * {@link KEYSTROKES_PER_PASS} keystrokes (its debounce is one second: a fast typist's
 * keystrokes per second), flushed through the same call the HTTP lists use; `without` makes
 * the same call. CPU is `process.cpuUsage()` over the whole run divided by the keystrokes.
 *
 * Most of this path is SQLite's commit (an fsync per acknowledged keystroke), whose CPU cost
 * varies by more than review adds, so `with / without` is reported with its spread but is not
 * the verdict. The verdict (bench/run.ts) adds two clean measurements: what review adds per
 * keystroke in process with a memory store (bench/review-path.ts, `review - attribute`: removal
 * capture, the contributions listeners and passes), plus the contributions store's SQLite saves
 * timed here, over this path's CPU per keystroke without review.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import * as decoding from 'lib0/decoding'
import * as encoding from 'lib0/encoding'
import * as syncProtocol from 'y-protocols/sync'
import { emptySpecUpdate } from '../shared/schema.js'
import { messageAck, messageSync } from '../shared/protocol.js'
import { Room } from '../server/sync/room.js'
import { Connection } from '../server/sync/connection.js'
import { OPEN, type SocketLike } from '../server/sync/socket.js'
import { openContributionStore, openRemovalStore, openStorage } from '../server/service.js'
import { configWith } from '../server/config.js'
import { createLogger } from '../server/observability/logger.js'
import type { Role } from '../shared/permissions.js'
import { KEYSTROKES_PER_PASS } from './review-path.js'
import type { ContributionStore } from '../server/review/contribution-store.js'
import { keystrokeUpdates } from './sync-path.js'
import { median } from './stats.js'
import type { Trace } from './trace.js'

type Mode = 'without' | 'with'

/** Result of {@link benchReviewSyncPath}. */
export interface ReviewSyncPathResult {
  updates: number
  rounds: number
  keystrokesPerPass: number
  /** Median CPU microseconds per keystroke, per mode. */
  cpuUsPerUpdate: Record<Mode, number>
  /** `with / without` (noisy: most of the path is SQLite's fsync, whose CPU cost varies). */
  ratio: number
  /** Each mode's per-round figures, to show that spread. */
  samples: Record<Mode, number[]>
  /** CPU of the contributions store's saves, per keystroke (timed directly around each save). */
  saveUsPerUpdate: number
}

const SPEC = 'bench-review-sync'
const log = createLogger('silent')

/** A socket in memory that resolves waiters when the room acknowledges `count` updates. */
class AckSocket implements SocketLike {
  readyState = OPEN
  bufferedAmount = 0
  acked = 0
  private waiter: { count: number; resolve: () => void } | null = null

  send(data: Uint8Array): void {
    const decoder = decoding.createDecoder(data)
    if (decoding.readVarUint(decoder) !== messageAck) return
    this.acked = decoding.readVarUint(decoder)
    if (this.waiter !== null && this.acked >= this.waiter.count) {
      this.waiter.resolve()
      this.waiter = null
    }
  }

  close(): void {
    this.readyState = 3
  }

  until(count: number): Promise<void> {
    if (this.acked >= count) return Promise.resolve()
    return new Promise((resolve) => (this.waiter = { count, resolve }))
  }
}

function connection(id: string, role: Role, socket: SocketLike): Connection {
  return new Connection(socket, {
    extensions: true,
    log,
    principal: { participantId: id, displayName: id, role, kind: 'token', email: null },
    access: 'write'
  })
}

function updateFrame(update: Uint8Array): Uint8Array {
  const encoder = encoding.createEncoder()
  encoding.writeVarUint(encoder, messageSync)
  syncProtocol.writeUpdate(encoder, update)
  return encoding.toUint8Array(encoder)
}

async function runMode(mode: Mode, frames: readonly Uint8Array[]): Promise<{ cpuUs: number; saveUs: number }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'valence-review-sync-'))
  // Opened exactly as `npm start` opens them (default configuration, SQLite under DATA_DIR).
  const config = configWith({ dataDir: dir })
  const storage = openStorage(config)
  let saveUs = 0
  const opened = mode === 'with' ? await openContributionStore(config, log) : null
  const contributions: ContributionStore | null =
    opened === null
      ? null
      : {
          save: async (records) => {
            const t = process.cpuUsage()
            await opened.save(records)
            const used = process.cpuUsage(t)
            saveUs += used.user + used.system
          },
          list: (specId, participantId) => opened.list(specId, participantId),
          close: () => opened.close()
        }
  const removals = mode === 'with' ? await openRemovalStore(config, log) : null
  await storage.docs.append(SPEC, emptySpecUpdate())
  const people = new Map<string, Role>([['customer-1', 'customer'], ['team-1', 'team']])
  const room = await Room.load(SPEC, {
    docs: storage.docs,
    log,
    compactEvery: 500,
    lookupParticipant: async (id) => (people.has(id) ? { displayName: id, role: people.get(id)! } : null),
    ...(contributions === null || removals === null
      ? {}
      : {
          // The debounce never fires here: the bench flushes every KEYSTROKES_PER_PASS keystrokes.
          contributions: { store: contributions, delayMs: 3_600_000, lookup: async () => ({ role: 'customer' as const, panelIds: [] }) },
          removals: { store: removals, lookup: async () => ({ role: 'customer' as const }) }
        })
  })
  const writerSocket = new AckSocket()
  const writer = connection('customer-1', 'customer', writerSocket)
  const reader = connection('team-1', 'team', new AckSocket())
  writer.attach(room)
  reader.attach(room)
  const start = process.cpuUsage()
  for (let i = 0; i < frames.length; i++) {
    writer.receive(frames[i]!)
    await writerSocket.until(i + 1)
    if ((i + 1) % KEYSTROKES_PER_PASS === 0) await (await room.recordsAfterCommit())?.flushContributions()
  }
  await (await room.recordsAfterCommit())?.flushContributions()
  const used = process.cpuUsage(start)
  room.closeAll(1001, 'bench over')
  await room.unload()
  await contributions?.close()
  await removals?.close()
  await storage.close()
  fs.rmSync(dir, { recursive: true, force: true })
  return { cpuUs: (used.user + used.system) / frames.length, saveUs: saveUs / frames.length }
}

/** Runs both modes in interleaved rounds and reports the medians and the ratio. */
export async function benchReviewSyncPath(trace: Trace, opts: { updates: number; rounds: number }, out: (line: string) => void): Promise<ReviewSyncPathResult> {
  const frames = keystrokeUpdates(trace, opts.updates).map(updateFrame)
  const samples: Record<Mode, number[]> = { without: [], with: [] }
  const saves: number[] = []
  await runMode('with', frames.slice(0, 1000)) // warm-up
  for (let round = 0; round < opts.rounds; round++) {
    for (const mode of ['without', 'with'] as const) {
      const { cpuUs, saveUs } = await runMode(mode, frames)
      samples[mode].push(cpuUs)
      if (mode === 'with') saves.push(saveUs)
    }
  }
  out(`review on the whole sync path: ${frames.length} keystrokes x ${opts.rounds} interleaved rounds through a Room on SQLite, acked one by one, a contributions pass per ${KEYSTROKES_PER_PASS}`)
  const cpu = { without: median(samples.without), with: median(samples.with) }
  return { updates: frames.length, rounds: opts.rounds, keystrokesPerPass: KEYSTROKES_PER_PASS, cpuUsPerUpdate: cpu, ratio: cpu.with / cpu.without, samples, saveUsPerUpdate: median(saves) }
}
