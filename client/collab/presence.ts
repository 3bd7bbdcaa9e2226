/**
 * Who is in a spec. Each connection's awareness `user` field is `{id, name, role, color}`: the
 * server stamps it from the signed-in person (overwriting whatever a client claims); this client
 * also sets it locally from `GET /api/auth/me` so its own avatar and y-prosemirror's cursor
 * plugin (which reads `user.name`, `user.color`) show it before the server's copy arrives.
 */
import type { Awareness } from 'y-protocols/awareness'
import { participantColor } from '../../shared/identity.js'
import type { Role } from '../../shared/permissions.js'
import type { Me } from '../api/auth.js'
import { isRole } from '../ui/roles.js'

/** Longest display name shown. */
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

/** The awareness `user` field of a connection. */
export interface PresenceUser {
  id: string
  name: string
  color: string
  /** Absent only in states from clients that predate roles. */
  role?: Role
}

/** A participant as shown in the avatars bar. */
export interface Participant {
  clientId: number
  user: PresenceUser
  isSelf: boolean
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

/** Relative luminance of a `#rrggbb` colour (WCAG 2), or null for anything else. */
const luminance = (color: string): number | null => {
  const match = /^#([0-9a-f]{6})$/i.exec(color)
  if (!match?.[1]) return null
  const value = parseInt(match[1], 16)
  const channel = (shift: number): number => {
    const c = ((value >> shift) & 0xff) / 255
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4
  }
  return 0.2126 * channel(16) + 0.7152 * channel(8) + 0.0722 * channel(0)
}

/**
 * `color` if white text on it reaches WCAG AA (4.5:1), else the palette colour of `id`. The
 * server's colours ({@link participantColor}) and {@link PALETTE} all pass; anything a client
 * made up that would make labels unreadable is replaced.
 */
export const readableColor = (color: unknown, id: string): string => {
  const l = typeof color === 'string' ? luminance(color) : null
  return l !== null && 1.05 / (l + 0.05) >= 4.5 ? (color as string) : colorFor(id)
}

/** Publishes the signed-in person as this connection's awareness `user`. */
export const publishUser = (awareness: Awareness, me: Me): PresenceUser => {
  const user: PresenceUser = {
    id: me.participantId,
    name: normalizeName(me.displayName) || 'Anonymous',
    role: me.role,
    color: participantColor(me.participantId)
  }
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
 * `user` are left out; colours too light for white text are replaced so labels keep their
 * contrast.
 */
export const participants = (awareness: Awareness): Participant[] => {
  const list: Participant[] = []
  awareness.getStates().forEach((state, clientId) => {
    const user: unknown = state.user
    if (!isPresenceUser(user)) return
    const role: unknown = (user as { role?: unknown }).role
    list.push({
      clientId,
      user: {
        id: user.id,
        name: normalizeName(user.name) || 'Anonymous',
        color: readableColor(user.color, user.id),
        ...(isRole(role) ? { role } : {})
      },
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
