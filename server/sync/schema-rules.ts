/**
 * What the ProseMirror schema (`shared/schema.ts`) lets a spec's Yjs fragment hold, as pure
 * predicates over node names, attribute and mark values, and a classification of types by
 * where they sit. Update admission (`validate-schema.ts`) and the load-time scan
 * (`quarantine.ts`) share it, so anything the server admits passes the scan.
 *
 * Why derived from the schema rather than listed here: y-prosemirror turns each XmlElement into
 * `schema.node(nodeName, attrs, children)`, so the schema is the only authority on what a
 * browser can render; a node added to the schema is admitted without touching this file.
 *
 * Content expressions are checked as sets ("may a paragraph hold a hard_break at all?"), not
 * as sequences: concurrent honest edits merge into orders and counts the expression forbids
 * (two titles when two people seed an empty spec, a list item whose first paragraph another
 * person deleted). y-prosemirror already repairs those on every client: it builds each node
 * with `createChecked` and deletes an element that fails. Element nesting is bounded by
 * {@link MAX_NESTING_DEPTH}, which the expressions alone do not bound.
 */
import * as Y from 'yjs'
import type { AttributeSpec, NodeType } from 'prosemirror-model'
import { FRAGMENT_NAME, HEADING_LEVELS, MAX_NESTING_DEPTH, NodeName, schema } from '../../shared/schema.js'

/** Where a Yjs type sits, as far as the schema is concerned. */
export type Place =
  /** The spec's root fragment: the ProseMirror `doc` node. */
  | { readonly kind: 'fragment' }
  /** An XmlElement the schema allows where it is; the fragment's children are at depth 1. */
  | { readonly kind: 'element'; readonly name: string; readonly depth: number }
  /** An XmlText inside an element that may hold text. */
  | { readonly kind: 'text'; readonly block: string }
  /** Another root, or anything under one: not part of the spec. */
  | { readonly kind: 'outside' }
  /** Inside the fragment but not spec content (only in documents stored before admission). */
  | { readonly kind: 'invalid'; readonly reason: string }
  /** Garbage-collected: whatever Yjs integrates into it becomes a GC struct. */
  | { readonly kind: 'gc' }

/** The place of the spec fragment. */
export const FRAGMENT: Place = { kind: 'fragment' }
/** The place of other roots and their content. */
export const OUTSIDE: Place = { kind: 'outside' }
/** The place of garbage-collected types. */
export const COLLECTED: Place = { kind: 'gc' }

/** Node type names each node type may contain anywhere in its content (text as `text`). */
const CHILDREN: ReadonlyMap<string, ReadonlySet<string>> = new Map(
  Object.values(schema.nodes).map((type: NodeType) => [type.name, childrenOf(type)])
)

/** Every node type reachable through `type`'s content expression (its finite automaton). */
function childrenOf(type: NodeType): ReadonlySet<string> {
  const names = new Set<string>()
  const seen = new Set<unknown>()
  const pending = [type.contentMatch]
  for (let match = pending.pop(); match !== undefined; match = pending.pop()) {
    if (seen.has(match)) continue
    seen.add(match)
    for (let i = 0; i < match.edgeCount; i++) {
      const edge = match.edge(i)
      names.add(edge.type.name)
      pending.push(edge.next)
    }
  }
  return names
}

/** The place of root type `name`. */
export const rootPlace = (name: string): Place => (name === FRAGMENT_NAME ? FRAGMENT : OUTSIDE)

/**
 * The place of a child type created under `parent` (as a list child when `sub` is null, as
 * attribute `sub` otherwise). Depth and names are checked here; nothing is walked.
 */
export function childPlace(parent: Place, sub: string | null, type: Y.AbstractType<any>): Place {
  switch (parent.kind) {
    case 'gc':
    case 'outside':
      return parent
    case 'invalid':
      return { kind: 'invalid', reason: 'inside content the schema does not allow' }
    case 'text':
      return { kind: 'invalid', reason: `a ${typeName(type)} inside text` }
    case 'fragment':
    case 'element': {
      const parentName = parent.kind === 'fragment' ? NodeName.doc : parent.name
      if (sub !== null) return { kind: 'invalid', reason: `a ${typeName(type)} as attribute ${sub} of ${parentName}` }
      if (type instanceof Y.XmlElement) {
        const depth = parent.kind === 'fragment' ? 1 : parent.depth + 1
        const name = type.nodeName
        if (!isElementName(name)) return { kind: 'invalid', reason: `unknown node ${JSON.stringify(name.slice(0, 40))}` }
        if (!mayContain(parentName, name)) return { kind: 'invalid', reason: `${name} inside ${parentName}` }
        if (depth > MAX_NESTING_DEPTH) return { kind: 'invalid', reason: `nesting deeper than ${MAX_NESTING_DEPTH}` }
        return { kind: 'element', name, depth }
      }
      if (type instanceof Y.XmlText) {
        if (!mayContain(parentName, NodeName.text)) return { kind: 'invalid', reason: `text inside ${parentName}` }
        return { kind: 'text', block: parentName }
      }
      return { kind: 'invalid', reason: `a ${typeName(type)} inside ${parentName}` }
    }
  }
}

/** True if `name` is a node type an XmlElement may carry (not `doc`, not `text`). */
export function isElementName(name: string): boolean {
  return name !== NodeName.doc && name !== NodeName.text && CHILDREN.has(name)
}

/** True if node type `parent` may contain node type `child` (`text` for text). */
export function mayContain(parent: string, child: string): boolean {
  return CHILDREN.get(parent)?.has(child) ?? false
}

/** Extra range checks the schema's `validate` strings cannot express. */
const ATTRIBUTE_RANGES: Readonly<Record<string, (value: unknown) => boolean>> = {
  [`${NodeName.heading}.level`]: (v) => (HEADING_LEVELS as readonly unknown[]).includes(v),
  [`${NodeName.orderedList}.order`]: (v) => Number.isSafeInteger(v)
}

/** Why attribute `key` = `value` is not valid on node `node`, or null if it is. */
export function attributeProblem(node: string, key: string, value: unknown): string | null {
  const spec = schema.nodes[node as keyof typeof schema.nodes]?.spec.attrs?.[key]
  if (spec === undefined) return `unknown attribute ${JSON.stringify(key.slice(0, 40))} on ${node}`
  const problem = valueProblem(spec, value)
  if (problem !== null) return `attribute ${key} of ${node}: ${problem}`
  const inRange = ATTRIBUTE_RANGES[`${node}.${key}`]
  if (inRange !== undefined && !inRange(value)) return `attribute ${key} of ${node} out of range: ${short(value)}`
  return null
}

/**
 * Why a text formatting attribute `key` = `value` in the text of node `block` is not a mark
 * the schema allows there, or null if it is. y-prosemirror writes a mark as its name with its
 * attrs object, and `null` to end it (allowed anywhere: it adds nothing).
 */
export function markProblem(key: string, value: unknown, block: string): string | null {
  const type = schema.marks[key as keyof typeof schema.marks]
  if (type === undefined) return `unknown mark ${JSON.stringify(key.slice(0, 40))}`
  if (value === null) return null
  // ProseMirror's createChecked refuses such text, and y-prosemirror then deletes the block.
  if (!schema.nodes[block as keyof typeof schema.nodes]?.allowsMarkType(type)) return `mark ${key} inside ${block}`
  if (typeof value !== 'object' || Array.isArray(value)) return `mark ${key} with value ${short(value)}`
  const specs = type.spec.attrs ?? {}
  const attrs = value as Record<string, unknown>
  for (const name of Object.keys(attrs)) {
    if (!(name in specs)) return `unknown attribute ${JSON.stringify(name.slice(0, 40))} of mark ${key}`
  }
  for (const [name, spec] of Object.entries(specs)) {
    if (!(name in attrs)) {
      if (spec.default === undefined) return `mark ${key} without ${name}`
      continue
    }
    const problem = valueProblem(spec, attrs[name])
    if (problem !== null) return `attribute ${name} of mark ${key}: ${problem}`
  }
  return null
}

/** Checks `value` against an attribute's `validate` (ProseMirror's "type|type" strings, or a function). */
function valueProblem(spec: AttributeSpec, value: unknown): string | null {
  const validate = spec.validate
  if (typeof validate === 'string') {
    const kind = value === null ? 'null' : typeof value
    return validate.split('|').includes(kind) ? null : `expected ${validate}, got ${short(value)}`
  }
  if (typeof validate === 'function') {
    try {
      validate(value)
    } catch (err) {
      return err instanceof Error ? err.message : 'invalid'
    }
    return null
  }
  return value === null || ['string', 'number', 'boolean'].includes(typeof value) ? null : `not a plain value: ${short(value)}`
}

/** Name of a Yjs type's class, for messages. */
export function typeName(type: Y.AbstractType<any>): string {
  if (type instanceof Y.XmlElement) return `element ${JSON.stringify(type.nodeName.slice(0, 40))}`
  if (type instanceof Y.XmlText) return 'XmlText'
  if (type instanceof Y.XmlHook) return 'XmlHook'
  if (type instanceof Y.XmlFragment) return 'XmlFragment'
  if (type instanceof Y.Text) return 'Y.Text'
  if (type instanceof Y.Map) return 'Y.Map'
  if (type instanceof Y.Array) return 'Y.Array'
  return 'type'
}

/** Name of an item content class, for messages. */
export function contentName(content: unknown): string {
  if (content instanceof Y.ContentString) return 'text'
  if (content instanceof Y.ContentFormat) return 'formatting'
  if (content instanceof Y.ContentEmbed) return 'an embed'
  if (content instanceof Y.ContentAny) return 'a value'
  if (content instanceof Y.ContentBinary) return 'binary data'
  if (content instanceof Y.ContentJSON) return 'JSON'
  if (content instanceof Y.ContentDoc) return 'a subdocument'
  return 'content'
}

const short = (value: unknown): string => {
  const json = JSON.stringify(value) ?? String(value)
  return json.length > 40 ? `${json.slice(0, 40)}…` : json
}
