/**
 * Access-change notifications: whenever someone's access may have shrunk (removed from a panel,
 * panel withdrawn from a spec, account deactivated or role changed, token deleted, signed out),
 * the affected participant ids are announced so the sync layer can re-check live sockets.
 */
import type { Logger } from '../observability/logger.js'

/** Listener for access changes. */
export type AccessListener = (participantIds: string[]) => void

/** A tiny synchronous event hub. */
export class AccessEvents {
  private readonly listeners = new Set<AccessListener>()

  constructor(private readonly log: Logger) {}

  /** Subscribes; returns the unsubscribe function. */
  on(listener: AccessListener): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  /** Announces that the access of `participantIds` may have shrunk. */
  emit(participantIds: readonly string[]): void {
    const ids = [...new Set(participantIds)]
    if (ids.length === 0) return
    for (const listener of this.listeners) {
      // One failing listener must not stop the others, nor the request that changed access.
      try {
        listener(ids)
      } catch (err) {
        this.log.error({ err }, 'access listener failed')
      }
    }
  }
}
