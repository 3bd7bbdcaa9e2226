/**
 * The threads plugin: highlights the text of open threads (the active one stronger), opens the
 * composer for a new comment, and tells the page (the threads list) when its state changes.
 *
 * Ranges are resolved from the threads' Yjs anchors whenever the Yjs side is known to match the
 * editor: on new threads or options (meta), and on changes y-prosemirror applies from Yjs (remote
 * edits, undo, the first render). A local edit reaches Yjs only after the state is applied, so
 * for those the highlights are mapped through the edit instead (a deleted range simply vanishes).
 *
 * Moving the caret into a thread's text (click or arrow keys) makes that thread active; clicking
 * highlighted text also opens its thread in the list, without taking the focus. The comment
 * shortcut works in read-only editors too (viewers may comment), where text can be selected
 * from the keyboard (`read-only-keys.ts`).
 */
import { keydownHandler } from 'prosemirror-keymap'
import { Plugin, type EditorState, type Transaction } from 'prosemirror-state'
import { DecorationSet, type EditorView } from 'prosemirror-view'
import { ySyncPluginKey } from 'y-prosemirror'
import { Composer, type PostComment } from './composer.js'
import { decorationMapping } from '../attribution/mapping.js'
import {
  COMMENT_SHORTCUT,
  commentCommand,
  openThread,
  threadAt,
  threadIn,
  threadsKey,
  type AnchorSpec,
  type ThreadsMeta,
  type ThreadsState
} from './commands.js'
import { ANCHOR_CLASS, buildDecorations } from './decorations.js'
import { ReadOnlySelection } from './read-only-keys.js'

/** What the threads plugin needs from the page. */
export interface ThreadsPluginOptions {
  /** Sends a new thread to the server; rejects with a user-facing error. */
  post: PostComment
  /** Called after every transaction that changed the plugin state (the list re-renders). */
  onChange(state: ThreadsState, prev: ThreadsState): void
}

const NONE: ReadonlySet<string> = new Set()

/** The open threads with text on the server that have no highlight here (`prev` if unchanged). */
const goneThreads = (next: ThreadsState, prev: ReadonlySet<string>): ReadonlySet<string> => {
  if (!next.ready) return NONE
  const isAnchor = (spec: Partial<AnchorSpec>): boolean => typeof spec.threadId === 'string'
  const drawn = new Set(next.decorations.find(undefined, undefined, isAnchor).map((d) => (d.spec as AnchorSpec).threadId))
  const gone = new Set<string>()
  for (const t of next.threads) if (t.status === 'open' && !t.textRemoved && !drawn.has(t.id)) gone.add(t.id)
  return gone.size === prev.size && [...gone].every((id) => prev.has(id)) ? prev : gone
}

/** The next plugin state; `gone` follows the highlights. */
const reduce = (tr: Transaction, prev: ThreadsState, state: EditorState): ThreadsState => {
  const next = reduceHighlights(tr, prev, state)
  if (next.decorations === prev.decorations && next.ready === prev.ready) return next
  return { ...next, gone: goneThreads(next, prev.gone) }
}

/** Meta, highlights (rebuilt or mapped, see the file header) and the active thread. */
const reduceHighlights = (tr: Transaction, prev: ThreadsState, state: EditorState): ThreadsState => {
  const meta = tr.getMeta(threadsKey) as ThreadsMeta | undefined
  const fromYjs = tr.docChanged && tr.getMeta(ySyncPluginKey) !== undefined
  let next = meta === undefined ? prev : { ...prev, ...meta }
  // The active thread was just resolved: its text stops being highlighted.
  if (meta?.threads !== undefined && meta.activeId === undefined && next.activeId !== null) {
    const was = prev.threads.find((t) => t.id === next.activeId)
    const now = next.threads.find((t) => t.id === next.activeId)
    if (was?.status === 'open' && now?.status !== 'open') next = { ...next, activeId: null }
  }
  if (meta !== undefined || fromYjs) next = { ...next, decorations: buildDecorations(state, next) }
  else if (tr.docChanged) next = { ...next, decorations: prev.decorations.map(decorationMapping(tr), tr.doc) }
  // The person moved the caret into a thread's text: that thread becomes the active one.
  if (meta?.activeId === undefined && tr.selectionSet && !fromYjs && state.selection.empty) {
    const id = threadIn(next.decorations, state.selection.head)
    if (id !== null && id !== next.activeId) {
      next = { ...next, activeId: id, decorations: buildDecorations(state, { ...next, activeId: id }) }
    }
  }
  return next
}

/**
 * The threads plugin.
 *
 * @example
 *   const plugin = threadsPlugin({ post: (draft, body) => createThread(specId, { ...draft.anchors, body }), onChange })
 *   // after every fetch:
 *   setThreads(threads)(view.state, view.dispatch)
 */
export const threadsPlugin = (options: ThreadsPluginOptions): Plugin<ThreadsState> => {
  const onKey = keydownHandler({ [COMMENT_SHORTCUT]: commentCommand })
  return new Plugin<ThreadsState>({
    key: threadsKey,
    state: {
      init: () => ({
        threads: [],
        activeId: null,
        draft: null,
        open: null,
        decorations: DecorationSet.empty,
        ready: false,
        gone: NONE
      }),
      apply: (tr, prev, _old, state) => reduce(tr, prev, state)
    },
    props: {
      decorations: (state) => threadsKey.getState(state)?.decorations,
      handleClick: (view, pos, event) => {
        const target = event.target instanceof Element ? event.target.closest(`.${ANCHOR_CLASS}`) : null
        const id = target === null ? null : threadAt(view.state, pos)
        if (id !== null) openThread(id, false)(view.state, view.dispatch)
        // ProseMirror still places the caret.
        return false
      },
      handleKeyDown: (view, event) => onKey(view, event)
    },
    view: (view: EditorView) => {
      const composer = new Composer(view, options.post)
      const keys = new ReadOnlySelection(view)
      // A read-only editor (viewers) cannot hold the focus, so ProseMirror sees no keys: the
      // shortcut is taken from the document while the page's selection is in the editor.
      const onDocumentKey = (event: KeyboardEvent): void => {
        if (view.editable || event.defaultPrevented) return
        const anchor = document.getSelection()?.anchorNode ?? null
        if (anchor === null || !view.dom.contains(anchor)) return
        if (onKey(view, event)) event.preventDefault()
      }
      document.addEventListener('keydown', onDocumentKey)
      return {
        update: (v, prevState) => {
          const prev = threadsKey.getState(prevState)
          const next = threadsKey.getState(v.state)
          composer.update(v)
          keys.update(v)
          if (prev && next && prev !== next) options.onChange(next, prev)
        },
        destroy: () => {
          document.removeEventListener('keydown', onDocumentKey)
          composer.destroy()
          keys.destroy()
        }
      }
    }
  })
}
