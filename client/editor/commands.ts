/**
 * Editing commands of the spec editor, shared by the keymap and the toolbar. Each is a
 * ProseMirror command `(state, dispatch?, view?) => boolean`: called without `dispatch` it only
 * answers whether it applies, which is how the toolbar enables its buttons.
 */
import { lift, setBlockType, toggleMark, wrapIn } from 'prosemirror-commands'
import type { MarkType, NodeType } from 'prosemirror-model'
import { liftListItem, sinkListItem, wrapInList } from 'prosemirror-schema-list'
import type { Command, EditorState } from 'prosemirror-state'
import {
  absolutePositionToRelativePosition,
  relativePositionToAbsolutePosition,
  ySyncPluginKey
} from 'y-prosemirror'
import type * as Y from 'yjs'
import { isSafeHref, schema } from '../../shared/schema.js'

const { nodes, marks } = schema

/** True if the stored marks or the selection carry `type`. */
export const markActive = (state: EditorState, type: MarkType): boolean => {
  const { from, $from, to, empty } = state.selection
  if (empty) return !!type.isInSet(state.storedMarks ?? $from.marks())
  return state.doc.rangeHasMark(from, to, type)
}

/** True if the selection's textblock is `type` with (at least) `attrs`. */
export const blockActive = (
  state: EditorState,
  type: NodeType,
  attrs: Record<string, unknown> = {}
): boolean => {
  const { $from, to } = state.selection
  if (to > $from.end()) return false
  const parent = $from.parent
  return parent.type === type && Object.entries(attrs).every(([k, v]) => parent.attrs[k] === v)
}

/** Depth of the innermost ancestor of the selection start of `type`, or -1. */
const ancestorDepth = (state: EditorState, type: NodeType): number => {
  const { $from } = state.selection
  for (let d = $from.depth; d > 0; d--) if ($from.node(d).type === type) return d
  return -1
}

/** True if the selection is inside a list whose innermost list is `type`. */
export const listActive = (state: EditorState, type: NodeType): boolean => {
  const { $from } = state.selection
  for (let d = $from.depth; d > 0; d--) {
    const node = $from.node(d)
    if (node.type === nodes.bullet_list || node.type === nodes.ordered_list) return node.type === type
  }
  return false
}

/** True if the selection is inside a blockquote. */
export const quoteActive = (state: EditorState): boolean =>
  ancestorDepth(state, nodes.blockquote) >= 0

/** Toggles bold. */
export const toggleStrong: Command = toggleMark(marks.strong)
/** Toggles italics. */
export const toggleEm: Command = toggleMark(marks.em)

/** Turns the selected blocks into a heading of `level` (1-3). */
export const setHeading = (level: number): Command => setBlockType(nodes.heading, { level })
/** Turns the selected blocks into paragraphs. */
export const setParagraph: Command = setBlockType(nodes.paragraph)

/** Toggles a code block: back to a paragraph when already in one. */
export const toggleCodeBlock: Command = (state, dispatch) =>
  blockActive(state, nodes.code_block)
    ? setParagraph(state, dispatch)
    : setBlockType(nodes.code_block)(state, dispatch)

/** Wraps the selection in a blockquote, or lifts it out of the one it is in. */
export const toggleBlockquote: Command = (state, dispatch) =>
  quoteActive(state) ? lift(state, dispatch) : wrapIn(nodes.blockquote)(state, dispatch)

/**
 * Toggles a list of `type`: lifts the items out of a list of that type, converts a list of the
 * other type, or wraps the selection in a new list.
 */
export const toggleList = (type: NodeType): Command => (state, dispatch) => {
  if (listActive(state, type)) return liftListItem(nodes.list_item)(state, dispatch)
  const { $from } = state.selection
  for (let d = $from.depth; d > 0; d--) {
    const node = $from.node(d)
    if (node.type === nodes.bullet_list || node.type === nodes.ordered_list) {
      if (dispatch) {
        const attrs = type === nodes.ordered_list ? { order: 1 } : {}
        dispatch(state.tr.setNodeMarkup($from.before(d), type, attrs).scrollIntoView())
      }
      return true
    }
  }
  return wrapInList(type)(state, dispatch)
}

/** Toggles a bullet list. */
export const toggleBulletList: Command = toggleList(nodes.bullet_list)
/** Toggles a numbered list. */
export const toggleOrderedList: Command = toggleList(nodes.ordered_list)
/** Nests the selected list items one level deeper. */
export const indentListItem: Command = sinkListItem(nodes.list_item)
/** Moves the selected list items one level out. */
export const outdentListItem: Command = liftListItem(nodes.list_item)

/** Inserts a hard line break. */
export const insertHardBreak: Command = (state, dispatch) => {
  const { $from } = state.selection
  if (!$from.parent.type.contentMatch.matchType(nodes.hard_break)) return false
  if (dispatch) dispatch(state.tr.replaceSelectionWith(nodes.hard_break.create()).scrollIntoView())
  return true
}

/** Normalizes typed link text into an href: adds https:// to bare domains, mailto: to e-mails. */
export const normalizeHref = (input: string): string | null => {
  const text = input.trim()
  if (text === '') return null
  if (isSafeHref(text)) return text
  if (/^[^\s@/]+@[^\s@/]+\.[^\s@/]+$/.test(text)) return 'mailto:' + text
  if (/^[\w-]+(\.[\w-]+)+(\/\S*)?$/.test(text)) return 'https://' + text
  return null
}

/** Applies a link to the selection, or removes links from it when `href` is null. */
export const setLink = (href: string | null): Command => (state, dispatch) => {
  const { from, to, empty, $from } = state.selection
  if (empty || !$from.parent.type.allowsMarkType(marks.link)) return false
  if (dispatch) {
    const tr = state.tr.removeMark(from, to, marks.link)
    if (href !== null) tr.addMark(from, to, marks.link.create({ href }))
    dispatch(tr.scrollIntoView())
  }
  return true
}

/** Asks the user for a link target; resolves to the typed text or null if they cancelled. */
export type AskForLink = (current: string) => Promise<string | null>

/**
 * Remembers a document range across the edits (local or remote) that happen while a dialog is
 * open, through Yjs relative positions of the sync binding.
 */
const trackRange = (state: EditorState, from: number, to: number) => {
  const binding = ySyncPluginKey.getState(state)?.binding as
    | { doc: Y.Doc; type: Y.XmlFragment; mapping: Parameters<typeof absolutePositionToRelativePosition>[2] }
    | undefined
  if (!binding) return (): null => null
  const rel = [from, to].map((pos) => absolutePositionToRelativePosition(pos, binding.type, binding.mapping))
  return (): [number, number] | null => {
    const [a, b] = rel.map((r) =>
      relativePositionToAbsolutePosition(binding.doc, binding.type, r, binding.mapping)
    )
    return a == null || b == null || a >= b ? null : [a, b]
  }
}

/**
 * The link command: removes the link when the selection has one, otherwise asks for an address
 * (through `ask`, a dialog) and links the selected text. Needs a non-empty selection in text
 * that allows links.
 */
export const linkCommand = (ask: AskForLink): Command => (state, dispatch, view) => {
  if (!setLink(null)(state)) return false
  if (!dispatch || !view) return true
  if (markActive(state, marks.link)) return setLink(null)(state, dispatch)
  const range = trackRange(state, state.selection.from, state.selection.to)
  void ask('').then((answer) => {
    view.focus()
    const href = answer === null ? null : normalizeHref(answer)
    const current = range()
    if (href === null || current === null) return
    const [from, to] = current
    const tr = view.state.tr.removeMark(from, to, marks.link)
    view.dispatch(tr.addMark(from, to, marks.link.create({ href })).scrollIntoView())
  })
  return true
}
