/**
 * Awareness admission: which entries of a connection's awareness update are applied, and with
 * which user fields. Pure; the room applies the result.
 */
import type { PresenceUser } from '../../shared/identity.js'
import type { AwarenessEntry } from './awareness-codec.js'

/**
 * Keeps only entries for clientIDs the connection may speak for (`owns`), and overwrites the
 * `user` field of every kept state with `user`, so nobody can appear as someone else. Entries
 * for other clientIDs, including `null` states that would remove another person, are dropped.
 * With `user === null` (no identity known) states are kept as sent.
 */
export function admitAwareness(
  entries: readonly AwarenessEntry[],
  owns: (entry: AwarenessEntry) => boolean,
  user: PresenceUser | null
): AwarenessEntry[] {
  const admitted: AwarenessEntry[] = []
  for (const entry of entries) {
    if (!owns(entry)) continue
    if (entry.state === null || user === null) {
      admitted.push(entry)
      continue
    }
    admitted.push({ ...entry, state: { ...entry.state, user: { ...user } } })
  }
  return admitted
}
