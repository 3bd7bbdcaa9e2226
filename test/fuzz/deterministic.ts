/**
 * One deterministic convergence run. Real y-websocket providers, wired like the browser (its
 * counting socket and save wiring), edit one spec with ProseMirror transforms written by
 * y-prosemirror, over the in-memory network (test/helpers/memory-network.ts) into the server's
 * own RoomRegistry, Room and Connection with a memory DocStore.
 *
 * One lib0/prng seed draws every choice: the Yjs clientIDs, which client edits and how, which
 * queued frame is delivered next, when a connection opens, when someone goes offline (and keeps
 * editing) or the network drops a link, presence changes, and how far the clock moves. Timers
 * and Date are fake (provider reconnect backoff, attribution debounce, idle unload), storage
 * commits on microtasks, and every step ends with the room's commit tail and all microtasks
 * settled. So a seed replays exactly: the same op log and the same bytes.
 */
import os from 'node:os'
import path from 'node:path'
import fs from 'node:fs'
import { expect, vi } from 'vitest'
import * as Y from 'yjs'
import * as prng from 'lib0/prng'
import { WebsocketProvider } from 'y-websocket'
import { yXmlFragmentToProsemirrorJSON } from 'y-prosemirror'
import { countingWebSocket } from '../../client/collab/counting-socket.js'
import { trackSaves } from '../../shared/save-wiring.js'
import { SaveTracker } from '../../shared/save-status.js'
import { CloseCode, PROTOCOL_VERSION, messageAttribution, readAttribution } from '../../shared/protocol.js'
import { FRAGMENT_NAME, emptySpecUpdate, schema } from '../../shared/schema.js'
import type { Principal } from '../../shared/identity.js'
import { MemoryDocStore } from '../../server/storage/memory.js'
import { AttributionEngine } from '../../server/attribution/index.js'
import { RoomRegistry } from '../../server/sync/rooms.js'
import { Connection } from '../../server/sync/connection.js'
import { createLogger } from '../../server/observability/logger.js'
import { MemoryNetwork, type Move } from '../helpers/memory-network.js'
import { pmDoc, writePm } from '../helpers/pm-edit.js'
import { randomEdit } from './edits.js'

/** Size of a run. */
export interface RunOptions {
  clients: number
  steps: number
}

/** What a run ends with; equal for equal seeds. */
export interface RunResult {
  log: string[]
  /** The converged document as ProseMirror JSON. */
  json: unknown
  /** The server's document state, base64 (byte-identical across replays). */
  state: string
}

const SPEC = 'fuzz-spec'
/** The fake clock starts here. */
const EPOCH = Date.UTC(2025, 0, 1)
/** Moves and clock ticks allowed for everyone to converge after the random steps. */
const QUIESCE_LIMIT = 50_000

interface FuzzClient {
  index: number
  principal: Principal
  doc: Y.Doc
  provider: WebsocketProvider
  tracker: SaveTracker
  /** The last attribution message received (JSON text). */
  attribution: string | null
  /** Closes the server initiated (any is a failure: every client here is honest). */
  refusals: string[]
}

const jsonOf = (doc: Y.Doc): unknown => yXmlFragmentToProsemirrorJSON(doc.getXmlFragment(FRAGMENT_NAME))
const base64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64')

/**
 * Runs `seed` and checks convergence: identical ProseMirror JSON on every client, the server
 * and in storage, every client saved, attribution covering every character and naming only
 * participants. On failure the error names the seed and the op log (full log in a temp file).
 */
export async function runDeterministic(seed: number, opts: RunOptions): Promise<RunResult> {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'], now: EPOCH })
  const log: string[] = []
  let world: World | null = null
  try {
    world = await createWorld(seed, opts, log)
    await world.play(opts.steps)
    await world.quiesce()
    return await world.check()
  } catch (err) {
    const file = path.join(os.tmpdir(), `valence-fuzz-${seed}.log`)
    fs.writeFileSync(file, log.join('\n') + '\n')
    const context =
      `seed ${seed} failed; replay: FUZZ_SEED=${seed} npx vitest run test/fuzz/convergence.test.ts\n` +
      `op log (last 80 of ${log.length}; all in ${file}):\n${log.slice(-80).join('\n')}`
    console.error(context)
    // The original error keeps vitest's diff of expected and actual; the seed leads its message.
    if (err instanceof Error) err.message = `seed ${seed} (op log ${file}): ${err.message}`
    throw err
  } finally {
    await world?.destroy()
    vi.useRealTimers()
  }
}

type World = Awaited<ReturnType<typeof createWorld>>

/** Builds the server, the network and the clients, and returns the phases of a run. */
async function createWorld(seed: number, opts: RunOptions, log: string[]) {
  const gen = prng.create(seed)
  const people: Principal[] = Array.from({ length: opts.clients }, (_, i) => ({
    participantId: `person-${i}`,
    displayName: `Person ${i}`,
    // Half customers, half team: attribution groups both ways.
    role: i % 2 ? 'team' : 'customer',
    kind: 'token',
    email: null
  }))
  const byId = new Map(people.map((p) => [p.participantId, p]))
  const docs = new MemoryDocStore({ foldFacts: AttributionEngine.fold })
  await docs.append(SPEC, emptySpecUpdate())
  const logger = createLogger(process.env.TEST_LOG_LEVEL ?? 'silent')
  const rooms = new RoomRegistry({
    docs,
    log: logger,
    // Small, so compaction and idle unload (reload from storage) happen within a run.
    compactEvery: 20,
    idleMs: 1000,
    attributionDelayMs: 250,
    lookupParticipant: async (id) => {
      const p = byId.get(id)
      return p ? { displayName: p.displayName, role: p.role } : null
    }
  })
  const network = new MemoryNetwork((link, socket) => {
    const principal = byId.get(link.token)
    if (!principal) throw new Error(`unknown token ${link.token}`)
    const conn = new Connection(socket, { extensions: true, log: logger, principal, access: 'write' })
    rooms.join(SPEC, conn).catch((err: unknown) => {
      log.push(`join #${link.id} failed: ${String(err)}`)
      conn.close(CloseCode.storageUnavailable, 'storage unavailable')
    })
    return conn
  })
  const clients: FuzzClient[] = people.map((principal, index) => {
    const doc = new Y.Doc()
    // Drawn from the seed: Yjs orders concurrent inserts by clientID.
    doc.clientID = prng.uint32(gen, 1, 0x7fffffff)
    const tracker = new SaveTracker()
    const provider = new WebsocketProvider('ws://memory/ws', SPEC, doc, {
      params: { v: String(PROTOCOL_VERSION), token: principal.participantId },
      WebSocketPolyfill: countingWebSocket(tracker, network.WebSocket),
      disableBc: true,
      connect: false
    })
    trackSaves(provider, doc, tracker)
    log.push(`c${index} is ${principal.participantId} (${principal.role}), clientID ${doc.clientID}`)
    const client: FuzzClient = { index, principal, doc, provider, tracker, attribution: null, refusals: [] }
    provider.on('connection-close', (event) => {
      // null: closed locally; 1006: the network dropped the link.
      if (event && event.code !== 1006) client.refusals.push(`${event.code} ${event.reason}`)
    })
    provider.messageHandlers[messageAttribution] = (_encoder, decoder) => {
      client.attribution = readAttribution(decoder)
    }
    provider.connect()
    return client
  })

  /** Lets every commit and every microtask finish; nothing else can run (no I/O, fake timers). */
  const settle = async (): Promise<void> => {
    await rooms.get(SPEC)?.whenCommitted()
    await new Promise<void>((resolve) => setImmediate(resolve))
    for (const c of clients) {
      if (c.refusals.length > 0) throw new Error(`the server closed client ${c.index}: ${c.refusals.join(', ')}`)
    }
  }
  const deliver = async (moves: Move[]): Promise<void> => {
    log.push(network.perform(prng.oneOf(gen, moves)))
    await settle()
    network.prune()
  }
  const tick = async (ms: number): Promise<void> => {
    log.push(`clock +${ms}ms`)
    await vi.advanceTimersByTimeAsync(ms)
    await settle()
  }
  const edit = (c: FuzzClient): void => {
    const fragment = c.doc.getXmlFragment(FRAGMENT_NAME)
    if (fragment.length === 0) {
      // A client that never synced shows the empty skeleton; its first keystroke seeds it, as
      // client/editor/seed.ts does (the seed update is byte-identical everywhere).
      Y.applyUpdate(c.doc, emptySpecUpdate(), 'seed')
      log.push(`c${c.index} seed`)
    }
    const e = randomEdit(gen, pmDoc(c.doc))
    if (!e) return
    log.push(`c${c.index} ${c.provider.wsconnected ? '' : '(offline) '}${e.op}`)
    writePm(c.doc, e.tr.doc)
  }
  const stateOf = (c: FuzzClient) => ({
    client: c.index,
    ...c.tracker.current,
    connected: c.provider.wsconnected,
    synced: c.provider.synced,
    shouldConnect: c.provider.shouldConnect
  })
  const settled = (): boolean =>
    clients.every((c) => c.provider.synced && c.tracker.current.status === 'saved')

  return {
    /** The random phase. */
    async play(steps: number): Promise<void> {
      for (let step = 0; step < steps; step++) {
        const roll = prng.uint32(gen, 0, 99)
        const c = prng.oneOf(gen, clients)
        if (roll < 45) {
          for (let n = prng.uint32(gen, 1, 8); n > 0; n--) {
            const moves = network.moves()
            if (moves.length > 0) await deliver(moves)
          }
        } else if (roll < 80) {
          edit(c)
        } else if (roll < 86) {
          await tick(prng.uint32(gen, 1, 400))
        } else if (roll < 90) {
          c.provider.awareness.setLocalStateField('cursor', { anchor: prng.uint32(gen, 0, 40) })
          log.push(`c${c.index} presence`)
        } else if (roll < 96) {
          if (c.provider.shouldConnect) c.provider.disconnect()
          else c.provider.connect()
          log.push(`c${c.index} ${c.provider.shouldConnect ? 'connect' : 'disconnect'}`)
        } else {
          const open = network.open
          if (open.length > 0) {
            const link = prng.oneOf(gen, open)
            log.push(`drop #${link.id}`)
            network.drop(link)
          }
        }
        await settle()
      }
    },

    /**
     * Everyone back online; frames delivered in seeded order and the clock moved only when
     * nothing is in flight, until every client is synced and saved. Then the attribution
     * debounce runs out and its messages are delivered too.
     */
    async quiesce(): Promise<void> {
      log.push('--- quiesce')
      for (const c of clients) if (!c.provider.shouldConnect) c.provider.connect()
      let budget = QUIESCE_LIMIT
      for (let ticked = false; ; ) {
        if (--budget < 0) throw new Error(`did not quiesce: ${JSON.stringify(clients.map(stateOf))}`)
        const moves = network.moves()
        if (moves.length > 0) {
          await deliver(moves)
        } else if (!settled()) {
          await tick(100)
        } else if (!ticked) {
          await tick(1000)
          ticked = true
        } else {
          break
        }
      }
    },

    async check(): Promise<RunResult> {
      const room = rooms.get(SPEC)
      expect(room, 'room loaded').toBeDefined()
      const expected = jsonOf(room!.doc)
      for (const c of clients) {
        expect(c.tracker.current.status, `client ${c.index} save status`).toBe('saved')
        expect(jsonOf(c.doc), `client ${c.index} document`).toEqual(expected)
      }
      const stored = new Y.Doc()
      for (const u of (await docs.load(SPEC)).updates) Y.applyUpdate(stored, u)
      expect(jsonOf(stored), 'stored document').toEqual(expected)
      // Attribution accounts for every character, and only real participants wrote any.
      const attribution = await room!.attribution()
      for (const block of attribution.blocks) {
        expect(block.runs.reduce((n, r) => n + r.length, 0), 'attributed characters').toBe(block.length)
        for (const who of block.contributors) expect(byId.has(who.participantId), `contributor ${who.participantId}`).toBe(true)
      }
      // Every client was last told the attribution of the final document.
      for (const c of clients) {
        expect(c.attribution === null ? null : JSON.parse(c.attribution), `client ${c.index} attribution`).toEqual(attribution)
      }
      // The result is a valid spec document.
      expect(() => schema.nodeFromJSON(expected as Record<string, unknown>).check()).not.toThrow()
      return { log: [...log], json: expected, state: base64(Y.encodeStateAsUpdate(room!.doc)) }
    },

    async destroy(): Promise<void> {
      for (const c of clients) {
        c.provider.destroy()
        c.doc.destroy()
      }
      await rooms.shutdown()
    }
  }
}
