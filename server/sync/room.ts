/**
 * A room: one spec's live Y.Doc, its awareness, and the connections editing it.
 *
 * The durability rule lives here: an accepted update is applied to the in-memory doc at once
 * (so the next update of the same client validates against it), appended to storage, and only
 * after the append committed is it broadcast to the others and acknowledged to its author.
 * Everything that reveals document state to clients runs behind {@link Room.whenCommitted}.
 */
import * as Y from 'yjs'
import * as encoding from 'lib0/encoding'
import * as syncProtocol from 'y-protocols/sync'
import type { Awareness } from 'y-protocols/awareness'
import { CloseCode, messageSync } from '../../shared/protocol.js'
import { validateUpdate, type UpdateSummary } from './validate-update.js'
import { validateSchema } from './validate-schema.js'
import { quarantineInvalidContent } from './quarantine.js'
import { AttributionEngine, type AuthorMap, type ClientBindings } from '../attribution/index.js'
import { AttributionFeed } from './attribution-feed.js'
import { titleEdit } from './spec-title.js'
import { RoomRecords } from './room-records.js'
import type { RoomDeps } from './room-deps.js'
import { documentTitle } from '../../shared/spec-title.js'
import { restoreRemoval } from '../review/restore.js'
import type { RemovalRecord } from '../review/removals.js'
import type { SpecAttribution } from '../../shared/attribution.js'
import { isTxOrigin, participantOfOrigin, type TxOrigin } from './origin.js'
import type { Peer } from './peer.js'
import type { AwarenessEntry } from './awareness-codec.js'
import { RoomPresence } from './room-presence.js'
import { encodeFrame as frame } from './frames.js'
import { SpecSize, SpecTooLargeError } from './spec-size.js'

export type { RoomDeps } from './room-deps.js'

/** One live spec. Create with {@link Room.load}. */
export class Room {
  readonly doc = new Y.Doc({ gc: true })
  /** Who is here and where their caret is (room-presence.ts). */
  private readonly presence: RoomPresence
  /** The room's members: local connections, each seen only through {@link Peer}. */
  readonly conns = new Set<Peer>()
  /** Called when the last connection left. */
  onEmpty: (room: Room) => void = () => {}
  /** Called once if storage failed; the room is unusable afterwards. */
  onFailed: (room: Room) => void = () => {}

  /** Settles after every commit queued so far and the sends that wait on it. */
  private tail: Promise<void> = Promise.resolve()
  private failed = false
  private appendsSinceCompact = 0
  private compacting: Promise<void> | null = null
  /** Server-verified authorship: clientID bindings and who wrote / moved every character. */
  private engine = new AttributionEngine()
  private feed: AttributionFeed | null = null
  /** Contributions, removals and the metadata title, kept after commits (room-records.ts). */
  private records: RoomRecords | null = null
  private size: SpecSize | null = null

  private constructor(
    readonly name: string,
    private readonly deps: RoomDeps
  ) {
    // Read through `this.engine`: load() replaces the engine after construction.
    this.presence = new RoomPresence(this.doc, this.conns, () => this.engine, deps.maxPresenceIdsPerConnection ?? 2)
  }

  /**
   * Loads the stored state into a new room. The state is applied before any listener is
   * attached, so loading never triggers persistence or broadcasts.
   */
  static async load(name: string, deps: RoomDeps): Promise<Room> {
    const stored = await deps.docs.load(name)
    const room = new Room(name, deps)
    const origin: TxOrigin = { source: 'load' }
    Y.transact(
      room.doc,
      () => {
        for (const update of stored.updates) Y.applyUpdate(room.doc, update, origin)
      },
      origin
    )
    room.engine = AttributionEngine.load(stored.facts, { resolve: deps.resolveParticipant })
    // A spec stored before schema admission may hold what no client can render (issue 7).
    await quarantineInvalidContent(name, room.doc, () => room.engine.encode(), deps)
    room.engine.attach(room.doc, participantOfOrigin)
    room.feed = new AttributionFeed(room.doc, room.engine, deps.lookupParticipant, (f) => room.sendToValenceClients(f), {
      delayMs: deps.attributionDelayMs,
      onError: (err) => deps.log.error({ err, room: name }, 'attribution computation failed')
    })
    // After the engine attached: the removals feed reads each transaction after it.
    room.records = await RoomRecords.load(name, room.doc, () => room.engine, deps)
    room.doc.on('update', (update: Uint8Array, txOrigin: unknown, _doc: Y.Doc, tr: Y.Transaction) => {
      if (isTxOrigin(txOrigin) && txOrigin.source === 'connection') {
        // The engine computed this transaction's attribution facts in afterTransaction, which
        // Yjs runs before 'update': they are stored in the same write as the update. Removals
        // it made are stored once that write committed.
        room.persistThenBroadcast(update, txOrigin.peer, room.engine.takeDelta(tr), room.records!.capture(tr))
      } else if (isTxOrigin(txOrigin) && (txOrigin.source === 'restore' || txOrigin.source === 'title')) {
        // A restore or a title the server wrote is persisted with its facts (engine rule 6 and
        // spec-title.ts) and broadcast to everyone.
        room.persistThenBroadcast(update, null, room.engine.takeDelta(tr))
      } else if (txOrigin === null) {
        // Yjs's own follow-up to a remote update: it deletes formatting markers that a
        // concurrent edit made redundant (yjs cleanupYTextAfterTransaction, in a transaction of
        // its own with no origin). The room's doc changed, so storage and every client, the
        // author included, must get it too; dropped, they diverged on marks (pinned seeds in
        // test/fuzz/convergence.test.ts).
        room.persistThenBroadcast(update, null, room.engine.takeDelta(tr))
      }
    })
    room.size = new SpecSize({ maxBytes: deps.maxSpecBytes ?? Infinity, measure: () => Y.encodeStateAsUpdate(room.doc).length })
    // spec-title.ts rule 3: an empty title block takes the metadata title (older and CLI-made specs).
    const metadataTitle = deps.titles && documentTitle(room.doc) === '' ? await deps.titles.get(name) : null
    if (metadataTitle) await room.setTitle(metadataTitle, null)
    return room
  }

  /** The room's clientID bindings (read-only use: tests and diagnostics). */
  get bindings(): ClientBindings {
    return this.engine.bindings
  }

  /** Who wrote, moved and first wrote every character (read-only: the engine is its only writer). */
  get authors(): AuthorMap {
    return this.engine.authors
  }

  /** Presence clientIDs held by connections (tests and diagnostics). */
  get presenceHolders(): number {
    return this.presence.holders
  }

  /** The estimated size of the spec's state in bytes. */
  get specBytes(): number {
    return this.size!.bytes
  }

  /** Attribution of the current document, every contributor named (for the HTTP API). */
  attribution(): Promise<SpecAttribution> {
    return this.feed!.current()
  }

  /**
   * The room's records (contributions, removals, title: room-records.ts) once every update queued
   * so far has committed, so they can be brought up to date with all of it (the HTTP lists).
   */
  async recordsAfterCommit(): Promise<RoomRecords | null> {
    await this.whenCommitted()
    return this.records
  }

  /**
   * Puts `removal`'s words back where they were, credited to their author (server/review/
   * restore.ts), and resolves once that is committed and sent to every member.
   * @throws Error if storage failed (nothing is then visible to anyone).
   */
  async restore(removal: RemovalRecord, by: string): Promise<void> {
    const origin: TxOrigin = { source: 'restore', removalId: removal.id, by }
    await this.serverEdit(() => restoreRemoval(this.doc, this.engine, removal, by, origin), `restoring ${removal.id}`)
  }

  /**
   * Writes `title` into the title block as `by`'s edit (spec-title.ts rule 2; `by` null: nobody's)
   * and resolves once it is committed and sent to every member.
   * @throws Error if storage failed (nothing is then visible to anyone).
   */
  async setTitle(title: string, by: string | null): Promise<void> {
    const update = titleEdit(this.doc, title)
    const origin: TxOrigin = { source: 'title', by }
    if (update !== null) await this.serverEdit(() => Y.applyUpdate(this.doc, update, origin), 'setting the title')
  }

  /** Applies an edit the server makes (persisted like any update) and waits until it committed. */
  private async serverEdit(apply: () => void, what: string): Promise<void> {
    apply()
    await this.whenCommitted()
    if (this.failed) throw new Error(`room ${this.name}: storage failed while ${what}`)
  }

  /**
   * A merge was recorded (server/identity/merge-participants.ts): the engine refolds its state
   * through the aliases (the merged-away participant's words, moves and clientIDs become the
   * survivor's), the contributions feed its authors, and every client gets the attribution
   * again (message 101). Nothing in the document or in storage changes.
   */
  refold(): void {
    if (this.failed) return
    this.engine.refold()
    this.records?.refold()
    this.feed?.schedule()
  }

  /** True once storage failed; the registry replaces the room. */
  get isFailed(): boolean {
    return this.failed
  }

  /** Adds a connection and starts the sync handshake (server's step 1, current presence). */
  add(peer: Peer): void {
    this.conns.add(peer)
    const p = peer.principal
    this.feed!.know(p.participantId, p.displayName, p.role)
    peer.send(frame((e) => {
      encoding.writeVarUint(e, messageSync)
      syncProtocol.writeSyncStep1(e, this.doc)
    }))
    this.presence.sendTo(peer)
  }

  /**
   * Removes a connection and its presence: its states (broadcast as removed), their awareness
   * metadata, and the provisional bindings of clientIDs it only announced.
   */
  remove(peer: Peer): void {
    if (!this.conns.delete(peer)) return
    this.presence.leave(peer)
    if (this.conns.size === 0) this.onEmpty(this)
  }

  /**
   * Validates and applies an update from `peer`, which may write: the caller checked its access
   * (Connection, from the permission matrix's MESSAGE_ACCESS). The reply (ack) and the fan-out
   * wait for the storage commit.
   * @throws UpdateRefusedError with the doc and storage untouched.
   */
  receiveUpdate(peer: Peer, update: Uint8Array): void {
    const pid = peer.participantId
    const summary = this.validate(peer, update)
    // Structs of a clientID bound to another participant: the whole update is refused before
    // anything is applied (AttributionRefusedError).
    this.engine.checkWrite(pid, summary.added)
    // Content the ProseMirror schema cannot hold (unknown nodes, nesting past the limit) is
    // refused whole before anything is applied (UpdateRefusedError 'schema').
    validateSchema(this.doc, summary.sections)
    const writes = [...summary.added].filter(([, r]) => r.to > r.from).map(([client]) => client)
    // Only updates that add structs grow the spec; deleting must stay possible at the limit.
    if (writes.length > 0 && !this.size!.admits(update.length)) {
      throw new SpecTooLargeError(this.size!.bytes, update.length, this.deps.maxSpecBytes ?? Infinity)
    }
    const count = peer.countUpdate()
    const origin: TxOrigin = { source: 'connection', peer }
    // Triggers persistThenBroadcast synchronously when the update changes anything.
    Y.applyUpdate(this.doc, update, origin)
    if (writes.length > 0) {
      this.size!.add(update.length)
      this.presence.wrote(writes, pid)
    }
    this.enqueue(() => peer.ack(count))
  }

  /**
   * An update from `peer` whose access does not allow writing: never applied, stored or
   * broadcast. It is validated like any update (a malformed one is refused alike) and counted;
   * one that changes nothing (every provider sends an empty step 2 when it connects) is
   * acknowledged like any no-op, anything else is answered with permission-denied and not
   * acknowledged.
   * @throws UpdateRefusedError
   */
  declineUpdate(peer: Peer, update: Uint8Array): void {
    const summary = this.validate(peer, update)
    const count = peer.countUpdate()
    if (summary.empty) this.enqueue(() => peer.ack(count))
    else peer.denyWrite()
  }

  /** Answers a client's sync step 1 with the committed state it lacks. */
  answerStep1(peer: Peer, stateVector: Uint8Array): void {
    void this.whenCommitted().then(() => {
      if (this.failed || !this.conns.has(peer)) return
      peer.send(frame((e) => {
        encoding.writeVarUint(e, messageSync)
        syncProtocol.writeSyncStep2(e, this.doc, stateVector)
      }))
      const attribution = this.feed!.latest
      if (attribution) peer.sendExtension(attribution)
      else this.feed!.schedule()
    }).catch((err: unknown) => this.deps.log.error({ err, room: this.name, conn: peer.id }, 'answering sync step 1 failed'))
  }

  /** Who is here and where their caret is, as y-protocols awareness (tests and diagnostics). */
  get awareness(): Awareness {
    return this.presence.awareness
  }

  /** Applies the admissible part of an awareness update from `peer` (room-presence.ts). */
  receiveAwareness(peer: Peer, entries: AwarenessEntry[]): void {
    this.presence.receive(peer, entries)
  }

  /** Sends every known presence state to `peer`. */
  sendAwarenessTo(peer: Peer): void {
    this.presence.sendTo(peer)
  }

  /**
   * Resolves when no commit is outstanding. Loops because updates may arrive while waiting: when
   * it resolves, the in-memory doc equals what storage holds.
   */
  async whenCommitted(): Promise<void> {
    let seen: Promise<void>
    do {
      seen = this.tail
      await seen
    } while (seen !== this.tail)
  }

  /** Closes every connection with `code`. */
  closeAll(code: number, reason: string): void {
    for (const peer of [...this.conns]) peer.close(code, reason)
  }

  /** Waits for outstanding commits, compacts the stored log, and frees the doc. */
  async unload(): Promise<void> {
    this.feed?.stop()
    await this.whenCommitted()
    // Nothing written is left unrecorded; a failure is logged, the unload goes on.
    await this.records?.close()
    await this.compacting
    if (!this.failed && this.appendsSinceCompact > 0) await this.deps.docs.compact(this.name)
    this.presence.destroy()
    this.doc.destroy()
  }

  /** Checks an update of `peer` against the doc as a whole (validate-update.ts). */
  private validate(peer: Peer, update: Uint8Array): UpdateSummary {
    const pid = peer.participantId
    // GC structs may claim new clocks only of the sender's own clientIDs. An announcement-only
    // (provisional) binding of someone else does not count: it never refuses a write, and a
    // provider echoes other people's presence, so the writer's own offline step 2 (GC for
    // clocks it created and deleted offline) would be refused (a pinned seed in test/fuzz).
    const bindings = this.engine.bindings
    const owner = (client: number): string => (bindings.isDurable(client) ? bindings.ownerOf(client) : undefined) ?? pid
    return validateUpdate(this.doc, update, { mayAddGc: (client) => owner(client) === pid, maxStructs: this.deps.maxUpdateStructs })
  }

  /** Sends a review-event frame (shared/protocol.ts `messageReview`) to every Valence client here. */
  sendReviewEvent(message: Uint8Array): void {
    this.sendToValenceClients(message)
  }

  private sendToValenceClients(message: Uint8Array): void {
    for (const peer of this.conns) peer.sendExtension(message)
  }

  /** `afterCommit` runs once the append committed (before the fan-out). */
  private persistThenBroadcast(update: Uint8Array, author: Peer | null, facts: Uint8Array | null, afterCommit: (() => void) | null = null): void {
    const committed = this.deps.docs.append(this.name, update, facts)
    // Handled through the chain below; this only prevents an unhandled-rejection report.
    committed.catch(() => {})
    const message = frame((e) => {
      encoding.writeVarUint(e, messageSync)
      syncProtocol.writeUpdate(e, update)
    })
    this.tail = this.tail.then(async () => {
      await committed
      if (this.failed) return
      afterCommit?.()
      for (const peer of this.conns) if (peer !== author) peer.send(message)
      // Attribution is computed for clients that receive it; stock clients never do, and the
      // HTTP endpoint computes on demand.
      if ([...this.conns].some((c) => c.wantsExtensions)) this.feed!.schedule()
      this.records?.afterCommit()
      if (author) this.deps.onEdit?.(this.name, author.participantId)
      this.maybeCompact()
    }).catch((err: unknown) => this.fail(err))
  }

  private enqueue(step: () => void): void {
    this.tail = this.tail
      .then(() => {
        if (!this.failed) step()
      })
      // A failing step is logged; it must not reject the tail every later commit waits on.
      .catch((err: unknown) => this.deps.log.error({ err, room: this.name }, 'queued room step failed'))
  }

  private maybeCompact(): void {
    if (++this.appendsSinceCompact < this.deps.compactEvery || this.compacting) return
    this.appendsSinceCompact = 0
    this.compacting = this.deps.docs
      .compact(this.name)
      .catch((err: unknown) => this.deps.log.error({ err, room: this.name }, 'compaction failed'))
      .finally(() => {
        this.compacting = null
      })
  }

  /**
   * Storage refused a commit: the in-memory doc is now ahead of storage, so nobody may see it.
   * Close everyone with a transient code; clients reconnect to a room reloaded from storage and
   * re-send what it lacks.
   */
  private fail(err: unknown): void {
    if (this.failed) return
    this.failed = true
    this.deps.log.error({ err, room: this.name }, 'storage commit failed; resetting room')
    this.closeAll(CloseCode.storageUnavailable, 'storage unavailable')
    this.onFailed(this)
  }
}
