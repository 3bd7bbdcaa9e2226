/**
 * HTTP API shapes shared by the server (validation) and the client (types).
 */
import { z } from 'zod'

/** Longest spec title accepted. */
export const MAX_TITLE_LENGTH = 200

const title = z
  .string()
  .trim()
  .min(1, 'title must not be empty')
  .max(MAX_TITLE_LENGTH, `title must be at most ${MAX_TITLE_LENGTH} characters`)

/** `POST /api/specs` body. Unknown fields are refused. */
export const createSpecBody = z.strictObject({ title })

/** `PATCH /api/specs/:id` body. Unknown fields are refused. */
export const renameSpecBody = z.strictObject({ title })

/** A spec as the API returns it. */
export interface Spec {
  id: string
  title: string
  createdAt: string
  /** When its title or document last changed (document edits are recorded within seconds). */
  updatedAt: string
  /** Who last edited its document, or null before anyone did (or if they are gone). */
  lastEditedBy: { participantId: string; displayName: string } | null
  /** `GET /api/specs` only: the caller's unread answers in the spec (`GET /api/specs/:id/answers`). */
  unreadAnswers?: number
}

/** Every error response: `{ error: { code, message } }`. */
export interface ApiError {
  error: { code: string; message: string; details?: unknown }
}
