/**
 * The attribution plugin: holds the latest server attribution and the viewer's display options
 * (highlight mode, "show only customer ideas"), and draws them as decorations.
 *
 * Everything arrives through transaction meta under {@link attributionKey}, set by the commands
 * in `commands.ts`, so the plugin state is the single source the markers, the popover and the
 * attribution bar read. Edits never rebuild the decorations: they are mapped
 * (`DecorationSet.map`, through the minimal diff for y-prosemirror's whole-document remote
 * steps), which keeps typing cheap in long specs; the next attribution message rebuilds them. Only blocks near the viewport are decorated (`viewport.ts`).
 */
import { keydownHandler } from 'prosemirror-keymap'
import { Plugin, type Transaction } from 'prosemirror-state'
import { DecorationSet, type EditorView } from 'prosemirror-view'
import { AttributionBar } from './bar.js'
import { attributionKey, focusMarker, MARKER_SHORTCUT, type AttributionMeta, type AttributionState } from './commands.js'
import { buildDecorations, type DecorationOptions } from './decorations.js'
import { decorationMapping } from './mapping.js'
import { MarkerPopover } from './popover.js'
import { initialWindow, ViewportWindow } from './viewport.js'

/** Options of {@link attributionPlugin}. */
export interface AttributionPluginOptions {
  /** Element the attribution bar (highlight toggle, filter, legend) is rendered into. */
  bar?: HTMLElement
  /** Display options to start with. */
  initial?: Partial<DecorationOptions>
}

const reduce = (tr: Transaction, prev: AttributionState): AttributionState => {
  const meta = tr.getMeta(attributionKey) as AttributionMeta | undefined
  if (meta === undefined) {
    if (!tr.docChanged) return prev
    return { ...prev, decorations: prev.decorations.map(decorationMapping(tr), tr.doc) }
  }
  const mapped = tr.docChanged ? prev.decorations.map(decorationMapping(tr), tr.doc) : prev.decorations
  const next = { ...prev, ...meta, decorations: mapped }
  if (next.attribution === prev.attribution && next.mode === prev.mode && next.window === prev.window) return next
  return { ...next, decorations: buildDecorations(tr.doc, next.attribution, next, mapped) }
}

/**
 * The attribution plugin.
 *
 * @example
 *   const plugins = [ySyncPlugin(fragment), attributionPlugin({ bar: byId('attribution-bar') })]
 *   // later, for every message 101:
 *   setAttribution(parsed)(view.state, view.dispatch)
 */
export const attributionPlugin = (options: AttributionPluginOptions = {}): Plugin<AttributionState> => {
  const onKey = keydownHandler({ [MARKER_SHORTCUT]: focusMarker })
  return new Plugin<AttributionState>({
    key: attributionKey,
    state: {
      init: () => ({
        attribution: null,
        mode: options.initial?.mode ?? 'off',
        customerOnly: options.initial?.customerOnly ?? false,
        window: initialWindow(),
        decorations: DecorationSet.empty
      }),
      apply: reduce
    },
    props: {
      decorations: (state) => attributionKey.getState(state)?.decorations,
      attributes: (state) => ({
        class: attributionKey.getState(state)?.customerOnly ? 'has-attribution-gutter attr-customer-only' : 'has-attribution-gutter'
      }),
      handleKeyDown: (view, event) => onKey(view, event)
    },
    view: (view: EditorView) => {
      const popover = new MarkerPopover(view)
      const viewport = new ViewportWindow(view)
      const bar = options.bar ? new AttributionBar(view, options.bar) : null
      return {
        update: (v, prev) => {
          popover.update(v)
          bar?.update(v)
          // A new attribution may carry more blocks than the window shows: check it once.
          if (attributionKey.getState(prev)?.attribution !== attributionKey.getState(v.state)?.attribution) viewport.schedule()
        },
        destroy: () => {
          popover.destroy()
          viewport.destroy()
          bar?.destroy()
        }
      }
    }
  })
}
