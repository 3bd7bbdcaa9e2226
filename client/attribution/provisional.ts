/**
 * Provisional margin markers (issue 9, item 11): while this browser's changes cannot reach the
 * server, the blocks someone typed here get a "You (not yet saved)" marker instead of none.
 *
 * Attribution is the server's to decide (it verifies who wrote what when the update commits), so
 * this marker claims nothing the server said: it names the local person and says it is not saved.
 *
 * Rules:
 * - LOCAL edits are always tracked (y-prosemirror's sync transactions are remote); the page
 *   shows the markers with {@link setProvisional}(view, true) once changes are pending offline,
 *   and hides them and forgets every tracked block with `false` once everything is saved;
 * - a tracked block shows the marker only while it has text and no server marker of its own
 *   (a block the server already attributed keeps that marker);
 * - the marker is not an `.attr-marker` button: tests, the popover and the marker keyboard
 *   navigation only ever see server attribution.
 */
import { Plugin, PluginKey, type EditorState, type Transaction } from 'prosemirror-state'
import { Decoration, DecorationSet, type EditorView } from 'prosemirror-view'
import { ySyncPluginKey } from 'y-prosemirror'
import { attributionKey } from './commands.js'

/** The marker's text. */
export const PROVISIONAL_TEXT = 'You (not yet saved)'

/** Class of a provisional marker (also used by tests). */
export const PROVISIONAL_CLASS = 'attr-provisional'

/** Plugin state: on or off, and the start positions of the top-level blocks typed in while on. */
export interface ProvisionalState {
  readonly on: boolean
  readonly blocks: readonly number[]
}

/** Key of the provisional-marker plugin. */
export const provisionalKey = new PluginKey<ProvisionalState>('valence-attribution-provisional')

/** Shows provisional markers (local changes pending offline), or hides them and forgets the tracked blocks (all saved). */
export const setProvisional = (view: EditorView, on: boolean): void => {
  const state = provisionalKey.getState(view.state)
  if (!state || (state.on === on && (on || state.blocks.length === 0))) return
  view.dispatch(view.state.tr.setMeta(provisionalKey, on))
}

const isLocalEdit = (tr: Transaction): boolean => {
  if (!tr.docChanged) return false
  const meta = tr.getMeta(ySyncPluginKey) as { isChangeOrigin?: boolean } | undefined
  return meta?.isChangeOrigin !== true
}

/** Start positions (in `tr.doc`) of the top-level blocks the transaction's steps touched. */
const touchedBlocks = (tr: Transaction): number[] => {
  const found = new Set<number>()
  tr.mapping.maps.forEach((map, i) => {
    const rest = tr.mapping.slice(i + 1)
    map.forEach((_oldStart, _oldEnd, newStart, newEnd) => {
      const from = rest.map(newStart, -1)
      const to = Math.max(from, rest.map(newEnd, 1))
      tr.doc.nodesBetween(from, Math.min(to, tr.doc.content.size), (_node, pos) => {
        found.add(pos)
        return false
      })
    })
  })
  return [...found]
}

const apply = (tr: Transaction, prev: ProvisionalState): ProvisionalState => {
  const meta = tr.getMeta(provisionalKey) as boolean | undefined
  if (meta === false) return { on: false, blocks: [] }
  const on = meta ?? prev.on
  let blocks = tr.docChanged ? prev.blocks.map((pos) => tr.mapping.map(pos, 1)) : prev.blocks
  if (isLocalEdit(tr)) blocks = [...blocks, ...touchedBlocks(tr)]
  if (blocks !== prev.blocks) blocks = [...new Set(blocks)].filter((pos) => pos < tr.doc.content.size)
  return blocks === prev.blocks && on === prev.on ? prev : { on, blocks }
}

const createMarker = (): HTMLElement => {
  const wrap = document.createElement('span')
  wrap.className = 'attr-marker-wrap'
  wrap.contentEditable = 'false'
  const marker = document.createElement('span')
  marker.className = PROVISIONAL_CLASS
  marker.title = PROVISIONAL_TEXT
  const you = document.createElement('span')
  you.textContent = 'You'
  const note = document.createElement('span')
  note.className = 'attr-provisional-note'
  note.textContent = ' (not yet saved)'
  marker.append(you, note)
  wrap.append(marker)
  return wrap
}

const hasServerMarker = (state: EditorState, pos: number): boolean =>
  (attributionKey.getState(state)?.decorations.find(pos + 1, pos + 1, (spec) => spec.attrMarker === true).length ?? 0) > 0

const decorations = (state: EditorState): DecorationSet | null => {
  const provisional = provisionalKey.getState(state)
  if (!provisional?.on || provisional.blocks.length === 0) return null
  const out: Decoration[] = []
  for (const pos of provisional.blocks) {
    const node = state.doc.nodeAt(pos)
    if (!node || node.textContent.length === 0 || hasServerMarker(state, pos)) continue
    out.push(Decoration.widget(pos + 1, createMarker, { side: -1, key: 'provisional', ignoreSelection: true }))
  }
  return out.length === 0 ? null : DecorationSet.create(state.doc, out)
}

/** The provisional-marker plugin (after the attribution plugin, whose markers it defers to). */
export const provisionalPlugin = (): Plugin<ProvisionalState> =>
  new Plugin<ProvisionalState>({
    key: provisionalKey,
    state: { init: () => ({ on: false, blocks: [] }), apply },
    props: { decorations }
  })
