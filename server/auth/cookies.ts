/**
 * The session cookie: its name, its flags, and reading it from a raw `Cookie` header (the
 * WebSocket upgrade has no express request, so no cookie-parser middleware).
 */
import type { CookieOptions } from 'express'

/** Name of the session cookie. */
export const SESSION_COOKIE = 'valence_session'

/** Reads one cookie from a `Cookie` header; null if absent or malformed. */
export function readCookie(header: string | undefined, name: string): string | null {
  if (!header) return null
  for (const part of header.split(';')) {
    const eq = part.indexOf('=')
    if (eq < 0 || part.slice(0, eq).trim() !== name) continue
    try {
      return decodeURIComponent(part.slice(eq + 1).trim())
    } catch {
      return null
    }
  }
  return null
}

/**
 * Flags of the session cookie: httpOnly (no script can read it), SameSite=Lax (not sent on
 * cross-site subresource requests and POSTs), Path=/, and Secure when the request came over
 * HTTPS (`req.secure`, which honours X-Forwarded-Proto when TRUST_PROXY is on).
 */
export function sessionCookieOptions(secure: boolean, maxAgeMs: number): CookieOptions {
  return { httpOnly: true, sameSite: 'lax', path: '/', secure, maxAge: maxAgeMs }
}
