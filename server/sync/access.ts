/**
 * The seam between the sync layer and identity: how an upgrade is authenticated, and how the
 * sync layer learns that someone's access changed. Implemented by server/auth; tests may pass
 * their own.
 */
import type { IncomingMessage } from 'node:http'
import type { Principal } from '../../shared/identity.js'
import type { SpecAccess } from '../../shared/permissions.js'

/** Outcome of authenticating a WebSocket upgrade for one spec. */
export type UpgradeAuth =
  | { ok: true; principal: Principal; access: Exclude<SpecAccess, 'none'> }
  | { ok: false; status: 401 | 403; code: string; message: string }

/** What the sync layer asks of identity. */
export interface SyncAccess {
  /**
   * Authenticates an upgrade request (session cookie from a same-origin page, or a short-lived
   * `token` query parameter) and authorizes it for `specId` (which exists). Never throws for
   * bad credentials: returns `{ ok: false }` with 401 (no valid credential) or 403 (valid but not
   * allowed, or a cookie from a foreign Origin).
   */
  authenticate(req: IncomingMessage, specId: string): Promise<UpgradeAuth>
  /**
   * Current access of a participant to a spec: 'none' once removed, revoked or deactivated;
   * 'signed-out' when a person (not a token) has no live session left.
   */
  recheck(participantId: string, specId: string): Promise<SpecAccess | 'signed-out'>
  /** Subscribes to access changes; the listener gets the affected participant ids. */
  onAccessChanged(listener: (participantIds: string[]) => void): () => void
}
