/**
 * Fetch wrappers for the Valence HTTP API (same origin, JSON). Specs live here; sessions and
 * invite links in `api/auth.ts`, the facilitator's workspace in `api/workspace.ts`, the shared
 * request plumbing (errors, CSRF) in `api/http.ts`.
 */
import { field, list, request, seg } from './http.js'

export { ApiError } from './http.js'

/** A spec as the API returns it. */
export interface Spec {
  id: string
  title: string
  /** ISO 8601. */
  createdAt: string
  /** ISO 8601: when its title or document last changed. */
  updatedAt: string
  /** Who last edited its document; null before anyone did. */
  lastEditedBy: { participantId: string; displayName: string } | null
}

const specPath = (id: string): string => `/api/specs/${seg(id)}`

/** Lists the specs this person may see (customers and viewers: their panels' specs). */
export const listSpecs = async (): Promise<Spec[]> => list<Spec>(await request('GET', '/api/specs'), 'specs')

/** Creates a spec with the given title. */
export const createSpec = async (title: string): Promise<Spec> =>
  field<Spec>(await request('POST', '/api/specs', { title }), 'spec')

/** Fetches one spec; rejects with 404 if it does not exist or was deleted, 403 without access. */
export const getSpec = async (id: string): Promise<Spec> => field<Spec>(await request('GET', specPath(id)), 'spec')

/** Renames a spec. */
export const renameSpec = async (id: string, title: string): Promise<Spec> =>
  field<Spec>(await request('PATCH', specPath(id), { title }), 'spec')

/** Deletes a spec (the server keeps it, soft-deleted). */
export const deleteSpec = async (id: string): Promise<void> => {
  await request('DELETE', specPath(id))
}

/** The editor page URL of a spec. */
export const specUrl = (id: string): string => `/specs/${encodeURIComponent(id)}`
