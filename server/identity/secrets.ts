/**
 * Random secrets and how they are kept: sessions, invite links, sign-up links and API tokens
 * are random 256-bit strings given to their holder once; the server stores only their SHA-256
 * (a fast hash is enough for high-entropy secrets, unlike passwords). The stored form is the
 * identity store's business, so this lives beside it; server/auth uses it, never the reverse.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'

/** A new random secret: 32 bytes, base64url (43 characters), with an optional prefix. */
export function newSecret(prefix = ''): string {
  return prefix + randomBytes(32).toString('base64url')
}

/** The stored form of a secret. */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex')
}

/** Constant-time string comparison (hashing first makes the lengths equal). */
export function safeEqual(a: string, b: string): boolean {
  return timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest())
}

/** Prefix of API token secrets, so secret scanners and people recognise them. */
export const API_TOKEN_PREFIX = 'vlt_'
