import { describe, expect, it } from 'vitest'
import { EditorState, TextSelection, type Command } from 'prosemirror-state'
import { sinkListItem } from 'prosemirror-schema-list'
import type { Node as PMNode } from 'prosemirror-model'
import { ySyncPluginKey } from 'y-prosemirror'
import { depthLimitPlugin, exceedsDepth } from '../../client/editor/depth-limit.js'
import { MAX_NESTING_DEPTH, schema } from '../../shared/schema.js'

const { nodes: n } = schema
const item = (text: string, ...rest: PMNode[]) => n.list_item.create(null, [n.paragraph.create(null, schema.text(text)), ...rest])

/** A doc whose innermost of `levels` nested lists holds two items, "first" and "second". */
function nested(levels: number): PMNode {
  let list = n.bullet_list.create(null, [item('first'), item('second')])
  for (let i = 1; i < levels; i++) list = n.bullet_list.create(null, item(`level ${i}`, list))
  return n.doc.create(null, [n.title.create(), list])
}

function stateAt(doc: PMNode, text: string): EditorState {
  let at = -1
  doc.descendants((node, pos) => {
    if (node.isText && node.text === text) at = pos + 1
  })
  const state = EditorState.create({ doc, plugins: [depthLimitPlugin()] })
  return state.apply(state.tr.setSelection(TextSelection.create(doc, at)))
}

/** Runs a command and returns the document afterwards. */
function run(state: EditorState, command: Command): PMNode {
  let next = state
  command(state, (tr) => (next = state.apply(tr)))
  return next.doc
}

describe('editor depth limit', () => {
  it('indents a list item up to the limit and no further', () => {
    // 15 levels: the innermost paragraphs are at depth 31; sinking "second" puts it at 33.
    const deepest = nested(15)
    expect(exceedsDepth(deepest, 0)).toBe(false)
    const sink = sinkListItem(n.list_item)
    expect(run(stateAt(deepest, 'second'), sink).eq(deepest)).toBe(true)
    const shallower = nested(14)
    const indented = run(stateAt(shallower, 'second'), sink)
    expect(indented.eq(shallower)).toBe(false)
    expect(exceedsDepth(indented, 0)).toBe(false)
  })

  it('drops a paste nesting too deep, keeps typing at depth, and lets remote changes through', () => {
    const state = stateAt(nested(15), 'second')
    let quote = n.blockquote.create(null, n.paragraph.create(null, schema.text('mail')))
    for (let i = 0; i < MAX_NESTING_DEPTH; i++) quote = n.blockquote.create(null, quote)
    const top = state.doc.content.size
    expect(state.apply(state.tr.insert(top, quote)).doc.eq(state.doc)).toBe(true)
    expect(state.apply(state.tr.insertText('typed')).doc.textContent).toContain('typed')
    const remote = state.apply(state.tr.insert(top, quote).setMeta(ySyncPluginKey, { isChangeOrigin: true }))
    expect(remote.doc.eq(state.doc)).toBe(false)
  })
})
