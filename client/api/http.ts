/**
 * The one place that talks HTTP to the Valence API: JSON in and out, same origin, the session
 * cookie sent automatically, and the CSRF header on every state-changing request.
 *
 * Every failure becomes an {@link ApiError} whose `message` is fit to show to the user: the
 * server's `{ error: { code, message } }` when it sent one, otherwise a generic sentence.
 */

/** A failed API call; `status` is 0 when the server could not be reached. */
export class ApiError extends Error {
  override name = 'ApiError'

  constructor(
    message: string,
    readonly code: string,
    readonly status: number,
    /** Seconds from the `Retry-After` header of a 429, when the server sent one. */
    readonly retryAfter: number | null = null
  ) {
    super(message)
  }
}

/** True for plain objects (JSON objects). */
export const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null

/** The error for an answer that does not have the documented shape. */
export const badResponse = (): ApiError =>
  new ApiError('The server sent an unexpected answer.', 'bad_response', 200)

const retryAfterSeconds = (response: Response): number | null => {
  const header = response.headers.get('retry-after')
  if (header === null) return null
  const seconds = Number(header)
  if (Number.isFinite(seconds)) return Math.max(0, Math.ceil(seconds))
  const date = Date.parse(header)
  return Number.isNaN(date) ? null : Math.max(0, Math.ceil((date - Date.now()) / 1000))
}

/** Reads the server's error body, falling back to a message based on the status. */
const errorFrom = async (response: Response): Promise<ApiError> => {
  let body: unknown = null
  try {
    body = await response.json()
  } catch {
    // Not JSON (e.g. a proxy's HTML error page): use the generic message below.
  }
  const retry = retryAfterSeconds(response)
  const error = isRecord(body) && isRecord(body.error) ? body.error : null
  if (error && typeof error.message === 'string') {
    const code = typeof error.code === 'string' ? error.code : 'error'
    const details = isRecord(error.details) ? error.details : null
    const bodyRetry = typeof details?.retryAfter === 'number' ? details.retryAfter : null
    return new ApiError(error.message, code, response.status, retry ?? bodyRetry)
  }
  return new ApiError(
    `The server answered ${response.status} ${response.statusText}`.trim(),
    'http_' + response.status,
    response.status,
    retry
  )
}

let csrfToken: string | null = null
let csrfLoaded = false

/** Remembers the CSRF token of the current session (from `GET /api/auth/me`). */
export const setCsrfToken = (token: string | null): void => {
  csrfToken = token
  csrfLoaded = true
}

const SAFE_METHODS = new Set(['GET', 'HEAD'])

/**
 * Makes sure a state-changing request can carry the CSRF token: a page that has not asked
 * `GET /api/auth/me` yet asks it once (a 401 just means there is no session to protect).
 */
const ensureCsrf = async (): Promise<void> => {
  if (csrfLoaded) return
  csrfLoaded = true
  try {
    const response = await fetch('/api/auth/me', { headers: { accept: 'application/json' } })
    if (!response.ok) return
    const body: unknown = await response.json()
    if (isRecord(body) && typeof body.csrfToken === 'string') csrfToken = body.csrfToken
  } catch {
    // Offline: the request below fails with the usual network error.
  }
}

/** Sends one request and returns the parsed JSON body (or `null` for 204). */
export const request = async (method: string, path: string, body?: unknown): Promise<unknown> => {
  const headers: Record<string, string> = { accept: 'application/json' }
  if (body !== undefined) headers['content-type'] = 'application/json'
  if (!SAFE_METHODS.has(method)) {
    await ensureCsrf()
    if (csrfToken !== null) headers['x-csrf-token'] = csrfToken
  }
  let response: Response
  try {
    response = await fetch(path, {
      method,
      headers,
      credentials: 'same-origin',
      body: body === undefined ? undefined : JSON.stringify(body)
    })
  } catch {
    throw new ApiError('Could not reach the server. Check your connection and try again.', 'network', 0)
  }
  if (!response.ok) throw await errorFrom(response)
  if (response.status === 204) return null
  return response.json()
}

/** Reads `body[key]` as an object, or throws {@link badResponse}. */
export const field = <T>(body: unknown, key: string): T => {
  if (isRecord(body) && isRecord(body[key])) return body[key] as T
  throw badResponse()
}

/** Reads `body[key]` as an array, or throws {@link badResponse}. */
export const list = <T>(body: unknown, key: string): T[] => {
  if (isRecord(body) && Array.isArray(body[key])) return body[key] as T[]
  throw badResponse()
}

/** Encodes one path segment. */
export const seg = (value: string): string => encodeURIComponent(value)
