/**
 * How remote participants' carets and selections look. Builders for y-prosemirror's
 * `yCursorPlugin`: a caret in the participant's colour with a name label (white text on a palette
 * colour, AA contrast) and a light tint of that colour behind their selection.
 */
import type { DecorationAttrs } from 'prosemirror-view'
import { PALETTE } from '../collab/presence.js'

interface CursorUser {
  name?: unknown
  color?: unknown
}

const safeColor = (color: unknown): string =>
  typeof color === 'string' && (PALETTE as readonly string[]).includes(color) ? color : PALETTE[0]

const safeName = (name: unknown): string =>
  typeof name === 'string' && name.trim() !== '' ? name.trim().slice(0, 40) : 'Someone'

/** The caret widget of a remote participant. */
export const buildCursor = (user: CursorUser): HTMLElement => {
  const color = safeColor(user.color)
  const cursor = document.createElement('span')
  cursor.className = 'ProseMirror-yjs-cursor'
  cursor.style.borderColor = color
  const label = document.createElement('span')
  label.className = 'ProseMirror-yjs-cursor-label'
  label.style.backgroundColor = color
  label.textContent = safeName(user.name)
  // Word joiners keep the widget from creating a line-break opportunity around the caret.
  cursor.append('\u2060', label, '\u2060')
  return cursor
}

/** The decoration attributes of a remote participant's selection. */
export const buildSelection = (user: CursorUser): DecorationAttrs => ({
  class: 'ProseMirror-yjs-selection',
  // 0x33 alpha: a tint light enough that body text on it keeps its contrast.
  style: `background-color: ${safeColor(user.color)}33`
})
