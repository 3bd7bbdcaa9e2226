/**
 * The attribution plugin's key, state shape and commands. Kept apart from the plugin itself so
 * the views (popover, bar) can read the state and run commands without an import cycle.
 *
 * Keyboard: {@link MARKER_SHORTCUT} (Ctrl/⌘+Shift+E) in the editor focuses the marker of the
 * block at the caret; see `popover.ts` for the keys inside the markers.
 */
import { PluginKey, type Command, type EditorState } from 'prosemirror-state'
import type { DecorationSet } from 'prosemirror-view'
import type { SpecAttribution } from '../../shared/attribution.js'
import { blockPosAround } from './blocks.js'
import type { BlockWindow, DecorationOptions, HighlightMode } from './decorations.js'
import { blockMarker, MARKER_CLASS } from './marker.js'

/** State of the attribution plugin. */
export interface AttributionState extends DecorationOptions {
  /** The top-level blocks currently decorated. */
  readonly window: BlockWindow
  /** The latest attribution from the server, or null before the first one. */
  readonly attribution: SpecAttribution | null
  readonly decorations: DecorationSet
}

/** A change of the plugin state, as transaction meta. */
export type AttributionMeta = Partial<Pick<AttributionState, 'attribution' | 'mode' | 'customerOnly' | 'window'>>

/** Key of the attribution plugin. */
export const attributionKey = new PluginKey<AttributionState>('valence-attribution')

/** The shortcut that moves focus from the text to the block's marker (prosemirror-keymap notation). */
export const MARKER_SHORTCUT = 'Mod-Shift-e'

const setMeta =
  (meta: AttributionMeta): Command =>
  (state, dispatch) => {
    if (!attributionKey.get(state)) return false
    dispatch?.(state.tr.setMeta(attributionKey, meta).setMeta('addToHistory', false))
    return true
  }

/** Shows a new server attribution (from message 101 or the REST endpoint). */
export const setAttribution = (attribution: SpecAttribution): Command => setMeta({ attribution })

/** Highlights runs by side, by person, or not at all. */
export const setHighlightMode = (mode: HighlightMode): Command => setMeta({ mode })

/** Turns "Dim team text" (show customer ideas first) on or off. */
export const setCustomerOnly = (customerOnly: boolean): Command => setMeta({ customerOnly })

/** Decorates the top-level blocks `window` (used by the viewport tracker). */
export const setBlockWindow = (window: BlockWindow): Command => setMeta({ window })

/** The plugin state of `state` (throws if the plugin is missing: a wiring bug). */
export const attributionState = (state: EditorState): AttributionState => {
  const value = attributionKey.getState(state)
  if (!value) throw new RangeError('the attribution plugin is not installed')
  return value
}

/**
 * Focuses the marker of the block at the caret (or the next block that has one). Needs the view;
 * false when no block has a marker yet.
 */
export const focusMarker: Command = (state, _dispatch, view) => {
  if (!view) return false
  const markers = [...view.dom.querySelectorAll<HTMLElement>(`.${MARKER_CLASS}`)]
  if (markers.length === 0) return false
  const blockPos = blockPosAround(state.selection.$head)
  const blockDom = blockPos === null ? null : view.nodeDOM(blockPos)
  let target: HTMLElement | undefined
  if (blockDom instanceof HTMLElement) target = blockMarker(blockDom) ?? undefined
  if (!target) {
    const caret = view.coordsAtPos(state.selection.head).top
    target = markers.find((m) => m.getBoundingClientRect().bottom >= caret) ?? markers[markers.length - 1]
  }
  target?.focus()
  return true
}

