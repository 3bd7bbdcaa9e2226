/**
 * Publishes a room's attribution to its clients: computed by the server after commits
 * (debounced, so a burst of keystrokes costs one computation), encoded once, sent to every
 * Valence client. Also answers `GET /api/specs/:id/attribution` with the same data.
 */
import type * as Y from 'yjs'
import type { SpecAttribution } from '../../shared/attribution.js'
import type { Role } from '../../shared/permissions.js'
import { encodeAttribution } from '../../shared/protocol.js'
import type { AttributionEngine, ParticipantDirectory } from '../attribution/index.js'
import { SYSTEM_PARTICIPANT } from '../attribution/index.js'

/** Looks up a participant's display name and role (null if unknown). */
export type ParticipantLookup = (participantId: string) => Promise<{ displayName: string; role: Role } | null>

/** Options of an {@link AttributionFeed}. */
export interface AttributionFeedOptions {
  /** Debounce after a commit before recomputing (ms). Default 250. */
  delayMs?: number | undefined
  /**
   * Called with the error when a scheduled computation fails (a lookup rejects, compute
   * throws). Nothing awaits a scheduled computation, so without this the rejection would be
   * unhandled. Default: ignore.
   */
  onError?: ((err: unknown) => void) | undefined
}

/** Debounced attribution computation for one room. */
export class AttributionFeed {
  private readonly directory = new Map<string, { displayName: string; role: Role }>()
  /** Ids looked up and not found, so they are not asked for again. */
  private readonly unknown = new Set<string>([SYSTEM_PARTICIPANT])
  private timer: ReturnType<typeof setTimeout> | null = null
  private frame: Uint8Array | null = null
  private readonly delayMs: number
  private readonly onError: (err: unknown) => void

  constructor(
    private readonly doc: Y.Doc,
    private readonly engine: AttributionEngine,
    private readonly lookup: ParticipantLookup,
    private readonly publish: (frame: Uint8Array) => void,
    options: AttributionFeedOptions = {}
  ) {
    this.delayMs = options.delayMs ?? 250
    this.onError = options.onError ?? (() => {})
  }

  /** Adds a participant the room already knows (a connected principal) to the directory. */
  know(participantId: string, displayName: string, role: Role): void {
    this.directory.set(participantId, { displayName, role })
  }

  /** The last published frame, for a client that just synced. */
  get latest(): Uint8Array | null {
    return this.frame
  }

  /** Recomputes and publishes after the debounce delay; a failure goes to `onError`, never unhandled. */
  schedule(): void {
    if (this.timer) return
    this.timer = setTimeout(() => {
      this.timer = null
      this.current()
        .then((attribution) => {
          this.frame = encodeAttribution(JSON.stringify(attribution))
          this.publish(this.frame)
        })
        .catch((err: unknown) => this.onError(err))
    }, this.delayMs)
    this.timer.unref?.()
  }

  /**
   * Attribution of the document as it is now, with every contributor and mover named:
   * participants the directory lacks are looked up once, then the result is computed again.
   */
  async current(): Promise<SpecAttribution> {
    let attribution = this.engine.compute(this.doc, this.directory as ParticipantDirectory)
    const missing = new Set<string>()
    for (const block of attribution.blocks) {
      for (const c of [...block.contributors, ...block.movers]) {
        if (c.role === null && !this.unknown.has(c.participantId)) missing.add(c.participantId)
      }
    }
    if (missing.size === 0) return attribution
    const found = await Promise.all([...missing].map(async (id) => [id, await this.lookup(id)] as const))
    for (const [id, info] of found) {
      if (info) this.directory.set(id, info)
      else this.unknown.add(id)
    }
    attribution = this.engine.compute(this.doc, this.directory as ParticipantDirectory)
    return attribution
  }

  /** Stops a pending computation (room unload). */
  stop(): void {
    if (this.timer) clearTimeout(this.timer)
    this.timer = null
  }
}
