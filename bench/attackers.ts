/**
 * The attacks of issue 7 (items 4-6), as raw WebSocket clients against one spec of a Valence
 * child: huge presence states, a million presence clientIDs, a flood of tiny updates and
 * presence, one update of 400k one-character items (as the team and as a customer), and sockets
 * that never read while writers keep the room busy. Each attack runs until told to stop, then
 * closes its sockets. attack.ts measures what they do to another room.
 */
import * as Y from 'yjs'
import * as encoding from 'lib0/encoding'
import WebSocket from 'ws'
import { messageAwareness, messageSync, syncUpdate } from '../shared/protocol.js'

/** Where an attack runs and how it gets credentials. */
export interface AttackTarget {
  /** `http://host:port` of the server. */
  url: string
  specId: string
  /** A fresh WebSocket token for the spec, as the team or as a customer. */
  token(role: 'team' | 'customer'): Promise<string>
}

/** What an attack reports: frames it sent and how the server closed its sockets. */
export interface AttackOutcome {
  framesSent: number
  bytesSent: number
  /** Close codes the attacker's sockets saw, with counts (e.g. `{"4409": 3}`). */
  closes: Record<string, number>
  /** Why the attack could not go on (e.g. the server stopped answering). */
  error?: string
}

/** One attack: `run` starts it and resolves once `stopped()` is true and its sockets closed. */
export interface Attack {
  name: string
  description: string
  run(target: AttackTarget, stopped: () => boolean): Promise<AttackOutcome>
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

/** An attacker socket that counts what it sent and remembers how it closed. */
class Raw {
  readonly ws: WebSocket
  readonly opened: Promise<void>
  readonly closed: Promise<number>
  constructor(target: AttackTarget, token: string, private readonly outcome: AttackOutcome) {
    this.ws = new WebSocket(`${target.url.replace(/^http/, 'ws')}/ws/${target.specId}?v=1&token=${encodeURIComponent(token)}`, {
      maxPayload: 512 * 1024 * 1024
    })
    this.ws.on('error', () => {})
    this.opened = new Promise((resolve, reject) => {
      this.ws.once('open', () => resolve())
      this.ws.once('close', () => reject(new Error('closed before open')))
    })
    this.opened.catch(() => {})
    this.closed = new Promise((resolve) =>
      this.ws.once('close', (code) => {
        outcome.closes[code] = (outcome.closes[code] ?? 0) + 1
        resolve(code)
      })
    )
  }

  get open(): boolean {
    return this.ws.readyState === WebSocket.OPEN
  }

  send(frame: Uint8Array): void {
    if (!this.open) return
    this.ws.send(frame)
    this.outcome.framesSent++
    this.outcome.bytesSent += frame.length
  }

  /** Waits until the client-side send buffer is below `bytes` (so the attacker itself stays bounded). */
  async drained(bytes: number, stopped: () => boolean): Promise<void> {
    while (this.open && this.ws.bufferedAmount > bytes && !stopped()) await sleep(5)
  }

  async close(): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return
    this.ws.terminate()
    await this.closed
  }
}

const newOutcome = (): AttackOutcome => ({ framesSent: 0, bytesSent: 0, closes: {} })

function awarenessFrame(entries: Array<{ clientID: number; clock: number; json: string }>): Uint8Array {
  const inner = encoding.createEncoder()
  encoding.writeVarUint(inner, entries.length)
  for (const e of entries) {
    encoding.writeVarUint(inner, e.clientID)
    encoding.writeVarUint(inner, e.clock)
    encoding.writeVarString(inner, e.json)
  }
  const outer = encoding.createEncoder()
  encoding.writeVarUint(outer, messageAwareness)
  encoding.writeVarUint8Array(outer, encoding.toUint8Array(inner))
  return encoding.toUint8Array(outer)
}

function updateFrame(update: Uint8Array): Uint8Array {
  const e = encoding.createEncoder()
  encoding.writeVarUint(e, messageSync)
  encoding.writeVarUint(e, syncUpdate)
  encoding.writeVarUint8Array(e, update)
  return encoding.toUint8Array(e)
}

/**
 * A token, retried: a worker starved of CPU (it runs at the lowest priority) can find its pooled
 * HTTP connection closed by the server's keep-alive timeout.
 */
async function tokenOf(target: AttackTarget, role: 'team' | 'customer'): Promise<string> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await target.token(role)
    } catch (err) {
      if (attempt >= 3) throw err
      await sleep(200)
    }
  }
}

/** Opens `n` sockets as `role`. */
async function openMany(target: AttackTarget, n: number, outcome: AttackOutcome, role: 'team' | 'customer' = 'team'): Promise<Raw[]> {
  const sockets: Raw[] = []
  for (let i = 0; i < n; i++) sockets.push(new Raw(target, await tokenOf(target, role), outcome))
  await Promise.allSettled(sockets.map((s) => s.opened))
  return sockets
}

async function until(stopped: () => boolean): Promise<void> {
  while (!stopped()) await sleep(20)
}

/** Item 4: ten presence states of 7 MB each, from ten team sockets. */
const presenceStates: Attack = {
  name: 'presence-states',
  description: '10 presence states of 7 MB each (team sockets)',
  async run(target, stopped) {
    const outcome = newOutcome()
    const sockets = await openMany(target, 10, outcome)
    const json = JSON.stringify({ cursor: null, pad: 'x'.repeat(7 * 1000 * 1000) })
    sockets.forEach((s, i) => s.send(awarenessFrame([{ clientID: 900_000 + i, clock: 1, json }])))
    await until(stopped)
    await Promise.all(sockets.map((s) => s.close()))
    return outcome
  }
}

/** Item 4: a million distinct presence clientIDs from one socket, 400 per frame. */
const presenceIds: Attack = {
  name: 'presence-ids',
  description: '1,000,000 distinct presence clientIDs, 400 per frame (one team socket)',
  async run(target, stopped) {
    const outcome = newOutcome()
    const [socket] = await openMany(target, 1, outcome)
    const s = socket!
    for (let next = 1; next <= 1_000_000 && !stopped() && s.open; next += 400) {
      const entries = Array.from({ length: 400 }, (_, i) => ({ clientID: next + i, clock: 1, json: '{"cursor":null}' }))
      s.send(awarenessFrame(entries))
      await s.drained(4 * 1024 * 1024, stopped)
    }
    await until(stopped)
    await s.close()
    return outcome
  }
}

/** Item 5: 60k tiny keystroke updates and 60k presence messages, interleaved, one socket. */
const updateFlood: Attack = {
  name: 'update-flood',
  description: '60k one-keystroke updates + 60k presence messages (one team socket)',
  async run(target, stopped) {
    const outcome = newOutcome()
    const [socket] = await openMany(target, 1, outcome)
    const s = socket!
    const doc = new Y.Doc()
    const frames: Uint8Array[] = []
    doc.on('update', (u: Uint8Array) => frames.push(updateFrame(u)))
    const text = doc.getText('flood')
    for (let i = 0; i < 60_000; i++) text.insert(text.length, 'x')
    for (let i = 0; i < 60_000 && !stopped() && s.open; i++) {
      s.send(frames[i]!)
      s.send(awarenessFrame([{ clientID: doc.clientID, clock: i + 1, json: `{"cursor":${i}}` }]))
      if (i % 1000 === 999) await s.drained(4 * 1024 * 1024, stopped)
    }
    await until(stopped)
    await s.close()
    return outcome
  }
}

/** One update of a fresh client holding `count` one-character items that do not merge. */
function manyItems(count: number): Uint8Array {
  const doc = new Y.Doc()
  const text = doc.getText('big')
  doc.transact(() => {
    for (let i = 0; i < count; i++) text.insert(0, 'x')
  })
  return Y.encodeStateAsUpdate(doc)
}

/** Item 5: one valid 4.2 MiB update of 400k one-character items, again and again. */
function bigUpdate(role: 'team' | 'customer'): Attack {
  return {
    name: `big-update-${role}`,
    description: `one valid ~4.2 MiB update of 400k one-character items, sent again on a new ${role} socket whenever closed`,
    async run(target, stopped) {
      const outcome = newOutcome()
      const frame = updateFrame(manyItems(400_000))
      while (!stopped()) {
        const [socket] = await openMany(target, 1, outcome, role)
        socket!.send(frame)
        // Refused: the server closes the socket. Accepted: it stays open; send another.
        await Promise.race([socket!.closed, sleep(2000)])
        await socket!.close()
      }
      return outcome
    }
  }
}

/**
 * Item 6: ten sockets that never read while sixteen writers keep the room busy. The writers
 * replace a 32 kB value in a map of their own every 100 ms: cheap to apply and attribute, and
 * the spec stays small, so what grows is only what the server sends the sockets that never read.
 */
const nonReaders: Attack = {
  name: 'non-readers',
  description: '10 sockets that never read + 16 writers replacing 32 kB every 100 ms (as fast as their budget allows)',
  async run(target, stopped) {
    const outcome = newOutcome()
    const readers = await openMany(target, 10, outcome)
    for (const r of readers) r.ws.pause()
    const writers = await openMany(target, 16, outcome)
    const docs = writers.map(() => new Y.Doc())
    let round = 0
    while (!stopped()) {
      writers.forEach((w, i) => {
        // The server pauses writers over their byte budget; do not pile up sends meanwhile.
        if (w.ws.bufferedAmount > 1024 * 1024) return
        const doc = docs[i]!
        let update: Uint8Array | null = null
        const capture = (u: Uint8Array): void => {
          update = u
        }
        doc.on('update', capture)
        doc.getMap(`w${i}`).set('v', String(round % 10).repeat(32_000))
        doc.off('update', capture)
        if (update) w.send(updateFrame(update))
      })
      round++
      await sleep(100)
    }
    await Promise.all([...readers, ...writers].map((s) => s.close()))
    return outcome
  }
}

/** Every attack, in the order the bench runs them. */
export const ATTACKS: readonly Attack[] = [presenceStates, presenceIds, updateFlood, bigUpdate('team'), bigUpdate('customer'), nonReaders]

/** What the bench tells an attack worker process (see {@link runAttackWorker}). */
export interface AttackOrder {
  attack: string
  url: string
  specId: string
}

/**
 * Attack worker: runs in its own process (forked by attack.ts), so the attacker's CPU work
 * (building 120k frames, say) never delays the victims' clients in the bench process, which
 * would count as server latency. Signs in itself, runs the ordered attack until the parent
 * sends 'stop', answers with the outcome and exits.
 */
export async function runAttackWorker(order: AttackOrder, signIn: (url: string) => Promise<{ wsToken(specId: string): Promise<string>; customerWsToken(specId: string): Promise<string> }>): Promise<AttackOutcome> {
  const attack = ATTACKS.find((a) => a.name === order.attack)
  if (!attack) throw new RangeError(`unknown attack ${order.attack}`)
  const session = await signIn(order.url)
  let stopped = false
  process.on('message', (m) => {
    if (m === 'stop') stopped = true
  })
  const target: AttackTarget = {
    url: order.url,
    specId: order.specId,
    token: (role) => (role === 'team' ? session.wsToken(order.specId) : session.customerWsToken(order.specId))
  }
  process.send?.('started')
  return attack.run(target, () => stopped)
}
