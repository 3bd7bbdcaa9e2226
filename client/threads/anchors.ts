/**
 * Thread anchors: a range of the spec as two base64 `Y.RelativePosition`s, created and resolved
 * through the y-prosemirror binding of the editor (`ySyncPluginKey`), so an anchor follows its
 * characters through everyone's concurrent edits.
 *
 * Rules: anchors are made only from positions of the document the binding has rendered (a
 * state whose Yjs side is up to date); resolving one answers null when the binding is missing or
 * the range is empty (its text was deleted) rather than a guess.
 */
import type { EditorState } from 'prosemirror-state'
import { absolutePositionToRelativePosition, relativePositionToAbsolutePosition, ySyncPluginKey } from 'y-prosemirror'
import * as Y from 'yjs'

/** The two ends of an anchored range, as sent to and returned by the server. */
export interface Anchors {
  /** Base64 relative position of the first anchored character. */
  start: string
  /** Base64 relative position just after the last anchored character. */
  end: string
}

/** A resolved range of the current document. */
export interface Range {
  from: number
  to: number
}

type Mapping = Parameters<typeof absolutePositionToRelativePosition>[2]

/** The parts of y-prosemirror's binding anchors need. */
interface Binding {
  doc: Y.Doc
  type: Y.XmlFragment
  mapping: Mapping
}

/** The sync binding of `state`'s editor, or null before it exists. */
export const bindingOf = (state: EditorState): Binding | null => {
  const binding = (ySyncPluginKey.getState(state) as { binding?: Binding } | undefined)?.binding
  return binding ?? null
}

const toBase64 = (bytes: Uint8Array): string => {
  let text = ''
  for (const byte of bytes) text += String.fromCharCode(byte)
  return btoa(text)
}

const fromBase64 = (text: string): Uint8Array => Uint8Array.from(atob(text), (c) => c.charCodeAt(0))

/** Anchors of `from..to` in `state` (the binding must have rendered `state.doc`), or null. */
export const anchorsOf = (state: EditorState, from: number, to: number): Anchors | null => {
  const binding = bindingOf(state)
  if (binding === null || from >= to) return null
  const encode = (pos: number): string =>
    toBase64(Y.encodeRelativePosition(absolutePositionToRelativePosition(pos, binding.type, binding.mapping)))
  return { start: encode(from), end: encode(to) }
}

/** Decoded relative positions, by their base64 text (anchors never change once made). */
const decoded = new Map<string, Y.RelativePosition | null>()

const decode = (text: string): Y.RelativePosition | null => {
  let position = decoded.get(text)
  if (position === undefined) {
    try {
      position = Y.decodeRelativePosition(fromBase64(text))
    } catch {
      position = null
    }
    if (decoded.size > 10_000) decoded.clear()
    decoded.set(text, position)
  }
  return position
}

/**
 * Where `anchors` point in `state`'s document now, or null when their text is gone (or the
 * binding is not there yet). Clamped to the document.
 */
export const resolveAnchors = (state: EditorState, anchors: Anchors): Range | null => {
  const binding = bindingOf(state)
  if (binding === null) return null
  const [start, end] = [decode(anchors.start), decode(anchors.end)]
  if (start === null || end === null) return null
  const at = (position: Y.RelativePosition): number | null => {
    try {
      return relativePositionToAbsolutePosition(binding.doc, binding.type, position, binding.mapping)
    } catch {
      // The mapping lags behind the Yjs document for a moment during remote changes.
      return null
    }
  }
  const from = at(start)
  const to = at(end)
  const size = state.doc.content.size
  if (from === null || to === null) return null
  const range = { from: Math.max(0, Math.min(from, size)), to: Math.max(0, Math.min(to, size)) }
  return range.from < range.to && state.doc.textBetween(range.from, range.to, '\n', ' ').length > 0 ? range : null
}
