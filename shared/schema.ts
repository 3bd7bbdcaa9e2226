/**
 * The ProseMirror schema of a Valence spec.
 *
 * A spec is `title block+`: one plain-text title followed by paragraphs, headings (levels 1-3),
 * lists, quotes, code blocks and rules. Inline content is text with strong/em/link marks and hard
 * breaks. The browser editor and the server (export, attribution) share this schema, so it has no
 * DOM or Node imports: `toDOM` returns plain DOM output specs and `parseDOM` only reads
 * attributes through the element interface ProseMirror hands it.
 *
 * The Yjs document stores the spec in the XmlFragment named {@link FRAGMENT_NAME}, starting from
 * the deterministic skeleton of {@link emptySpecUpdate}.
 */
import { Schema, type DOMOutputSpec, type MarkSpec, type NodeSpec } from 'prosemirror-model'
import * as Y from 'yjs'

/** Name of the `Y.XmlFragment` that holds the ProseMirror document (`ydoc.getXmlFragment`). */
export const FRAGMENT_NAME = 'prosemirror'

/** Node type names. */
export const NodeName = {
  doc: 'doc',
  title: 'title',
  paragraph: 'paragraph',
  heading: 'heading',
  bulletList: 'bullet_list',
  orderedList: 'ordered_list',
  listItem: 'list_item',
  blockquote: 'blockquote',
  codeBlock: 'code_block',
  horizontalRule: 'horizontal_rule',
  text: 'text',
  hardBreak: 'hard_break'
} as const

/** Mark type names. */
export const MarkName = {
  strong: 'strong',
  em: 'em',
  link: 'link'
} as const

/** Heading levels the schema allows. */
export const HEADING_LEVELS = [1, 2, 3] as const

/**
 * Deepest element nesting a spec may have: the title and top-level blocks are at depth 1, a
 * list's items at 2, their paragraphs at 3, and each further list level adds 2, so 32 holds 15
 * nested list levels (or 31 nested quotes) with their text. The content expressions allow
 * unbounded nesting (lists and quotes recurse); this limit is what keeps every tree walk over a
 * spec (server attribution, y-prosemirror, ProseMirror rendering, Yjs deletion) bounded.
 * The server refuses updates that nest deeper, and the editor refuses edits that would.
 */
export const MAX_NESTING_DEPTH = 32

/** URL schemes a link may use; anything else (`javascript:`, `data:`, …) is refused. */
const SAFE_LINK = /^(https?:|mailto:)/i

/** True if `href` is an absolute http(s) or mailto URL that a link may point to. */
export const isSafeHref = (href: string): boolean => SAFE_LINK.test(href.trim())

/** Clamps a parsed heading level into the allowed range. */
const clampLevel = (level: number): number => Math.min(3, Math.max(1, Math.round(level) || 1))

const nodes = {
  [NodeName.doc]: { content: 'title block+' },
  [NodeName.title]: {
    content: 'text*',
    marks: '',
    defining: true,
    parseDOM: [{ tag: 'h1.spec-title', priority: 60 }],
    toDOM: (): DOMOutputSpec => ['h1', { class: 'spec-title' }, 0]
  },
  [NodeName.paragraph]: {
    content: 'inline*',
    group: 'block',
    parseDOM: [{ tag: 'p' }],
    toDOM: (): DOMOutputSpec => ['p', 0]
  },
  [NodeName.heading]: {
    attrs: { level: { default: 1, validate: 'number' } },
    content: 'inline*',
    group: 'block',
    defining: true,
    // The title is the page's h1, so a level-n heading renders as h(n+1); parsing inverts that
    // (so copy and paste inside the editor keeps levels), and a pasted h1 or h5-h6 is clamped.
    parseDOM: [1, 2, 3, 4, 5, 6].map((n) => ({ tag: `h${n}`, attrs: { level: clampLevel(n - 1) } })),
    toDOM: (node): DOMOutputSpec => [`h${clampLevel(node.attrs.level as number) + 1}`, 0]
  },
  [NodeName.bulletList]: {
    content: 'list_item+',
    group: 'block',
    parseDOM: [{ tag: 'ul' }],
    toDOM: (): DOMOutputSpec => ['ul', 0]
  },
  [NodeName.orderedList]: {
    attrs: { order: { default: 1, validate: 'number' } },
    content: 'list_item+',
    group: 'block',
    parseDOM: [
      {
        tag: 'ol',
        getAttrs: (dom) => {
          const start = Number.parseInt(dom.getAttribute('start') ?? '1', 10)
          return { order: Number.isFinite(start) ? start : 1 }
        }
      }
    ],
    toDOM: (node): DOMOutputSpec =>
      node.attrs.order === 1 ? ['ol', 0] : ['ol', { start: node.attrs.order as number }, 0]
  },
  [NodeName.listItem]: {
    content: 'paragraph block*',
    defining: true,
    parseDOM: [{ tag: 'li' }],
    toDOM: (): DOMOutputSpec => ['li', 0]
  },
  [NodeName.blockquote]: {
    content: 'block+',
    group: 'block',
    defining: true,
    parseDOM: [{ tag: 'blockquote' }],
    toDOM: (): DOMOutputSpec => ['blockquote', 0]
  },
  [NodeName.codeBlock]: {
    content: 'text*',
    marks: '',
    group: 'block',
    code: true,
    defining: true,
    parseDOM: [{ tag: 'pre', preserveWhitespace: 'full' }],
    toDOM: (): DOMOutputSpec => ['pre', ['code', 0]]
  },
  [NodeName.horizontalRule]: {
    group: 'block',
    parseDOM: [{ tag: 'hr' }],
    toDOM: (): DOMOutputSpec => ['hr']
  },
  [NodeName.text]: { group: 'inline' },
  [NodeName.hardBreak]: {
    inline: true,
    group: 'inline',
    selectable: false,
    parseDOM: [{ tag: 'br' }],
    toDOM: (): DOMOutputSpec => ['br']
  }
} satisfies Record<string, NodeSpec>

const marks = {
  [MarkName.link]: {
    attrs: {
      href: { validate: 'string' },
      title: { default: null, validate: 'string|null' }
    },
    inclusive: false,
    parseDOM: [
      {
        tag: 'a[href]',
        getAttrs: (dom) => {
          const href = dom.getAttribute('href') ?? ''
          if (!isSafeHref(href)) return false
          return { href: href.trim(), title: dom.getAttribute('title') }
        }
      }
    ],
    toDOM: (mark): DOMOutputSpec => {
      const href = mark.attrs.href as string
      const title = mark.attrs.title as string | null
      return [
        'a',
        {
          href: isSafeHref(href) ? href : '#',
          ...(title ? { title } : {}),
          rel: 'noopener noreferrer nofollow'
        },
        0
      ]
    }
  },
  [MarkName.em]: {
    parseDOM: [
      { tag: 'i' },
      { tag: 'em' },
      { style: 'font-style=italic' },
      { style: 'font-style=normal', clearMark: (m) => m.type.name === MarkName.em }
    ],
    toDOM: (): DOMOutputSpec => ['em', 0]
  },
  [MarkName.strong]: {
    parseDOM: [
      { tag: 'strong' },
      // Google Docs wraps whole documents in <b style="font-weight:normal">.
      { tag: 'b', getAttrs: (dom) => dom.style.fontWeight !== 'normal' && null },
      { style: 'font-weight=400', clearMark: (m) => m.type.name === MarkName.strong },
      {
        style: 'font-weight',
        getAttrs: (value) => /^(bold(er)?|[5-9]\d{2,})$/.test(value) && null
      }
    ],
    toDOM: (): DOMOutputSpec => ['strong', 0]
  }
} satisfies Record<string, MarkSpec>

/** Names of the node types, as the schema's type parameter. */
export type SpecNodeName = keyof typeof nodes
/** Names of the mark types, as the schema's type parameter. */
export type SpecMarkName = keyof typeof marks

/** The spec schema shared by the editor and the server. */
export const schema = new Schema<SpecNodeName, SpecMarkName>({ nodes, marks })

/** Client id that authors the structs of {@link emptySpecUpdate}; no real client uses it. */
export const SEED_CLIENT_ID = 0

/**
 * The Yjs update that gives an empty spec its skeleton, `<title/><paragraph/>`, in
 * {@link FRAGMENT_NAME}, authored by {@link SEED_CLIENT_ID} at clocks 0 and 1.
 *
 * Why: y-prosemirror writes the schema's required nodes into an empty fragment on the first
 * keystroke, with the typing client's id. Two people starting a new spec at the same time would
 * each write a title, and the merged document would hold two. This update is byte-identical
 * wherever it is made, so any number of clients (and the server) applying it concurrently
 * integrate it once. Apply it only to a fragment that is still empty.
 */
export const emptySpecUpdate = (): Uint8Array => {
  const doc = new Y.Doc({ gc: false })
  doc.clientID = SEED_CLIENT_ID
  doc
    .getXmlFragment(FRAGMENT_NAME)
    .insert(0, [new Y.XmlElement(NodeName.title), new Y.XmlElement(NodeName.paragraph)])
  const update = Y.encodeStateAsUpdate(doc)
  doc.destroy()
  return update
}
