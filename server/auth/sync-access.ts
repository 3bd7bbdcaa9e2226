/**
 * {@link SyncAccess} for the WebSocket upgrade. Credentials, in order:
 * 1. `?token=<ws token>` (short-lived, from `POST /api/auth/ws-token`),
 * 2. `Authorization: Bearer <api token>` (Node scripts that can set headers),
 * 3. the session cookie, only when `Origin` is this server's own origin: a page on another
 *    site can open a WebSocket here and the browser would attach the cookie (cross-site
 *    WebSocket hijacking), so a foreign or missing Origin gets no session.
 */
import type { IncomingMessage } from 'node:http'
import type { TLSSocket } from 'node:tls'
import type { Principal } from '../../shared/identity.js'
import type { SyncAccess, UpgradeAuth } from '../sync/access.js'
import type { Auth } from './auth-service.js'
import { readCookie, SESSION_COOKIE } from './cookies.js'

/** The origin a same-site page would send: PUBLIC_URL, else scheme + Host of the request. */
export function ownOrigin(req: IncomingMessage, auth: Pick<Auth, 'publicUrl' | 'trustProxy'>): string | null {
  if (auth.publicUrl) return auth.publicUrl
  const host = req.headers.host
  if (!host) return null
  const forwarded = auth.trustProxy ? String(req.headers['x-forwarded-proto'] ?? '').split(',')[0]!.trim() : ''
  const scheme = forwarded === 'https' || forwarded === 'http' ? forwarded : (req.socket as TLSSocket).encrypted ? 'https' : 'http'
  return `${scheme}://${host}`
}

const refuse = (status: 401 | 403, code: string, message: string): UpgradeAuth => ({ ok: false, status, code, message })

/** Builds the sync layer's view of identity. */
export function createSyncAccess(auth: Auth): SyncAccess {
  const authorize = async (principal: Principal, specId: string): Promise<UpgradeAuth> => {
    const role = await auth.access.roleOnSpec(principal, specId)
    const access = await auth.access.accessTo(principal, specId)
    if (role === null || access === 'none') return refuse(403, 'forbidden', 'you have no access to this spec')
    // Presence shows the role held on this spec (a viewer in one panel may be a customer in another).
    return { ok: true, principal: { ...principal, role }, access }
  }

  return {
    async authenticate(req, specId) {
      const url = new URL(req.url ?? '/', 'http://localhost')
      const wsToken = url.searchParams.get('token')
      if (wsToken !== null) {
        const participantId = auth.wsTokens.verify(wsToken, specId)
        const principal = participantId === null ? null : await auth.access.principalOf(participantId)
        // A token outlives nothing it came from: a signed-out account or invitee loses it too.
        const live = principal !== null && (principal.kind === 'token' || (await auth.store.hasLiveSession(principal.participantId, new Date())))
        if (!principal || !live) return refuse(401, 'invalid_token', 'the WebSocket token is invalid or expired')
        return authorize(principal, specId)
      }
      const hasCookie = readCookie(req.headers.cookie, SESSION_COOKIE) !== null
      const sameOrigin = req.headers.origin !== undefined && req.headers.origin === ownOrigin(req, auth)
      const result = await auth.authenticator.fromHeaders(
        { authorization: req.headers.authorization, cookie: req.headers.cookie },
        sameOrigin
      )
      if (result.kind === 'invalid') return refuse(401, result.code, 'the API token is unknown or revoked')
      if (result.kind === 'ok') return authorize(result.auth.principal, specId)
      if (hasCookie && !sameOrigin) return refuse(403, 'origin_forbidden', 'session cookies are accepted only from this site')
      return refuse(401, 'unauthenticated', 'sign in first')
    },
    recheck: (participantId, specId) => auth.access.recheck(participantId, specId),
    onAccessChanged: (listener) => auth.events.on(listener)
  }
}
