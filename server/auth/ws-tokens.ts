/**
 * Short-lived WebSocket tokens: stateless, HMAC-SHA256 signed with a server secret that is
 * generated once and kept in the database. A token names one participant and one spec and
 * expires within {@link WS_TOKEN_TTL_MS}; it goes in the `token` query parameter, which is
 * never logged. Revocation is still immediate: the upgrade re-reads the participant's access.
 */
import { createHmac } from 'node:crypto'
import { safeEqual } from '../identity/secrets.js'

/** Lifetime of a WebSocket token. */
export const WS_TOKEN_TTL_MS = 5 * 60 * 1000

interface Payload {
  /** participant id */
  p: string
  /** spec id */
  s: string
  /** expiry, ms since epoch */
  e: number
}

/** Issues and verifies WebSocket tokens with one key. */
export class WsTokens {
  constructor(private readonly key: string) {}

  /** A token for `participantId` on `specId`, valid for {@link WS_TOKEN_TTL_MS}. */
  issue(participantId: string, specId: string, now = Date.now()): { token: string; expiresAt: string } {
    const payload: Payload = { p: participantId, s: specId, e: now + WS_TOKEN_TTL_MS }
    const body = Buffer.from(JSON.stringify(payload)).toString('base64url')
    return { token: `${body}.${this.sign(body)}`, expiresAt: new Date(payload.e).toISOString() }
  }

  /** The participant id if `token` is authentic, unexpired and for `specId`; else null. */
  verify(token: string, specId: string, now = Date.now()): string | null {
    const [body, sig, extra] = token.split('.')
    if (!body || !sig || extra !== undefined || !safeEqual(sig, this.sign(body))) return null
    let payload: Payload
    try {
      payload = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as Payload
    } catch {
      return null
    }
    if (typeof payload.p !== 'string' || payload.s !== specId || typeof payload.e !== 'number') return null
    return payload.e > now ? payload.p : null
  }

  private sign(body: string): string {
    return createHmac('sha256', this.key).update(`valence-ws.${body}`).digest('base64url')
  }
}
