/**
 * Sessions: a random secret in the cookie, its hash in the store, a CSRF token beside it.
 * Sessions slide: each use more than an hour after the last extension pushes the expiry to
 * a full TTL again.
 */
import type { IdentityStore, SessionRecord } from '../identity/identity-store.js'
import { hashSecret, newSecret } from '../identity/secrets.js'

/** Extend a session at most this often (one write per hour per active session). */
const EXTEND_EVERY_MS = 60 * 60 * 1000

/** Creates, resolves and ends sessions. */
export class Sessions {
  constructor(
    private readonly store: IdentityStore,
    /** Lifetime without use. */
    readonly ttlMs: number
  ) {}

  /** Starts a session for `participantId`; the returned `secret` goes into the cookie only. */
  async create(participantId: string): Promise<{ secret: string; session: SessionRecord }> {
    const secret = newSecret()
    const now = Date.now()
    const session: SessionRecord = {
      idHash: hashSecret(secret),
      participantId,
      csrfToken: newSecret(),
      createdAt: new Date(now).toISOString(),
      expiresAt: new Date(now + this.ttlMs).toISOString()
    }
    await this.store.createSession(session)
    return { secret, session }
  }

  /** The live session behind a cookie secret, extended if due; null if unknown or expired. */
  async resolve(secret: string): Promise<SessionRecord | null> {
    const now = Date.now()
    const session = await this.store.getSession(hashSecret(secret), new Date(now))
    if (!session) return null
    const renewed = now + this.ttlMs
    if (renewed - Date.parse(session.expiresAt) > EXTEND_EVERY_MS) {
      session.expiresAt = new Date(renewed).toISOString()
      await this.store.extendSession(session.idHash, session.expiresAt)
    }
    return session
  }

  /** Ends the session behind `secret` server-side; returns it if it existed. */
  end(secret: string): Promise<SessionRecord | null> {
    return this.store.deleteSession(hashSecret(secret))
  }
}
