/**
 * HTTP errors: one error type carrying a status and a machine-readable code, and the one express
 * error middleware that turns anything thrown into `{ error: { code, message } }`.
 */
import type { ErrorRequestHandler, RequestHandler } from 'express'
import { ZodError } from 'zod'
import type { Logger } from '../observability/logger.js'
import { IdentityError, type IdentityErrorCode } from '../identity/errors.js'
import { ExportError } from '../export/export-errors.js'

/** An error with an HTTP status and a stable machine-readable `code`. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown
  ) {
    super(message)
    this.name = 'HttpError'
  }
}

/** HTTP status of each identity failure. */
export const IDENTITY_ERROR_STATUS: Record<IdentityErrorCode, number> = {
  invalid_credentials: 401,
  rate_limited: 429,
  email_taken: 409,
  last_facilitator: 409,
  setup_done: 409,
  invalid_setup_token: 403,
  invite_not_found: 404,
  invite_expired: 410,
  invite_revoked: 410,
  invite_used_up: 410,
  membership_removed: 403,
  identity_choice_required: 409,
  no_current_identity: 409,
  signup_not_found: 404,
  signup_expired: 410,
  signup_used: 410,
  panel_not_found: 404,
  spec_not_found: 404,
  member_not_found: 404,
  token_not_found: 404,
  not_an_account: 403,
  account_deactivated: 403,
  same_participant: 409,
  not_an_invitee: 409,
  already_merged: 409,
  merged_away: 409
}

/** 404 for routes that do not exist. */
export const notFound: RequestHandler = (req, _res, next) => {
  next(new HttpError(404, 'not_found', `no route for ${req.method} ${req.path}`))
}

/** Invite and sign-up tokens travel in paths; never write them to the log. */
const redactPath = (path: string): string => path.replace(/[A-Za-z0-9_-]{32,}/g, '[redacted]')

interface BodyParserError {
  type?: string
  status?: number
}

/** Maps thrown errors to JSON responses; unknown errors become 500 and are logged. */
export function errorMiddleware(log: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    let httpError: HttpError
    const bp = err as BodyParserError
    if (err instanceof HttpError) httpError = err
    else if (err instanceof IdentityError) {
      httpError = new HttpError(IDENTITY_ERROR_STATUS[err.code], err.code, err.message)
      if (err.retryAfterSeconds !== undefined) res.setHeader('Retry-After', String(err.retryAfterSeconds))
    }
    else if (err instanceof ExportError) {
      httpError = new HttpError(err.status, err.code, err.message)
      if (err.retryAfterSeconds !== undefined) res.setHeader('Retry-After', String(err.retryAfterSeconds))
    }
    else if (err instanceof ZodError) {
      httpError = new HttpError(
        400,
        'invalid_body',
        err.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '),
        err.issues
      )
    } else if (bp?.type === 'entity.too.large') {
      httpError = new HttpError(413, 'payload_too_large', 'request body is too large')
    } else if (bp?.type === 'entity.parse.failed') {
      httpError = new HttpError(400, 'invalid_json', 'request body is not valid JSON')
    } else if (typeof bp?.status === 'number' && bp.status >= 400 && bp.status < 500) {
      httpError = new HttpError(bp.status, 'bad_request', String((err as Error).message))
    } else {
      log.error({ err, method: req.method, path: redactPath(req.path) }, 'unhandled error')
      httpError = new HttpError(500, 'internal', 'internal server error')
    }
    res.status(httpError.status).json({
      error: { code: httpError.code, message: httpError.message, ...(httpError.details ? { details: httpError.details } : {}) }
    })
  }
}
