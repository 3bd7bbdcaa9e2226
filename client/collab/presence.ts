/**
 * Who this browser is in a spec: a random per-browser id, a display name the participant picks,
 * and a colour derived from the id. Published as the awareness `user` field, which
 * y-prosemirror's cursor plugin reads (`user.name`, `user.color`).
 */
import type { Awareness } from 'y-protocols/awareness'

/** localStorage key of the display name. */
export const NAME_KEY = 'valence:name'
/** localStorage key of the random per-browser id. */
export const ID_KEY = 'valence:id'
/** Longest display name accepted. */
export const MAX_NAME_LENGTH = 40

/**
 * Cursor and avatar colours. Each is dark enough for white text at WCAG AA (4.5:1 or better),
 * since remote cursor labels and avatar initials are white on these.
 */
export const PALETTE = [
  '#B42318',
  '#175CD3',
  '#027A48',
  '#6941C6',
  '#B54708',
  '#C11574',
  '#0E7090',
  '#4E5BA6',
  '#854A0E',
  '#3F621A'
] as const

/** The awareness `user` field every Valence client publishes. */
export interface PresenceUser {
  id: string
  name: string
  color: string
}

/** A participant as shown in the avatars bar. */
export interface Participant {
  clientId: number
  user: PresenceUser
  isSelf: boolean
}

const storage = (): Storage | null => {
  try {
    return window.localStorage
  } catch {
    // Storage can be disabled (privacy settings, sandboxed frames): fall back to per-page values.
    return null
  }
}

/** Trims and shortens a typed name; returns '' if nothing usable is left. */
export const normalizeName = (name: string): string =>
  name.replace(/\s+/g, ' ').trim().slice(0, MAX_NAME_LENGTH)

/** Deterministic palette colour for an id (FNV-1a hash). */
export const colorFor = (id: string): string => {
  let hash = 0x811c9dc5
  for (let i = 0; i < id.length; i++) {
    hash ^= id.charCodeAt(i)
    hash = Math.imul(hash, 0x01000193)
  }
  return PALETTE[(hash >>> 0) % PALETTE.length] ?? PALETTE[0]
}

/** This browser's random id, created on first use. */
export const browserId = (): string => {
  const store = storage()
  const existing = store?.getItem(ID_KEY)
  if (existing) return existing
  const id = crypto.randomUUID()
  store?.setItem(ID_KEY, id)
  return id
}

/** The stored display name, or null on a first visit. */
export const storedName = (): string | null => {
  const name = normalizeName(storage()?.getItem(NAME_KEY) ?? '')
  return name === '' ? null : name
}

/** Stores a display name; returns the normalized name. */
export const storeName = (name: string): string => {
  const clean = normalizeName(name)
  if (clean !== '') storage()?.setItem(NAME_KEY, clean)
  return clean
}

/**
 * Takes a `?name=` URL parameter (used by links and browser tests), stores it like a typed name
 * and removes it from the address bar. Returns the stored name, if any.
 */
export const adoptNameFromUrl = (): string | null => {
  const url = new URL(window.location.href)
  const fromUrl = normalizeName(url.searchParams.get('name') ?? '')
  if (fromUrl === '') return null
  url.searchParams.delete('name')
  window.history.replaceState(window.history.state, '', url.pathname + url.search + url.hash)
  return storeName(fromUrl)
}

/** A fallback name for someone who dismissed the name dialog. */
export const guestName = (id: string): string => `Guest ${id.replace(/[^0-9a-f]/gi, '').slice(0, 4)}`

/** Publishes (or republishes after a rename) this browser's user in the awareness. */
export const publishUser = (awareness: Awareness, name: string): PresenceUser => {
  const id = browserId()
  const user: PresenceUser = { id, name, color: colorFor(id) }
  awareness.setLocalStateField('user', user)
  return user
}

const isPresenceUser = (value: unknown): value is PresenceUser => {
  if (typeof value !== 'object' || value === null) return false
  const v = value as Record<string, unknown>
  return typeof v.id === 'string' && typeof v.name === 'string' && typeof v.color === 'string'
}

/**
 * Everybody in the spec, yourself first, then in order of client id. States without a valid
 * `user` (for example a client that has not picked a name yet) are left out; colours that are not
 * one of ours are replaced so labels keep their contrast.
 */
export const participants = (awareness: Awareness): Participant[] => {
  const list: Participant[] = []
  awareness.getStates().forEach((state, clientId) => {
    const user: unknown = state.user
    if (!isPresenceUser(user)) return
    const color = (PALETTE as readonly string[]).includes(user.color) ? user.color : colorFor(user.id)
    list.push({
      clientId,
      user: { id: user.id, name: normalizeName(user.name) || 'Anonymous', color },
      isSelf: clientId === awareness.clientID
    })
  })
  return list.sort((a, b) => Number(b.isSelf) - Number(a.isSelf) || a.clientId - b.clientId)
}

/** Up to two initials of a name, for avatar circles. */
export const initials = (name: string): string => {
  const words = name.split(' ').filter((w) => w !== '')
  const letters = words.length > 1 ? [words[0], words[words.length - 1]] : [name]
  return letters
    .map((w) => Array.from(w ?? '')[0] ?? '')
    .join('')
    .toUpperCase()
}
