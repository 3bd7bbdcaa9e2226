/**
 * Selecting text from the keyboard in a read-only editor, so viewers can comment without a
 * mouse. A read-only editor is not editable, so the browser gives it no caret; this makes it a
 * tab stop and moves the browser's selection on keys:
 *
 * - ArrowDown / ArrowUp select the next / previous block (the first one when nothing is
 *   selected yet); Home / End the first / last block.
 * - Shift+ArrowDown / Shift+ArrowUp extend the selection by a block at its end / start.
 * - Shift+ArrowRight / Shift+ArrowLeft move its end by a character (with Ctrl, by a word).
 *
 * Rules: only while the view is not editable (an editable view keeps the browser's own
 * behaviour, and loses the tab stop again); only the selection moves, never the document.
 * ProseMirror follows selections in read-only views, so the comment command sees the result.
 */
import type { Node } from 'prosemirror-model'
import { TextSelection } from 'prosemirror-state'
import type { EditorView } from 'prosemirror-view'

/** A block's text range. */
interface Block {
  from: number
  to: number
}

/** The textblocks of `doc` that hold text, in order. */
const blocksOf = (doc: Node): Block[] => {
  const blocks: Block[] = []
  doc.descendants((node, pos) => {
    if (!node.isTextblock) return true
    if (node.content.size > 0) blocks.push({ from: pos + 1, to: pos + 1 + node.content.size })
    return false
  })
  return blocks
}

/** Keyboard selection for one read-only editor view; see the file header. */
export class ReadOnlySelection {
  constructor(private view: EditorView) {
    view.dom.addEventListener('keydown', this.onKeyDown)
    this.update(view)
  }

  /** Follows the view becoming editable or read-only. */
  update(view: EditorView): void {
    this.view = view
    if (!view.editable) {
      if (view.dom.getAttribute('tabindex') !== '0') view.dom.setAttribute('tabindex', '0')
    } else if (view.dom.hasAttribute('tabindex')) {
      view.dom.removeAttribute('tabindex')
    }
  }

  destroy(): void {
    this.view.dom.removeEventListener('keydown', this.onKeyDown)
  }

  /**
   * Selects `anchor..head` in the page and in ProseMirror at once: left to the browser's
   * `selectionchange`, a transaction arriving first (a remote cursor) would put ProseMirror's
   * older selection back into the page.
   */
  private select(anchor: number, head: number): void {
    const a = this.view.domAtPos(anchor)
    const h = this.view.domAtPos(head)
    document.getSelection()?.setBaseAndExtent(a.node, a.offset, h.node, h.offset)
    const { state } = this.view
    this.view.dispatch(state.tr.setSelection(TextSelection.create(state.doc, anchor, head)))
    const node = h.node instanceof Element ? h.node : h.node.parentElement
    node?.scrollIntoView({ block: 'nearest' })
  }

  /** Moves the page selection's end by a character or word, and ProseMirror's with it. */
  private extend(direction: 'forward' | 'backward', granularity: 'character' | 'word'): void {
    const selection = document.getSelection()
    if (!selection?.anchorNode || !selection.focusNode) return
    selection.modify('extend', direction, granularity)
    if (!selection.anchorNode || !selection.focusNode) return
    try {
      const anchor = this.view.posAtDOM(selection.anchorNode, selection.anchorOffset)
      const head = this.view.posAtDOM(selection.focusNode, selection.focusOffset)
      this.select(anchor, head)
    } catch {
      // The selection left the editor: the browser's own selection stays.
    }
  }

  private readonly onKeyDown = (event: KeyboardEvent): void => {
    const view = this.view
    if (view.editable || event.altKey || event.metaKey) return
    const blocks = blocksOf(view.state.doc)
    const first = blocks[0]
    const last = blocks[blocks.length - 1]
    if (!first || !last) return
    const { from, to } = view.state.selection
    const here = document.getSelection()
    const inside = here?.anchorNode != null && view.dom.contains(here.anchorNode)
    const after = blocks.find((b) => b.from > (inside ? to : -1)) ?? last
    const before = [...blocks].reverse().find((b) => b.to < from) ?? first
    const { key, shiftKey, ctrlKey } = event
    if (!shiftKey && !ctrlKey && key === 'ArrowDown') this.select(after.from, after.to)
    else if (!shiftKey && !ctrlKey && key === 'ArrowUp') this.select(inside ? before.from : first.from, inside ? before.to : first.to)
    else if (!shiftKey && key === 'Home') this.select(first.from, first.to)
    else if (!shiftKey && key === 'End') this.select(last.from, last.to)
    else if (shiftKey && key === 'ArrowDown' && inside) this.select(from, after.to)
    else if (shiftKey && key === 'ArrowUp' && inside) this.select(to, before.from)
    else if (shiftKey && (key === 'ArrowRight' || key === 'ArrowLeft') && inside) {
      this.extend(key === 'ArrowRight' ? 'forward' : 'backward', ctrlKey ? 'word' : 'character')
    } else return
    event.preventDefault()
  }
}
