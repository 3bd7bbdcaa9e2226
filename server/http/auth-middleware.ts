/**
 * Authentication and authorization for the JSON API: who is calling (bearer token or session
 * cookie), CSRF protection for cookie-authenticated state changes, and guards that consult the
 * permission matrix (shared/permissions.ts). Routes never check roles by hand.
 */
import type { Request, RequestHandler, Response } from 'express'
import type { Principal } from '../../shared/identity.js'
import { can, type Action } from '../../shared/permissions.js'
import type { AuthContext, Authenticator } from '../auth/authenticator.js'
import { safeEqual } from '../identity/secrets.js'
import { HttpError } from './errors.js'

/** Header carrying the session's CSRF token. */
export const CSRF_HEADER = 'x-csrf-token'

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS'])

/** The caller's authentication, or null if anonymous. */
export function authOf(res: Response): AuthContext | null {
  return (res.locals.auth as AuthContext | undefined) ?? null
}

/** The caller's principal; 401 if anonymous. */
export function principalOf(res: Response): Principal {
  const auth = authOf(res)
  if (!auth) throw new HttpError(401, 'unauthenticated', 'sign in first')
  return auth.principal
}

/**
 * Reads credentials into `res.locals.auth`. A bad bearer token is refused (401
 * `invalid_token`); a stale session cookie counts as no cookie.
 */
export function authenticate(authenticator: Authenticator): RequestHandler {
  return async (req, res, next) => {
    const result = await authenticator.fromHeaders({ authorization: req.headers.authorization, cookie: req.headers.cookie })
    if (result.kind === 'invalid') throw new HttpError(401, result.code, 'the API token is unknown or revoked')
    res.locals.auth = result.kind === 'ok' ? result.auth : null
    next()
  }
}

/**
 * CSRF: a state-changing request that carries a valid session cookie must echo the session's
 * CSRF token in `X-CSRF-Token` (a cross-site page can make the browser send the cookie, but
 * cannot read the token). Bearer requests are exempt: browsers never add that header on their
 * own. `exempt` lists paths that do not act as the session (sign-in forms, which replace it).
 */
export function csrfGuard(exempt: ReadonlySet<string>): RequestHandler {
  return (req, res, next) => {
    const auth = authOf(res)
    if (SAFE_METHODS.has(req.method) || auth?.via !== 'session' || exempt.has(req.path)) return next()
    const sent = req.get(CSRF_HEADER)
    if (!sent || !safeEqual(sent, auth.session.csrfToken)) {
      throw new HttpError(403, 'csrf_failed', 'missing or wrong X-CSRF-Token header')
    }
    next()
  }
}

/**
 * 401 unless authenticated; 403 unless the caller's role may perform `action`. Routes do not
 * use it directly: they declare their action with `declareRoutes` (routes.ts), which adds it.
 */
export function requirePermission(action: Action): RequestHandler {
  return (_req, res, next) => {
    const principal = principalOf(res)
    if (!can(principal.role, action)) throw new HttpError(403, 'forbidden', `your role (${principal.role}) may not do this`)
    next()
  }
}

/**
 * Endpoints that create a session from a form (sign-in, setup, sign-up, invite acceptance)
 * accept only `Content-Type: application/json`: a cross-site page cannot send that without a
 * CORS preflight, which this server never grants, so those forms cannot be forged either.
 */
export const requireJson: RequestHandler = (req: Request, _res, next) => {
  if (!req.is('application/json')) throw new HttpError(415, 'unsupported_media_type', 'send Content-Type: application/json')
  next()
}

/** A route parameter as a string ('' if absent). */
export function param(req: Request, name: string): string {
  const v = req.params[name]
  return typeof v === 'string' ? v : ''
}
