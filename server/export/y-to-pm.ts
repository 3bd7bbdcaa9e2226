/**
 * The spec's Yjs fragment as ProseMirror JSON, read the way y-prosemirror reads it (each
 * XmlElement a node named after it with its attributes, each XmlText a run of text nodes whose
 * delta attributes are marks), without importing y-prosemirror, which pulls the editor's view
 * and state packages into the server.
 *
 * Why our own walk: exports read the room's live Y.Doc inside `RoomRegistry.withDoc`, in the
 * same synchronous turn as the contribution ranges (contribution-ranges.ts), so the document and
 * the ranges describe one state. An explicit stack (never recursion) and the schema's
 * MAX_NESTING_DEPTH bound the walk, like server/attribution/blocks.ts.
 */
import * as Y from 'yjs'
import { MAX_NESTING_DEPTH } from '../../shared/schema.js'

/** ProseMirror JSON of one node (`Node.toJSON()` shape). */
export interface PmJson {
  type: string
  attrs?: Record<string, unknown>
  content?: PmJson[]
  text?: string
  marks?: { type: string; attrs?: Record<string, unknown> }[]
}

/** y-prosemirror hashes the names of overlapping marks (`name--hash`); the schema has none, but strip it like y-prosemirror does. */
const HASHED_MARK = /(.*)(--[a-zA-Z0-9+/=]{8})$/

function textNodes(text: Y.XmlText): PmJson[] {
  const out: PmJson[] = []
  for (const d of text.toDelta() as { insert: unknown; attributes?: Record<string, unknown> }[]) {
    if (typeof d.insert !== 'string' || d.insert === '') continue
    const node: PmJson = { type: 'text', text: d.insert }
    const attributes = d.attributes ?? {}
    const marks = Object.keys(attributes).map((name) => {
      const value = attributes[name]
      const type = HASHED_MARK.exec(name)?.[1] ?? name
      return value && typeof value === 'object' && Object.keys(value).length > 0 ? { type, attrs: { ...(value as Record<string, unknown>) } } : { type }
    })
    if (marks.length > 0) node.marks = marks
    out.push(node)
  }
  return out
}

/**
 * The document held by `fragment` as ProseMirror JSON (`{ type: 'doc', content }`). Elements
 * nested deeper than MAX_NESTING_DEPTH are left out (admission keeps them out of specs anyway).
 */
export function fragmentToPmJson(fragment: Y.XmlFragment): PmJson {
  const root: PmJson = { type: 'doc', content: [] }
  const stack: { type: Y.XmlFragment | Y.XmlElement; node: PmJson; depth: number }[] = [{ type: fragment, node: root, depth: 0 }]
  for (let top = stack.pop(); top !== undefined; top = stack.pop()) {
    const content = (top.node.content ??= [])
    for (const child of top.type.toArray()) {
      if (child instanceof Y.XmlText) content.push(...textNodes(child))
      else if (child instanceof Y.XmlElement && top.depth < MAX_NESTING_DEPTH) {
        const attrs = child.getAttributes() as Record<string, unknown>
        const node: PmJson = { type: child.nodeName }
        if (Object.keys(attrs).length > 0) node.attrs = { ...attrs }
        content.push(node)
        stack.push({ type: child, node, depth: top.depth + 1 })
      }
    }
  }
  return root
}
