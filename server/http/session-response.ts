/**
 * Starting and ending browser sessions over HTTP: the cookie and the `{me, csrfToken,
 * permissions}` body every sign-in answers with.
 */
import type { Request, Response } from 'express'
import type { MeResponse } from '../../shared/api-identity.js'
import type { Principal } from '../../shared/identity.js'
import { ACTIONS, can } from '../../shared/permissions.js'
import type { Auth } from '../auth/auth-service.js'
import { SESSION_COOKIE, sessionCookieOptions } from '../auth/cookies.js'
import { authOf } from './auth-middleware.js'
import { HttpError } from './errors.js'

/** The `GET /api/auth/me` body for a principal. */
export function meResponse(me: Principal, csrfToken: string | null): MeResponse {
  return { me, csrfToken, permissions: ACTIONS.filter((a) => can(me.role, a)) }
}

/**
 * Signs `participantId` in on this browser: ends the session the request came with (if any),
 * starts a new one, sets the cookie, and answers `status` with {@link meResponse} plus `extra`.
 */
export async function signIn(
  auth: Auth,
  req: Request,
  res: Response,
  participantId: string,
  opts: { status?: number; extra?: Record<string, unknown> } = {}
): Promise<void> {
  const previous = authOf(res)
  if (previous?.via === 'session') await auth.sessions.end(previous.secret)
  const { principal, csrfToken } = await startSession(auth, req, res, participantId)
  res.status(opts.status ?? 200).json({ ...meResponse(principal, csrfToken), ...opts.extra })
}

/**
 * Starts a new session for `participantId` and sets its cookie, without answering; ending the
 * previous session is the caller's business.
 */
export async function startSession(
  auth: Auth,
  req: Request,
  res: Response,
  participantId: string
): Promise<{ principal: Principal; csrfToken: string }> {
  const principal = await auth.access.principalOf(participantId)
  if (!principal) throw new HttpError(403, 'forbidden', 'this participant cannot sign in')
  const { secret, session } = await auth.sessions.create(participantId)
  res.cookie(SESSION_COOKIE, secret, sessionCookieOptions(req.secure, auth.sessions.ttlMs))
  return { principal, csrfToken: session.csrfToken }
}

/** Clears the session cookie (same flags, so browsers match it). */
export function clearSessionCookie(req: Request, res: Response): void {
  const { maxAge: _unused, ...options } = sessionCookieOptions(req.secure, 0)
  res.clearCookie(SESSION_COOKIE, options)
}

/** The origin links are built on: PUBLIC_URL, else this request's scheme and host. */
export function publicOrigin(auth: Auth, req: Request): string {
  return auth.publicUrl ?? `${req.protocol}://${req.get('host') ?? 'localhost'}`
}
