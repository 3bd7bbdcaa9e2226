/**
 * The threads plugin's key, state and commands. Everything the plugin shows (which threads
 * exist, which one is active, the comment being written) reaches it as transaction meta under
 * {@link threadsKey}, set by these commands, so the highlights, the composer and the threads list
 * all read one state.
 *
 * Rules: commands work in a read-only editor too (viewers may comment): they only set meta,
 * never change the document. The comment command needs a selection holding some text, or a
 * caret inside a thread's text (then it opens that thread).
 */
import { PluginKey, type Command, type EditorState } from 'prosemirror-state'
import type { DecorationSet } from 'prosemirror-view'
import type { ThreadView } from '../../shared/api-threads.js'
import { anchorsOf, type Anchors } from './anchors.js'

/** A comment being written: where it will be anchored and the text it quotes. */
export interface Draft {
  anchors: Anchors
  quote: string
}

/** A request to show a thread in the list, `focus` moving the keyboard focus there too. */
export interface OpenRequest {
  threadId: string
  focus: boolean
  /** Increases with every request, so asking twice for the same thread opens it twice. */
  seq: number
}

/** State of the threads plugin. */
export interface ThreadsState {
  /** Every thread of the spec, as last fetched. */
  threads: readonly ThreadView[]
  /** The thread shown stronger in the text and in the list. */
  activeId: string | null
  draft: Draft | null
  open: OpenRequest | null
  /** Highlights of the open threads' text (and of the draft's). */
  decorations: DecorationSet
  /** True once the document has synced with the server: only then is missing text really gone. */
  ready: boolean
  /**
   * Open threads the server still reports with text whose text is gone from this editor (a
   * deletion the server has not reported yet): shown as "text removed" at once.
   */
  gone: ReadonlySet<string>
}

/** What commands set as meta; omitted fields keep their value. */
export type ThreadsMeta = Partial<Pick<ThreadsState, 'threads' | 'activeId' | 'draft' | 'open' | 'ready'>>

/** Key of the threads plugin. */
export const threadsKey = new PluginKey<ThreadsState>('valence-threads')

/** Spec of a thread highlight decoration (see `decorations.ts`). */
export interface AnchorSpec {
  threadId: string
}

/** The current threads state, or null when the editor has no threads plugin. */
export const threadsState = (state: EditorState): ThreadsState | null => threadsKey.getState(state) ?? null

/** Id of the innermost thread highlight in `decorations` whose text holds position `pos`, or null. */
export const threadIn = (decorations: DecorationSet, pos: number): string | null => {
  let best: { id: string; size: number } | null = null
  for (const d of decorations.find(pos, pos, (spec) => typeof (spec as Partial<AnchorSpec>).threadId === 'string')) {
    // find() includes ranges that only touch `pos`: the caret just after the text is not in it.
    if (pos < d.from || pos >= d.to) continue
    const size = d.to - d.from
    if (best === null || size < best.size) best = { id: (d.spec as AnchorSpec).threadId, size }
  }
  return best?.id ?? null
}

/** Id of the innermost open thread whose highlighted text holds position `pos`, or null. */
export const threadAt = (state: EditorState, pos: number): string | null => {
  const plugin = threadsState(state)
  return plugin ? threadIn(plugin.decorations, pos) : null
}

const setMeta =
  (meta: ThreadsMeta): Command =>
  (state, dispatch) => {
    if (!threadsState(state)) return false
    dispatch?.(state.tr.setMeta(threadsKey, meta))
    return true
  }

/** Says the document has synced with the server (threads whose text is missing are gone). */
export const setThreadsReady: Command = setMeta({ ready: true })

/** Replaces the threads the editor shows (after every fetch). */
export const setThreads = (threads: readonly ThreadView[]): Command => setMeta({ threads })

/** Makes `threadId` the active thread (null: none). */
export const setActiveThread = (threadId: string | null): Command => setMeta({ activeId: threadId })

/** Drops the comment being written. */
export const cancelDraft: Command = setMeta({ draft: null })

/** Asks the list to show `threadId` (and move focus there with `focus`), and makes it active. */
export const openThread =
  (threadId: string, focus: boolean): Command =>
  (state, dispatch) => {
    const plugin = threadsState(state)
    if (!plugin) return false
    const open = { threadId, focus, seq: (plugin.open?.seq ?? 0) + 1 }
    return setMeta({ open, activeId: threadId })(state, dispatch)
  }

/** Shortcut of the comment command (ProseMirror notation). */
export const COMMENT_SHORTCUT = 'Mod-Alt-m'

/**
 * The comment command: with some text selected, starts a comment anchored to it (the composer
 * opens); with the caret inside a thread's text, opens that thread. Works in read-only editors.
 */
export const commentCommand: Command = (state, dispatch) => {
  if (!threadsState(state)) return false
  const { from, to, empty } = state.selection
  if (empty) {
    const id = threadAt(state, from)
    return id !== null && openThread(id, true)(state, dispatch)
  }
  const quote = state.doc.textBetween(from, to, '\n', ' ')
  if (quote.trim() === '') return false
  if (!dispatch) return true
  const anchors = anchorsOf(state, from, to)
  if (anchors === null) return false
  return setMeta({ draft: { anchors, quote } })(state, dispatch)
}
