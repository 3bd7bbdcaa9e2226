/**
 * Shows hint text in an empty title ("Untitled spec") and in the first paragraph of an otherwise
 * empty spec, as a CSS `::before` on a node decoration (no DOM nodes enter the document).
 */
import { Plugin, PluginKey } from 'prosemirror-state'
import { Decoration, DecorationSet } from 'prosemirror-view'
import { schema } from '../../shared/schema.js'

/** Key of the placeholder plugin. */
export const placeholderKey = new PluginKey<DecorationSet>('valence-placeholder')

/** The placeholder plugin; hints are shown through `data-placeholder` and CSS. */
export const placeholderPlugin = (): Plugin<DecorationSet> =>
  new Plugin<DecorationSet>({
    key: placeholderKey,
    props: {
      decorations: (state) => {
        const { doc } = state
        const decorations: Decoration[] = []
        const title = doc.firstChild
        if (title && title.type === schema.nodes.title && title.content.size === 0) {
          decorations.push(
            Decoration.node(0, title.nodeSize, { class: 'is-empty', 'data-placeholder': 'Untitled spec' })
          )
        }
        const body = doc.maybeChild(1)
        if (
          doc.childCount === 2 &&
          body &&
          body.type === schema.nodes.paragraph &&
          body.content.size === 0 &&
          title
        ) {
          const from = title.nodeSize
          decorations.push(
            Decoration.node(from, from + body.nodeSize, {
              class: 'is-empty',
              'data-placeholder': 'Write the spec…'
            })
          )
        }
        return DecorationSet.create(doc, decorations)
      }
    }
  })
