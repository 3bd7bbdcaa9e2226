/**
 * A server document driven by the attribution engine the way the room drives it (validate,
 * check the writer, apply with an origin naming the participant, keep the delta of each update),
 * and editor clients that write into their own Y.Doc with y-prosemirror's `updateYFragment`
 * inside a transaction whose origin is `ySyncPluginKey`, exactly like the sync plugin, with a
 * y-prosemirror-style UndoManager. No sockets: updates travel synchronously.
 */
import * as Y from 'yjs'
import { Transform } from 'prosemirror-transform'
import type { Node as PMNode, Schema } from 'prosemirror-model'
import { updateYFragment, yXmlFragmentToProseMirrorRootNode, ySyncPluginKey, defaultDeleteFilter, defaultProtectedNodes } from 'y-prosemirror'
import { FRAGMENT_NAME, emptySpecUpdate, schema as specSchema } from '../../shared/schema.js'
import type { Role } from '../../shared/permissions.js'
import type { SpecAttribution, BlockAttribution } from '../../shared/attribution.js'
import { AttributionEngine, type AttributionEngineOptions, type ParticipantDirectory } from '../../server/attribution/index.js'
import { validateUpdate } from '../../server/sync/validate-update.js'

/** Origin of the server-side transactions of one participant's update. */
interface ParticipantOrigin {
  participantId: string
}

const REMOTE = Symbol('remote')

export const DIRECTORY: ParticipantDirectory = new Map<string, { displayName: string; role: Role }>([
  ['cust-1', { displayName: 'Carla Customer', role: 'customer' }],
  ['cust-2', { displayName: 'Cem Customer', role: 'customer' }],
  ['team-1', { displayName: 'Tom Team', role: 'team' }],
  ['team-2', { displayName: 'Tia Team', role: 'facilitator' }]
])

/** The server side: one Y.Doc, the engine, the stored log of updates and attribution deltas. */
export class Server {
  doc = new Y.Doc({ gc: true })
  engine: AttributionEngine
  /** What storage would hold: each accepted update with the facts of the same write. */
  readonly log: Array<{ update: Uint8Array; facts: Uint8Array | null }> = []
  readonly clients: Client[] = []
  now = 1_000_000

  constructor(
    readonly options: AttributionEngineOptions = {},
    /** Schema of the editors and of {@link Server.pm} (a test may add marks to it). */
    readonly schema: Schema = specSchema
  ) {
    Y.applyUpdate(this.doc, emptySpecUpdate(), { source: 'server' })
    this.engine = this.attach(new AttributionEngine({ now: () => this.now, ...options }))
  }

  private attach(engine: AttributionEngine): AttributionEngine {
    engine.attach(this.doc, (origin) => (isParticipantOrigin(origin) ? origin.participantId : null))
    this.doc.on('update', (update: Uint8Array, origin: unknown, _doc: Y.Doc, tr: Y.Transaction) => {
      if (isParticipantOrigin(origin)) this.log.push({ update, facts: engine.takeDelta(tr) })
    })
    return engine
  }

  /** Validates, checks the writer, applies. Throws (and changes nothing) when refused. */
  receive(participantId: string, update: Uint8Array): void {
    const summary = validateUpdate(this.doc, update, { mayAddGc: () => true })
    this.engine.checkWrite(participantId, summary.added)
    Y.applyUpdate(this.doc, update, { participantId } satisfies ParticipantOrigin)
  }

  /** Simulates a restart: a new doc and engine from the stored log alone. */
  restart(): void {
    this.doc = new Y.Doc({ gc: true })
    Y.applyUpdate(this.doc, emptySpecUpdate(), { source: 'server' })
    for (const { update } of this.log) Y.applyUpdate(this.doc, update, { source: 'load' })
    const facts = this.log.flatMap((e) => (e.facts === null ? [] : [e.facts]))
    this.engine = this.attach(AttributionEngine.load(facts, { now: () => this.now, ...this.options }))
  }

  attribution(): SpecAttribution {
    return this.engine.compute(this.doc, DIRECTORY)
  }

  pm(): PMNode {
    return yXmlFragmentToProseMirrorRootNode(this.doc.getXmlFragment(FRAGMENT_NAME), this.schema)
  }

  /** Each block's text split into [text, authorId] pieces, mapped through the documented rule. */
  authored(): Array<{ type: string; pieces: Array<[string, string | null]> }> {
    const doc = this.pm()
    return this.attribution().blocks.map((b) => ({ type: b.type, pieces: piecesOf(doc, b) }))
  }

  /** Authors of the characters of `text` in the first block containing it (one entry per run). */
  authorsOf(text: string): Array<[string, string | null]> {
    const doc = this.pm()
    for (const b of this.attribution().blocks) {
      const pieces = piecesOf(doc, b)
      const full = pieces.map((p) => p[0]).join('')
      const at = full.indexOf(text)
      if (at < 0) continue
      const out: Array<[string, string | null]> = []
      let pos = 0
      for (const [t, author] of pieces) {
        const from = Math.max(at, pos)
        const to = Math.min(at + text.length, pos + t.length)
        if (from < to) out.push([full.slice(from, to), author])
        pos += t.length
      }
      return out
    }
    throw new Error(`no block contains ${JSON.stringify(text)}`)
  }
}

function isParticipantOrigin(origin: unknown): origin is ParticipantOrigin {
  return typeof origin === 'object' && origin !== null && 'participantId' in origin
}

/** Text of a block per the rule in shared/attribution.ts, cut into the block's runs. */
export function piecesOf(doc: PMNode, block: BlockAttribution): Array<[string, string | null]> {
  let node = doc
  for (const i of block.path) node = node.child(i)
  let text = ''
  const walk = (n: PMNode): void => {
    n.forEach((child) => {
      if (child.isText) text += child.text
      else if (child.type.name !== 'bullet_list' && child.type.name !== 'ordered_list') walk(child)
    })
  }
  walk(node)
  if (text.length !== block.length) throw new Error(`block ${block.path.join('.')} length ${block.length} but text ${JSON.stringify(text)}`)
  const out: Array<[string, string | null]> = []
  let at = 0
  for (const run of block.runs) {
    const last = out[out.length - 1]
    const piece = text.slice(at, at + run.length)
    if (last !== undefined && last[1] === run.authorId) last[0] += piece
    else out.push([piece, run.authorId])
    at += run.length
  }
  return out
}

/** An editor client of one participant. */
export class Client {
  readonly doc = new Y.Doc()
  readonly undoManager: Y.UndoManager
  online = true
  private readonly outbox: Uint8Array[] = []

  constructor(
    readonly server: Server,
    readonly participantId: string,
    /** A fixed clientID (seeded runs: Yjs orders concurrent inserts by clientID). */
    clientID?: number
  ) {
    if (clientID !== undefined) this.doc.clientID = clientID
    Y.applyUpdate(this.doc, Y.encodeStateAsUpdate(server.doc), REMOTE)
    this.doc.on('update', (update: Uint8Array, origin: unknown) => {
      if (origin !== REMOTE) this.outbox.push(update)
    })
    // As y-prosemirror's yUndoPlugin sets it up.
    this.undoManager = new Y.UndoManager(this.fragment, {
      trackedOrigins: new Set([ySyncPluginKey]),
      deleteFilter: (item) => defaultDeleteFilter(item, defaultProtectedNodes),
      captureTimeout: 0
    })
    server.clients.push(this)
  }

  get fragment(): Y.XmlFragment {
    return this.doc.getXmlFragment(FRAGMENT_NAME)
  }

  pm(): PMNode {
    return yXmlFragmentToProseMirrorRootNode(this.fragment, this.server.schema)
  }

  /** One ProseMirror transaction, written to Yjs like the sync plugin does; sent if online. */
  edit(change: (tr: Transform, doc: PMNode) => void): void {
    const tr = new Transform(this.pm())
    change(tr, tr.doc)
    this.doc.transact(() => {
      updateYFragment(this.doc, this.fragment, tr.doc, { mapping: new Map(), isOMark: new Map() })
    }, ySyncPluginKey)
    this.undoManager.stopCapturing()
    this.flush()
  }

  /** Inserts `text` at the end of the textblock containing `anchor` (or at `pos`). */
  type(text: string, at: number | { after: string }): void {
    this.edit((tr, doc) => tr.insert(typeof at === 'number' ? at : posAfter(doc, at.after), this.server.schema.text(text)))
  }

  undo(): void {
    this.undoManager.undo()
    this.flush()
  }

  redo(): void {
    this.undoManager.redo()
    this.flush()
  }

  /** Sends every pending update (one by one, as a provider does while connected). */
  flush(): void {
    if (!this.online) return
    for (const update of this.outbox.splice(0)) this.deliver(update)
  }

  /** Comes back online and sends its offline work as one sync step 2. */
  reconnect(): void {
    this.online = true
    this.outbox.length = 0
    const step2 = Y.encodeStateAsUpdate(this.doc, Y.encodeStateVector(this.server.doc))
    this.deliver(step2)
    Y.applyUpdate(this.doc, Y.encodeStateAsUpdate(this.server.doc, Y.encodeStateVector(this.doc)), REMOTE)
  }

  private deliver(update: Uint8Array): void {
    this.server.receive(this.participantId, update)
    for (const other of this.server.clients) {
      if (other !== this && other.online) Y.applyUpdate(other.doc, update, REMOTE)
    }
  }
}

/** PM position right after the first occurrence of `text`. */
export function posAfter(doc: PMNode, text: string): number {
  return posOf(doc, text) + text.length
}

/** PM position of the first occurrence of `text` (within one text node run of a textblock). */
export function posOf(doc: PMNode, text: string): number {
  let found = -1
  doc.descendants((node, pos) => {
    if (found >= 0) return false
    if (node.isTextblock) {
      const i = node.textContent.indexOf(text)
      if (i >= 0) found = pos + 1 + i
      return false
    }
    return true
  })
  if (found < 0) throw new Error(`text ${JSON.stringify(text)} not found`)
  return found
}
