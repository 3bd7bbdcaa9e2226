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
import * as awarenessProtocol from 'y-protocols/awareness'
import { CloseCode, messageAwareness, messageSync } from '../../shared/protocol.js'
import type { DocStore } from '../storage/doc-store.js'
import type { Logger } from '../observability/logger.js'
import { validateUpdate, type UpdateSummary } from './validate-update.js'
import { validateSchema } from './validate-schema.js'
import { quarantineInvalidContent } from './quarantine.js'
import { AttributionEngine } from '../attribution/index.js'
import { AttributionFeed, type ParticipantLookup } from './attribution-feed.js'
import { ContributionsFeed, type ContributionsDeps } from '../review/contributions-feed.js'
import { RemovalsFeed, type RemovalsDeps } from '../review/removals-feed.js'
import { restoreRemoval } from '../review/restore.js'
import type { RemovalRecord } from '../review/removals.js'
import type { SpecAttribution } from '../../shared/attribution.js'
import type { ContributionPiece } from '../../shared/api-review.js'
import { isTxOrigin, type TxOrigin } from './origin.js'
import type { Peer } from './peer.js'
import { encodeAwarenessEntries, type AwarenessEntry } from './awareness-codec.js'
import { PresenceRoster } from './presence.js'
import { SpecSize, SpecTooLargeError } from './spec-size.js'
import type { ClientBindings } from '../attribution/index.js'
import type { AuthorMap } from '../attribution/author-map.js'

/** What a room needs from the outside. */
export interface RoomDeps {
  docs: DocStore
  log: Logger
  /** Compact the stored log after this many appends. */
  compactEvery: number
  /** Names and roles of past contributors, for attribution. */
  lookupParticipant: ParticipantLookup
  /** Debounce of attribution recomputation after commits (ms). */
  attributionDelayMs?: number
  /** Largest spec state in bytes (estimated; see spec-size.ts). Default: no limit. */
  maxSpecBytes?: number
  /** Most structs and delete ranges per update. Default: no limit. */
  maxUpdateStructs?: number
  /** Distinct presence clientIDs per connection. Default 2. */
  maxPresenceIdsPerConnection?: number
  /** Told after each committed participant update (edit-activity.ts). Default: nobody. */
  onEdit?: (specId: string, participantId: string) => void
  /** Where and how the room records contributions (server/review). Default: it does not. */
  contributions?: ContributionsDeps
  /** Where and how the room records removals of customer words (server/review). Default: it does not. */
  removals?: RemovalsDeps
}

/** Encodes a frame once; the same buffer goes to every recipient. */
function frame(write: (encoder: encoding.Encoder) => void): Uint8Array {
  const encoder = encoding.createEncoder()
  write(encoder)
  return encoding.toUint8Array(encoder)
}

/** One live spec. Create with {@link Room.load}. */
export class Room {
  readonly doc = new Y.Doc({ gc: true })
  readonly awareness: awarenessProtocol.Awareness
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
  private contributionsFeed: ContributionsFeed | null = null
  private removalsFeed: RemovalsFeed | null = null
  /** Who holds which presence clientID. */
  private readonly roster: PresenceRoster
  private size: SpecSize | null = null

  private constructor(
    readonly name: string,
    private readonly deps: RoomDeps
  ) {
    this.awareness = new awarenessProtocol.Awareness(this.doc)
    // The server itself is not a participant.
    this.awareness.setLocalState(null)
    this.roster = new PresenceRoster(
      { maxIdsPerConnection: deps.maxPresenceIdsPerConnection ?? 2 },
      {
        // Read through `this.engine`: load() replaces the engine after construction.
        durableOwner: (id) => (this.engine.bindings.isDurable(id) ? this.engine.bindings.ownerOf(id) : undefined),
        announce: (id, pid) => this.engine.announce(id, pid),
        release: (id, pid) => this.engine.bindings.release(id, pid)
      }
    )
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
    room.engine = AttributionEngine.load(stored.facts)
    // A spec stored before schema admission may hold what no client can render (issue 7).
    await quarantineInvalidContent(name, room.doc, () => room.engine.encode(), deps)
    room.engine.attach(room.doc, (o) => (isTxOrigin(o) && o.source === 'connection' ? o.peer.participantId : null))
    room.feed = new AttributionFeed(room.doc, room.engine, deps.lookupParticipant, (f) => room.sendToValenceClients(f), {
      delayMs: deps.attributionDelayMs,
      onError: (err) => deps.log.error({ err, room: name }, 'attribution computation failed')
    })
    if (deps.contributions) {
      room.contributionsFeed = await ContributionsFeed.load(name, room.doc, () => room.engine.authors, deps.contributions, (err) =>
        deps.log.error({ err, room: name }, 'contributions pass failed')
      )
    }
    if (deps.removals) {
      // After the engine attached: its afterTransaction listener runs first (removals-feed.ts).
      room.removalsFeed = await RemovalsFeed.load(name, room.doc, () => room.engine, deps.removals,
        (client, clock) => room.contributionsFeed?.contributionOf(client, clock) ?? null,
        (err) => deps.log.error({ err, room: name }, 'removals capture failed'))
    }
    room.doc.on('update', (update: Uint8Array, txOrigin: unknown, _doc: Y.Doc, tr: Y.Transaction) => {
      if (isTxOrigin(txOrigin) && txOrigin.source === 'connection') {
        // The engine computed this transaction's attribution facts in afterTransaction, which
        // Yjs runs before 'update': they are stored in the same write as the update. Removals
        // it made are stored once that write committed.
        room.persistThenBroadcast(update, txOrigin.peer, room.engine.takeDelta(tr), room.removalsFeed?.afterCommit(tr) ?? null)
      } else if (isTxOrigin(txOrigin) && txOrigin.source === 'restore') {
        // A restore is persisted with its facts (engine rule 6) and broadcast to everyone.
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
    room.awareness.on('update', room.onAwarenessUpdate)
    room.size = new SpecSize({ maxBytes: deps.maxSpecBytes ?? Infinity, measure: () => Y.encodeStateAsUpdate(room.doc).length })
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
    return this.roster.size
  }

  /** The estimated size of the spec's state in bytes. */
  get specBytes(): number {
    return this.size!.bytes
  }

  /** Attribution of the current document, every contributor named (for the HTTP API). */
  attribution(): Promise<SpecAttribution> {
    return this.feed!.current()
  }

  /** Records what was written since the last contributions pass, now (for the HTTP list). */
  async flushContributions(): Promise<void> {
    await this.whenCommitted()
    await this.contributionsFeed?.flush()
  }

  /**
   * Records what was written since the last pass, then says where every contribution with live
   * text is now (server/review/contribution-pieces.ts); empty if the room keeps no contributions.
   */
  async contributionPieces(): Promise<Map<string, ContributionPiece[]>> {
    await this.flushContributions()
    return this.contributionsFeed?.pieces() ?? new Map()
  }

  /** Stores the removals of every committed update now (for the HTTP list). */
  async flushRemovals(): Promise<void> {
    await this.whenCommitted()
    await this.removalsFeed?.flush()
  }

  /**
   * Puts `removal`'s words back where they were, credited to their author (server/review/
   * restore.ts), and resolves once that is committed and sent to every member.
   * @throws Error if storage failed (nothing is then visible to anyone).
   */
  async restore(removal: RemovalRecord, by: string): Promise<void> {
    const origin: TxOrigin = { source: 'restore', removalId: removal.id, by }
    restoreRemoval(this.doc, this.engine, removal, by, origin)
    await this.whenCommitted()
    if (this.failed) throw new Error(`room ${this.name}: storage failed while restoring ${removal.id}`)
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
    const states = this.awareness.getStates()
    if (states.size > 0) this.sendAwarenessTo(peer)
  }

  /**
   * Removes a connection and its presence: its states (broadcast as removed), their awareness
   * metadata, and the provisional bindings of clientIDs it only announced.
   */
  remove(peer: Peer): void {
    if (!this.conns.delete(peer)) return
    this.dropPresence(this.roster.leave(peer), peer)
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
      // A write beats an announcement: whoever else showed presence under these clientIDs
      // loses it, so the writer's own presence is admitted from now on.
      this.dropPresence(this.roster.evict(writes, pid), null)
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

  /**
   * Applies the admissible part of an awareness update from `peer` (see presence.ts): only
   * clientIDs it holds or may claim, within its quota, with the server-stamped user fields.
   */
  receiveAwareness(peer: Peer, entries: AwarenessEntry[]): void {
    const { admitted, drops } = this.roster.admit(peer, entries)
    if (drops.quota > 0) {
      peer.warnOnce('presence-quota', { held: [...peer.presenceIds] }, 'presence for more clientIDs than a connection may hold; dropped')
    }
    if (drops.oversize > 0) peer.warnOnce('presence-oversize', {}, 'presence state above the size limit; dropped')
    if (admitted.length === 0) return
    awarenessProtocol.applyAwarenessUpdate(this.awareness, encodeAwarenessEntries(admitted), peer)
  }

  /** Sends every known presence state to `peer`. */
  sendAwarenessTo(peer: Peer): void {
    const clients = [...this.awareness.getStates().keys()]
    if (clients.length === 0) return
    peer.sendPresence(frame((e) => {
      encoding.writeVarUint(e, messageAwareness)
      encoding.writeVarUint8Array(e, awarenessProtocol.encodeAwarenessUpdate(this.awareness, clients))
    }))
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
    await this.contributionsFeed?.flush().catch((err: unknown) => this.deps.log.error({ err, room: this.name }, 'contributions pass failed'))
    this.contributionsFeed?.stop()
    await this.removalsFeed?.flush()
    this.removalsFeed?.stop()
    await this.compacting
    if (!this.failed && this.appendsSinceCompact > 0) await this.deps.docs.compact(this.name)
    this.awareness.destroy()
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

  /** Sends a Valence-only frame to every client that opted in. */
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
      this.contributionsFeed?.schedule()
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

  private readonly onAwarenessUpdate = (
    changes: { added: number[]; updated: number[]; removed: number[] },
    _origin: unknown
  ): void => {
    const changed = changes.added.concat(changes.updated, changes.removed)
    if (changed.length === 0) return
    const message = frame((e) => {
      encoding.writeVarUint(e, messageAwareness)
      encoding.writeVarUint8Array(e, awarenessProtocol.encodeAwarenessUpdate(this.awareness, changed))
    })
    for (const peer of this.conns) peer.sendPresence(message)
  }

  /**
   * Removes the presence states of `clientIDs` (broadcast as removals) and then forgets their
   * awareness metadata, which y-protocols keeps forever otherwise: a million clientIDs that
   * came and went would stay in memory.
   */
  private dropPresence(clientIDs: number[], origin: Peer | null): void {
    if (clientIDs.length === 0) return
    // The removal broadcast reads each clientID's clock from the metadata: delete it after.
    awarenessProtocol.removeAwarenessStates(this.awareness, clientIDs, origin)
    for (const id of clientIDs) this.awareness.meta.delete(id)
  }
}
