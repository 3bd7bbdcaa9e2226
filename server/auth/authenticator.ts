/**
 * Turns request credentials into a principal: `Authorization: Bearer <api token>` (scripts)
 * or the session cookie (pages). Shared by the HTTP middleware and the WebSocket upgrade.
 */
import type { Principal } from '../../shared/identity.js'
import type { IdentityStore, SessionRecord } from '../identity/identity-store.js'
import type { AccessControl } from './access-control.js'
import { readCookie, SESSION_COOKIE } from './cookies.js'
import { hashSecret } from '../identity/secrets.js'
import type { Sessions } from './sessions.js'

/** How a request authenticated. */
export type AuthContext =
  | { via: 'session'; principal: Principal; session: SessionRecord; secret: string }
  | { via: 'bearer'; principal: Principal }

/** Result of reading credentials: none given, a bad one given, or an authenticated context. */
export type CredentialResult = { kind: 'none' } | { kind: 'invalid'; code: 'invalid_token' } | { kind: 'ok'; auth: AuthContext }

/** Record `lastUsedAt` of a token at most this often. */
const TOUCH_EVERY_MS = 60 * 1000

/** Reads credentials from headers. */
export class Authenticator {
  constructor(
    private readonly store: IdentityStore,
    private readonly sessions: Sessions,
    private readonly access: AccessControl
  ) {}

  /** The bearer token of an `Authorization` header, if it is one. */
  static bearerOf(header: string | undefined): string | null {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '')
    return m ? m[1]! : null
  }

  /**
   * Authenticates by bearer token first (a given but unknown or revoked token is `invalid`,
   * never silently anonymous), then by session cookie (an unknown or expired cookie is treated
   * as absent). `cookieAllowed` false ignores the cookie (cross-origin WebSocket upgrades).
   */
  async fromHeaders(
    headers: { authorization?: string; cookie?: string },
    cookieAllowed = true
  ): Promise<CredentialResult> {
    if (headers.authorization !== undefined) {
      const secret = Authenticator.bearerOf(headers.authorization)
      const principal = secret ? await this.fromApiToken(secret) : null
      return principal ? { kind: 'ok', auth: { via: 'bearer', principal } } : { kind: 'invalid', code: 'invalid_token' }
    }
    const secret = cookieAllowed ? readCookie(headers.cookie, SESSION_COOKIE) : null
    if (!secret) return { kind: 'none' }
    const session = await this.sessions.resolve(secret)
    const principal = session ? await this.access.principalOf(session.participantId) : null
    if (!session || !principal) return { kind: 'none' }
    return { kind: 'ok', auth: { via: 'session', principal, session, secret } }
  }

  /** The principal of an API token secret, or null if unknown or revoked. */
  async fromApiToken(secret: string): Promise<Principal | null> {
    const token = await this.store.getTokenByHash(hashSecret(secret))
    if (!token) return null
    const now = Date.now()
    if (!token.lastUsedAt || now - Date.parse(token.lastUsedAt) > TOUCH_EVERY_MS) {
      await this.store.touchToken(token.id, new Date(now).toISOString())
    }
    return this.access.principalOf(token.id)
  }
}
