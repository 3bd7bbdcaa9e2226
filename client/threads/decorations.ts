/**
 * The highlights of threads in the text: every open thread whose text is still there gets an
 * inline decoration over its current range (resolved from its anchors), the active one a stronger
 * one; the comment being written highlights the text it will quote.
 *
 * Rules: threads whose text is gone are not drawn, nor resolved ones unless active (selected
 * from the list). Ranges come from the anchors only when the Yjs document and the editor agree
 * (see `plugin.ts`); in between, the plugin maps this set through local edits.
 */
import type { EditorState } from 'prosemirror-state'
import { Decoration, DecorationSet } from 'prosemirror-view'
import { resolveAnchors } from './anchors.js'
import type { AnchorSpec, Draft, ThreadsState } from './commands.js'

/** Class of every thread highlight; `is-active` marks the active thread's. */
export const ANCHOR_CLASS = 'thread-anchor'

/** Class of the highlight of the text a comment being written will quote. */
export const DRAFT_CLASS = 'thread-anchor-draft'

const draftDecoration = (state: EditorState, draft: Draft): Decoration | null => {
  const range = resolveAnchors(state, draft.anchors)
  return range && Decoration.inline(range.from, range.to, { class: DRAFT_CLASS })
}

/** The highlights for `threads` (the plugin's fields) in `state`'s document. */
export const buildDecorations = (
  state: EditorState,
  { threads, activeId, draft }: Pick<ThreadsState, 'threads' | 'activeId' | 'draft'>
): DecorationSet => {
  const out: Decoration[] = []
  for (const thread of threads) {
    const active = thread.id === activeId
    if (thread.textRemoved || (thread.status !== 'open' && !active)) continue
    const range = resolveAnchors(state, thread)
    if (range === null) continue
    const attrs = {
      class: active ? `${ANCHOR_CLASS} is-active` : ANCHOR_CLASS,
      'data-thread-id': thread.id
    }
    out.push(Decoration.inline(range.from, range.to, attrs, { threadId: thread.id } satisfies AnchorSpec))
  }
  const pending = draft && draftDecoration(state, draft)
  if (pending) out.push(pending)
  return DecorationSet.create(state.doc, out)
}
