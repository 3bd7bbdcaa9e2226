/**
 * Personal return links of invitees (`/api/me/return-link`, `/api/auth/return`; see
 * docs/AUTH.md "Return links"). The server shows a link once and keeps only its hash, so this
 * browser remembers the link it was shown (per participant, in localStorage) to show it again
 * in the header's "Your return link" dialog; signing out forgets it, so the device no longer
 * holds a way back in.
 */
import { badResponse, field, isRecord, request, setCsrfToken } from './http.js'
import type { Principal as Me } from '../../shared/identity.js'

const storageKey = (participantId: string): string => `valence:return-link:${participantId}`

/** The return link this browser was shown for `participantId`, if it kept one. */
export const savedReturnLink = (participantId: string): string | null => {
  try {
    return localStorage.getItem(storageKey(participantId))
  } catch {
    return null
  }
}

/** Remembers (or, with null, forgets) the return link shown for `participantId`. */
export const rememberReturnLink = (participantId: string, url: string | null): void => {
  try {
    if (url) localStorage.setItem(storageKey(participantId), url)
    else localStorage.removeItem(storageKey(participantId))
  } catch {
    // Private mode or storage full: the dialog offers to make a new link instead.
  }
}

/** Makes a new return link for the signed-in invitee (the old one stops working) and remembers it. */
export const createReturnLink = async (me: Me): Promise<string> => {
  const body = await request('POST', '/api/me/return-link')
  if (!isRecord(body) || typeof body.url !== 'string') throw badResponse()
  rememberReturnLink(me.participantId, body.url)
  return body.url
}

/** Turns the signed-in invitee's return link off. */
export const revokeReturnLink = async (me: Me): Promise<void> => {
  await request('DELETE', '/api/me/return-link')
  rememberReturnLink(me.participantId, null)
}

/**
 * Signs this browser in through a return link's token (a fresh session; the token goes in the
 * body, never an API path) and remembers the link; 404 `return_link_not_found` if it no longer
 * works.
 */
export const signInWithReturnLink = async (token: string): Promise<Me> => {
  const body = await request('POST', '/api/auth/return', { token })
  if (isRecord(body) && typeof body.csrfToken === 'string') setCsrfToken(body.csrfToken)
  const me = field<Me>(body, 'me')
  rememberReturnLink(me.participantId, `${window.location.origin}/return/${encodeURIComponent(token)}`)
  return me
}

/** The token of a `/return/<token>` path, or null. */
export const returnTokenFromPath = (pathname: string): string | null => {
  const match = /^\/return\/([^/]+)\/?$/.exec(pathname)
  return match?.[1] ? decodeURIComponent(match[1]) : null
}
