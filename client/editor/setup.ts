/**
 * Builds the spec editor: a ProseMirror view bound to the spec's Y.XmlFragment, with remote
 * cursors, per-person undo, keymaps, input rules, the toolbar and the server's attribution
 * (margin markers, highlights, the attribution bar).
 */
import { dropCursor } from 'prosemirror-dropcursor'
import { gapCursor } from 'prosemirror-gapcursor'
import { EditorState, type Plugin } from 'prosemirror-state'
import { EditorView } from 'prosemirror-view'
import { yCursorPlugin, ySyncPlugin, yUndoPlugin } from 'y-prosemirror'
import type { Awareness } from 'y-protocols/awareness'
import type * as Y from 'yjs'
import { NodeName, schema } from '../../shared/schema.js'
import { attributionPlugin, provisionalPlugin, savedDisplayOptions } from '../attribution/index.js'
import { linkCommand, type AskForLink } from './commands.js'
import { buildCursor, buildSelection } from './cursors.js'
import { specInputRules } from './input-rules.js'
import { specKeymaps } from './keymap.js'
import { placeholderPlugin } from './placeholder.js'
import { depthLimitPlugin } from './depth-limit.js'
import { seedPlugin } from './seed.js'
import { specToolbarItems, toolbarPlugin } from './toolbar.js'

/** What the editor needs from the page. */
export interface SpecEditorOptions {
  /** Element the editable area is appended to (`#editor`). */
  mount: HTMLElement
  /** Element the toolbar buttons are rendered into. */
  toolbar: HTMLElement
  /** The spec's `ydoc.getXmlFragment(FRAGMENT_NAME)`. */
  fragment: Y.XmlFragment
  awareness: Awareness
  /** Accessible name of the editable area. */
  label: string
  /** Dialog asking for a link address. */
  askForLink: AskForLink
  /** View only (viewers): nothing can be typed; remote edits and cursors still show. */
  readOnly?: boolean
  /** Element the attribution bar (highlight toggle, filter, legend) is rendered into. */
  attributionBar?: HTMLElement
  /** More plugins (e.g. threads), before the toolbar so its buttons see their state. */
  plugins?: Plugin[]
}

/** Accessibility attributes of the editable area for a given name. */
export const editorAttributes = (label: string, readOnly = false): Record<string, string> => ({
  'aria-label': label,
  role: 'textbox',
  'aria-multiline': 'true',
  ...(readOnly ? { 'aria-readonly': 'true' } : {}),
  spellcheck: 'true',
  class: readOnly ? 'spec-content is-read-only' : 'spec-content'
})

/** Creates the editor view; call `view.destroy()` to tear it down. */
export const createSpecEditor = (options: SpecEditorOptions): EditorView => {
  const link = linkCommand(options.askForLink)
  const state = EditorState.create({
    schema,
    plugins: [
      seedPlugin(options.fragment),
      ySyncPlugin(options.fragment),
      yCursorPlugin(options.awareness, { cursorBuilder: buildCursor, selectionBuilder: buildSelection }),
      // Undo never removes a whole title or paragraph node someone else may be typing in.
      yUndoPlugin({ protectedNodes: new Set([NodeName.paragraph, NodeName.title]) }),
      ...specKeymaps(link),
      specInputRules(),
      // Edits nesting deeper than the server admits are dropped, not sent and refused.
      depthLimitPlugin(),
      dropCursor({ color: '#175CD3', width: 2 }),
      gapCursor(),
      placeholderPlugin(),
      attributionPlugin({ bar: options.attributionBar, initial: savedDisplayOptions() }),
      // "You (not yet saved)" on blocks typed offline; the page switches it with setProvisional.
      provisionalPlugin(),
      ...(options.plugins ?? []),
      // Last, so undo/redo availability already reflects this transaction's Yjs change.
      toolbarPlugin(options.toolbar, specToolbarItems(link))
    ]
  })
  const readOnly = options.readOnly === true
  const view: EditorView = new EditorView(options.mount, {
    state,
    attributes: editorAttributes(options.label, readOnly),
    editable: () => !readOnly
  })
  return view
}

/** Updates the accessible name of an editor made by {@link createSpecEditor}. */
export const setEditorLabel = (view: EditorView, label: string): void => {
  view.setProps({ attributes: editorAttributes(label, !view.editable) })
}
