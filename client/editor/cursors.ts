/**
 * How remote participants' carets and selections look. Builders for y-prosemirror's
 * `yCursorPlugin`: a caret in the participant's colour with a label "Name · Role" (white text on
 * a colour that keeps AA contrast) and a light tint of that colour behind their selection.
 */
import type { DecorationAttrs } from 'prosemirror-view'
import { readableColor } from '../collab/presence.js'
import { roleLabel } from '../ui/roles.js'

interface CursorUser {
  id?: unknown
  name?: unknown
  color?: unknown
  role?: unknown
}

const colorOf = (user: CursorUser): string => readableColor(user.color, typeof user.id === 'string' ? user.id : '')

const safeName = (name: unknown): string =>
  typeof name === 'string' && name.trim() !== '' ? name.trim().slice(0, 40) : 'Someone'

/** The caret widget of a remote participant: `.ProseMirror-yjs-cursor` with its label. */
export const buildCursor = (user: CursorUser): HTMLElement => {
  const color = colorOf(user)
  const cursor = document.createElement('span')
  cursor.className = 'ProseMirror-yjs-cursor'
  cursor.style.borderColor = color
  const label = document.createElement('span')
  label.className = 'ProseMirror-yjs-cursor-label'
  label.style.backgroundColor = color
  const name = document.createElement('span')
  name.className = 'cursor-name'
  name.textContent = safeName(user.name)
  label.append(name)
  const role = roleLabel(user.role)
  if (role !== '') {
    const badge = document.createElement('span')
    badge.className = 'cursor-role'
    badge.dataset.role = String(user.role)
    badge.textContent = role
    label.append(badge)
  }
  // Word joiners keep the widget from creating a line-break opportunity around the caret.
  cursor.append('\u2060', label, '\u2060')
  return cursor
}

/** The decoration attributes of a remote participant's selection. */
export const buildSelection = (user: CursorUser): DecorationAttrs => ({
  class: 'ProseMirror-yjs-selection',
  // 0x33 alpha: a tint light enough that body text on it keeps its contrast.
  style: `background-color: ${colorOf(user)}33`
})
