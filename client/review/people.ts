/**
 * Names for the review views: a contribution's contributor (the server's `displayName` when the
 * contributions list carries it, else the attribution directory the editor already has), panel
 * names (facilitators can read the panel list; others see a short neutral label), and the
 * thread counts per contribution.
 */
import type { EditorState } from 'prosemirror-state'
import type { ContributionView } from '../../shared/api-review.js'
import type { ThreadView } from '../../shared/api-threads.js'
import { attributionKey } from '../attribution/index.js'

/** A contribution as the views read it (the optional fields arrive with later server versions). */
export type ContributionItem = ContributionView & { displayName?: string; comments?: number }

/** Display names of participants, from the attribution the editor received. */
export const namesFromAttribution = (state: EditorState): Map<string, string> => {
  const names = new Map<string, string>()
  const attribution = attributionKey.getState(state)?.attribution
  for (const block of attribution?.blocks ?? []) {
    for (const c of block.contributors) if (!names.has(c.participantId)) names.set(c.participantId, c.displayName)
  }
  return names
}

/** The contributor's name of `c`, falling back to `names`, then to "A customer". */
export const contributorName = (c: ContributionItem, names: ReadonlyMap<string, string>): string =>
  c.displayName ?? names.get(c.participantId) ?? 'A customer'

/** A panel's name, or a neutral label when it is not known to this reader. */
export const panelName = (panelId: string, panels: ReadonlyMap<string, string>, index: number): string =>
  panelId === '' ? 'No panel' : (panels.get(panelId) ?? `Panel ${index + 1}`)

/** Per contribution: its threads and the comments in them. */
export interface Discussion {
  threads: number
  comments: number
}

/** Threads and comments of every contribution that has any. */
export const discussions = (threads: readonly ThreadView[] | null): Map<string, Discussion> => {
  const out = new Map<string, Discussion>()
  for (const t of threads ?? []) {
    if (t.contributionId === null) continue
    const d = out.get(t.contributionId) ?? { threads: 0, comments: 0 }
    d.threads++
    d.comments += t.comments.length
    out.set(t.contributionId, d)
  }
  return out
}

/** How discussed `c` is: the server's comment count when it sends one, else the threads'. */
export const commentCount = (c: ContributionItem, d: ReadonlyMap<string, Discussion>): number =>
  c.comments ?? d.get(c.id)?.comments ?? 0
