/**
 * The room registry: loads a room on first join, unloads it after the last client left plus an
 * idle delay, and replaces a room whose storage failed. At most `maxOpenRooms` rooms are
 * loaded: to load another, an idle room (no connections) is unloaded early; when every room is
 * in use, the join is refused with {@link RoomLimitError}.
 */
import type * as Y from 'yjs'
import type { AuthorMap } from '../attribution/author-map.js'
import { CloseCode } from '../../shared/protocol.js'
import { Room, type RoomDeps } from './room.js'
import type { Connection } from './connection.js'
import type { SpecAttribution } from '../../shared/attribution.js'
import { encodeReviewEvent } from '../../shared/protocol.js'
import type { ContributionPiece } from '../../shared/api-review.js'
import type { ReviewEvents } from '../review/review-events.js'
import type { RemovalRecord } from '../review/removals.js'

/** Options for a {@link RoomRegistry}. */
export interface RegistryOptions extends RoomDeps {
  /** How long an empty room stays loaded. */
  idleMs: number
  /** Most rooms loaded (or loading) at once. Default: no limit. */
  maxOpenRooms?: number
  /** Review changes to deliver to each spec's live connections. Default: none. */
  events?: ReviewEvents
}

/** Every one of the `maxOpenRooms` loaded rooms has connections; nothing was loaded. */
export class RoomLimitError extends Error {
  constructor(readonly limit: number) {
    super(`${limit} rooms open, all in use`)
    this.name = 'RoomLimitError'
  }
}

/** All loaded rooms of one server process. */
export class RoomRegistry {
  private readonly rooms = new Map<string, Promise<Room>>()
  /** Loaded rooms by name (the resolved values of `rooms`). */
  private readonly live = new Map<string, Room>()
  /** Rooms being unloaded: a new join waits, so it loads everything they committed. */
  private readonly unloading = new Map<string, Promise<void>>()
  private readonly idleTimers = new Map<string, ReturnType<typeof setTimeout>>()
  /** Joins in progress per room: such a room is not idle even before the connection attaches. */
  private readonly joining = new Map<string, number>()

  constructor(private readonly opts: RegistryOptions) {
    // Only loaded rooms have connections to tell; a room loaded later reads the lists fresh.
    opts.events?.subscribe((event) => this.live.get(event.specId)?.sendReviewEvent(encodeReviewEvent(JSON.stringify(event))))
  }

  /** Names of loaded (or loading) rooms. */
  get loaded(): string[] {
    return [...this.rooms.keys()]
  }

  /** The loaded room `name`, if any (for tests and admin tools). */
  get(name: string): Room | undefined {
    return this.live.get(name)
  }

  /**
   * Loads `name` if needed and attaches `conn`. If the connection closed while the room loaded,
   * the room is still scheduled for unloading.
   */
  async join(name: string, conn: Connection): Promise<void> {
    this.joining.set(name, (this.joining.get(name) ?? 0) + 1)
    try {
      let room = await this.open(name)
      // The room may have been dropped (idle or failed) while this join awaited it.
      while (this.live.get(name) !== room) room = await this.open(name)
      this.cancelIdle(name)
      conn.attach(room)
      if (room.conns.size === 0) this.scheduleIdle(room)
    } finally {
      const left = (this.joining.get(name) ?? 1) - 1
      if (left > 0) this.joining.set(name, left)
      else this.joining.delete(name)
    }
  }

  /**
   * Attribution of a spec's current document, from its live room (loaded for the purpose if
   * needed and unloaded again after the idle delay).
   */
  async attribution(name: string): Promise<SpecAttribution> {
    const room = await this.liveRoom(name)
    return room.attribution()
  }

  /**
   * Runs `fn` on the live Y.Doc of `name` and the origins of its characters (loaded for the
   * purpose if needed and unloaded again after the idle delay, like {@link attribution}). `fn`
   * runs synchronously: no update lands while it reads. It must not change either.
   */
  async withDoc<T>(name: string, fn: (doc: Y.Doc, origins: AuthorMap) => T): Promise<T> {
    const room = await this.liveRoom(name)
    return fn(room.doc, room.authors)
  }

  /**
   * Brings the stored contributions of `name` up to date: a loaded room records what was
   * written since its last pass; an unloaded room recorded everything when it unloaded.
   */
  async flushContributions(name: string): Promise<void> {
    await this.unloading.get(name)
    await (await this.live.get(name)?.recordsAfterCommit())?.flushContributions()
  }

  /**
   * Brings the stored contributions of `name` up to date and says where each is now, from its
   * live room (loaded for the purpose if needed and unloaded again after the idle delay).
   */
  async contributionPieces(name: string): Promise<Map<string, ContributionPiece[]>> {
    await this.unloading.get(name)
    const room = await this.liveRoom(name)
    return (await (await room.recordsAfterCommit())?.contributionPieces()) ?? new Map()
  }

  /** Brings the stored removals of `name` up to date (a loaded room stores them after commits). */
  async flushRemovals(name: string): Promise<void> {
    await this.unloading.get(name)
    await (await this.live.get(name)?.recordsAfterCommit())?.flushRemovals()
  }

  /**
   * Restores `removal` in `name`'s live room (loaded for the purpose if needed and unloaded
   * again after the idle delay) and resolves once that is committed and broadcast.
   */
  async restore(name: string, removal: RemovalRecord, by: string): Promise<void> {
    await this.unloading.get(name)
    const room = await this.liveRoom(name)
    await room.restore(removal, by)
  }

  /**
   * Sets the title block of `name`'s document to `title` as `by`'s edit (spec-title.ts rule 2),
   * and resolves once it is committed and sent to every member.
   */
  async setTitle(name: string, title: string, by: string | null): Promise<void> {
    await this.unloading.get(name)
    const room = await this.liveRoom(name)
    await room.setTitle(title, by)
  }

  /**
   * The live room of `name`, loaded for the purpose if needed; a room nobody is connected to is
   * unloaded again after the idle delay.
   */
  private async liveRoom(name: string): Promise<Room> {
    let room = await this.open(name)
    // The room may have been dropped (idle or failed) while this call awaited it.
    while (this.live.get(name) !== room) room = await this.open(name)
    if (room.conns.size === 0 && !this.idleTimers.has(name)) this.scheduleIdle(room)
    return room
  }

  /**
   * A merge was recorded: every loaded room refolds its attribution and contributions through
   * the aliases and republishes (Room.refold). Rooms still loading refold once loaded too: they
   * may have read their facts before the merge.
   */
  refold(): void {
    // A room that fails to refold keeps its old attribution until it is next loaded (which
    // resolves the merge); it must not stop the others, nor fail the merge that was committed.
    const refold = (room: Room): void => {
      try {
        room.refold()
      } catch (err) {
        this.opts.log.error({ err, room: room.name }, 'refolding attribution after a merge failed')
      }
    }
    for (const room of this.live.values()) refold(room)
    for (const [name, pending] of this.rooms) {
      if (!this.live.has(name)) pending.then(refold, () => {})
    }
  }

    /** Closes every connection of `name` (e.g. the spec was deleted) and unloads it. */
  async closeRoom(name: string, code: number, reason: string): Promise<void> {
    const pending = this.rooms.get(name)
    if (!pending) return
    const room = await pending
    room.closeAll(code, reason)
    this.drop(room)
  }

  /** Graceful shutdown: closes every socket with 1001 and waits for every commit. */
  async shutdown(): Promise<void> {
    for (const timer of this.idleTimers.values()) clearTimeout(timer)
    this.idleTimers.clear()
    const rooms = await Promise.allSettled([...this.rooms.values()])
    this.rooms.clear()
    this.live.clear()
    await Promise.all(
      rooms.map(async (r) => {
        if (r.status !== 'fulfilled') return
        r.value.onEmpty = () => {}
        r.value.closeAll(CloseCode.goingAway, 'server shutting down')
        await r.value.unload().catch((err: unknown) => this.opts.log.error({ err }, 'unload failed'))
      })
    )
    await Promise.all(this.unloading.values())
  }

  private async open(name: string): Promise<Room> {
    const unloading = this.unloading.get(name)
    if (unloading) await unloading
    let pending = this.rooms.get(name)
    if (!pending) {
      this.makeRoom()
      pending = Room.load(name, this.opts).then((room) => {
        room.onEmpty = () => this.scheduleIdle(room)
        room.onFailed = () => this.drop(room)
        this.live.set(name, room)
        this.opts.log.debug({ room: name }, 'room loaded')
        return room
      })
      this.rooms.set(name, pending)
      pending.catch(() => {
        if (this.rooms.get(name) === pending) this.rooms.delete(name)
      })
    }
    return pending
  }

  /**
   * Before loading one more room: at the limit, unloads the idle room loaded first, or throws.
   * Rooms still loading count (they are about to have a connection).
   * @throws RoomLimitError
   */
  private makeRoom(): void {
    const limit = this.opts.maxOpenRooms ?? Infinity
    if (this.rooms.size < limit) return
    for (const room of this.live.values()) {
      if (room.conns.size === 0 && !this.joining.has(room.name)) {
        this.opts.log.debug({ room: room.name }, 'unloading an idle room early: room limit reached')
        this.drop(room)
        return
      }
    }
    throw new RoomLimitError(limit)
  }

  private scheduleIdle(room: Room): void {
    this.cancelIdle(room.name)
    const timer = setTimeout(() => {
      this.idleTimers.delete(room.name)
      if (room.conns.size === 0) this.drop(room)
    }, this.opts.idleMs)
    timer.unref()
    this.idleTimers.set(room.name, timer)
  }

  private cancelIdle(name: string): void {
    const timer = this.idleTimers.get(name)
    if (timer) clearTimeout(timer)
    this.idleTimers.delete(name)
  }

  /** Forgets `room` and unloads it; the next join loads it afresh from storage. */
  private drop(room: Room): void {
    if (this.live.get(room.name) !== room) return
    this.live.delete(room.name)
    this.rooms.delete(room.name)
    this.cancelIdle(room.name)
    const done: Promise<void> = room
      .unload()
      .catch((err: unknown) => this.opts.log.error({ err, room: room.name }, 'unload failed'))
      .finally(() => {
        if (this.unloading.get(room.name) === done) this.unloading.delete(room.name)
      })
    this.unloading.set(room.name, done)
    this.opts.log.debug({ room: room.name }, 'room unloading')
  }
}
