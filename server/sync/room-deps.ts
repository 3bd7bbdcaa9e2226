/**
 * What a room needs from the outside (server/sync/room.ts): its storage, logger and limits, and
 * where it keeps what it records beside the document (room-records.ts). The registry passes the
 * same deps to every room (rooms.ts `RegistryOptions`).
 */
import type { DocStore } from '../storage/doc-store.js'
import type { Logger } from '../observability/logger.js'
import type { ParticipantLookup } from './attribution-feed.js'
import type { ContributionsDeps } from '../review/contributions-feed.js'
import type { RemovalsDeps } from '../review/removals-feed.js'
import type { TitleStore } from './spec-title.js'

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
  /** The spec's metadata title, kept equal to the document's title block (spec-title.ts). Default: not kept. */
  titles?: TitleStore
  /**
   * Who a participant id stands for now (recorded merges, server/identity/aliases.ts): the
   * attribution engine folds every id through it. Default: every id stands for itself.
   */
  resolveParticipant?: (participantId: string) => string
}
