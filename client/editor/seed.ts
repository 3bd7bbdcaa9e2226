/**
 * Gives a brand-new spec its skeleton the moment somebody first edits it, using the
 * deterministic {@link emptySpecUpdate}, so people who start the same empty spec at once end up
 * with one title instead of one each.
 *
 * Must come before `ySyncPlugin` in the plugin list: its view update runs first and fills the
 * still-empty fragment inside the binding's mutex (so the binding does not re-render over the
 * edit), and y-prosemirror then writes the edit into the seeded title and paragraph.
 */
import { Plugin, PluginKey } from 'prosemirror-state'
import { ySyncPluginKey } from 'y-prosemirror'
import * as Y from 'yjs'
import { emptySpecUpdate } from '../../shared/schema.js'

/** Key of the seed plugin; also the origin of the seeding Yjs transaction. */
export const seedKey = new PluginKey('valence-seed')

interface SyncState {
  binding?: { mux: (fn: () => void) => void; type: Y.XmlFragment }
  isChangeOrigin?: boolean
}

/** The seed plugin for the editor bound to `fragment`. */
export const seedPlugin = (fragment: Y.XmlFragment): Plugin =>
  new Plugin({
    key: seedKey,
    view: () => ({
      update: (view, prevState) => {
        if (fragment.length > 0 || view.state.doc.eq(prevState.doc)) return
        const sync = ySyncPluginKey.getState(view.state) as SyncState | undefined
        if (!sync?.binding || sync.isChangeOrigin) return
        const doc = fragment.doc
        if (!doc) return
        sync.binding.mux(() => Y.applyUpdate(doc, emptySpecUpdate(), seedKey))
      }
    })
  })
