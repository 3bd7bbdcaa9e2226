/**
 * Fetch wrappers for the Valence HTTP API (`/api/specs`, JSON, same origin).
 *
 * Every failure becomes an {@link ApiError} whose `message` is fit to show to the user: the
 * server's `{ error: { code, message } }` when it sent one, otherwise a generic sentence.
 */

/** A spec as the API returns it. */
export interface Spec {
  id: string
  title: string
  /** ISO 8601. */
  createdAt: string
  /** ISO 8601. */
  updatedAt: string
}

/** A failed API call; `status` is 0 when the server could not be reached. */
export class ApiError extends Error {
  override name = 'ApiError'

  constructor(
    message: string,
    readonly code: string,
    readonly status: number
  ) {
    super(message)
  }
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null

/** Reads the server's error body, falling back to a message based on the status. */
const errorFrom = async (response: Response): Promise<ApiError> => {
  let body: unknown = null
  try {
    body = await response.json()
  } catch {
    // Not JSON (e.g. a proxy's HTML error page): use the generic message below.
  }
  const error = isRecord(body) && isRecord(body.error) ? body.error : null
  if (error && typeof error.message === 'string') {
    return new ApiError(
      error.message,
      typeof error.code === 'string' ? error.code : 'error',
      response.status
    )
  }
  return new ApiError(
    `The server answered ${response.status} ${response.statusText}`.trim(),
    'http_' + response.status,
    response.status
  )
}

/** Sends one request and returns the parsed JSON body (or `null` for 204). */
const request = async (method: string, path: string, body?: unknown): Promise<unknown> => {
  let response: Response
  try {
    response = await fetch(path, {
      method,
      headers: body === undefined ? { accept: 'application/json' } : {
        accept: 'application/json',
        'content-type': 'application/json'
      },
      body: body === undefined ? undefined : JSON.stringify(body)
    })
  } catch {
    throw new ApiError('Could not reach the server. Check your connection and try again.', 'network', 0)
  }
  if (!response.ok) throw await errorFrom(response)
  if (response.status === 204) return null
  return response.json()
}

const specFrom = (body: unknown): Spec => {
  if (isRecord(body) && isRecord(body.spec)) return body.spec as unknown as Spec
  throw new ApiError('The server sent an unexpected answer.', 'bad_response', 200)
}

const specPath = (id: string): string => `/api/specs/${encodeURIComponent(id)}`

/** Lists the specs that are not deleted. */
export const listSpecs = async (): Promise<Spec[]> => {
  const body = await request('GET', '/api/specs')
  if (isRecord(body) && Array.isArray(body.specs)) return body.specs as Spec[]
  throw new ApiError('The server sent an unexpected answer.', 'bad_response', 200)
}

/** Creates a spec with the given title. */
export const createSpec = async (title: string): Promise<Spec> =>
  specFrom(await request('POST', '/api/specs', { title }))

/** Fetches one spec; rejects with status 404 if it does not exist or was deleted. */
export const getSpec = async (id: string): Promise<Spec> => specFrom(await request('GET', specPath(id)))

/** Renames a spec. */
export const renameSpec = async (id: string, title: string): Promise<Spec> =>
  specFrom(await request('PATCH', specPath(id), { title }))

/** Deletes a spec (the server keeps it, soft-deleted). */
export const deleteSpec = async (id: string): Promise<void> => {
  await request('DELETE', specPath(id))
}

/** The editor page URL of a spec. */
export const specUrl = (id: string): string => `/specs/${encodeURIComponent(id)}`
