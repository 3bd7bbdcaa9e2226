/**
 * Who is behind a request or a connection, as the server establishes it.
 */
import type { Role } from './permissions.js'

/** How a principal authenticated. */
export type PrincipalKind = 'account' | 'invitee' | 'token'

/**
 * An authenticated principal. `participantId` is stable for a person across sessions: a team
 * account's id, an invitee's id (same browser -> same participant), or an API token's id.
 */
export interface Principal {
  participantId: string
  displayName: string
  role: Role
  kind: PrincipalKind
  /** Email of a team account or of an invitee who gave one. */
  email: string | null
}

/**
 * Someone as review lists show them (threads, removals, answers): who they are and the role they
 * acted in (not necessarily their role today). Names are resolved by the server at read time.
 */
export interface Person {
  participantId: string
  displayName: string
  /** Their role when they acted (not necessarily their role today). */
  role: Role
}

/** The presence fields the server stamps on every awareness state of a connection. */
export interface PresenceUser {
  id: string
  name: string
  role: Role
  color: string
}

/** Deterministic presence colour for a participant (dark enough for white label text, AA). */
export function participantColor(participantId: string): string {
  const palette = ['#1f5f8b', '#8b1f5f', '#2e6b30', '#8a4b08', '#5b3a9e', '#9e2b2b', '#0f6b6b', '#6b4f1f']
  let h = 0
  for (let i = 0; i < participantId.length; i++) h = (h * 31 + participantId.charCodeAt(i)) >>> 0
  return palette[h % palette.length]!
}
