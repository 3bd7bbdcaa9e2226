/**
 * Unsubscribe links of email digests: a token naming one participant, HMAC-SHA256 signed with a
 * server secret generated once and kept in the database (like the WebSocket token key,
 * server/auth/ws-tokens.ts). Stateless and without expiry, because an old digest's link must
 * still work; it can do one thing only: switch that participant's digests off.
 */
import { createHmac } from 'node:crypto'
import { safeEqual } from '../identity/secrets.js'

/** Name of the server secret the tokens are signed with (IdentityStore `secret`). */
export const UNSUBSCRIBE_KEY_NAME = 'unsubscribe-key'

/** Longest token accepted (a participant id is far shorter; anything longer is crafted). */
const MAX_TOKEN_LENGTH = 512

/** Issues and verifies unsubscribe tokens with one key. */
export class UnsubscribeTokens {
  constructor(private readonly key: string) {
    if (key.length < 32) throw new RangeError('unsubscribe key too short')
  }

  /** The token for `participantId`. */
  issue(participantId: string): string {
    const body = Buffer.from(participantId, 'utf8').toString('base64url')
    return `${body}.${this.sign(body)}`
  }

  /** The participant id if `token` is authentic; else null. */
  verify(token: string): string | null {
    if (typeof token !== 'string' || token.length > MAX_TOKEN_LENGTH) return null
    const [body, sig, extra] = token.split('.')
    if (!body || !sig || extra !== undefined || !safeEqual(sig, this.sign(body))) return null
    const id = Buffer.from(body, 'base64url').toString('utf8')
    return id === '' ? null : id
  }

  private sign(body: string): string {
    return createHmac('sha256', this.key).update(`valence-unsubscribe.${body}`).digest('base64url')
  }
}
