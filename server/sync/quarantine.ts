/**
 * Load-time quarantine of stored content the ProseMirror schema cannot hold.
 *
 * Why: specs stored before schema admission (issue 7) can hold a paragraph nested 6,000 deep,
 * unknown nodes or stray values, and loading one used to crash the process on every start. A
 * room now scans what it loaded (iteratively, never deeper than the schema allows), and if
 * anything breaks a rule of `schema-rules.ts` it keeps the stored state aside, removes the
 * offending parts in a server transaction, and rewrites the stored log as one snapshot of the
 * cleaned document, before any client sees it.
 *
 * Why a rewrite rather than an appended deletion: Yjs deletes and garbage-collects a type's
 * children recursively, top-down in clock order (yjs 13.6.33 ContentType.delete / .gc), so
 * replaying "6,000-deep tree, then its deletion" would overflow the stack again on every later
 * load and compaction. Here each removed type is deleted and collected after all of its
 * descendants, so nothing recurses, and the snapshot holds the removed clocks as GC structs:
 * later loads replay no deletion at all. The state vector is unchanged, so clients that still
 * hold the old content receive its deletion and converge.
 *
 * Where the removed content goes: the spec exactly as it was stored (one Yjs update) is
 * appended under the doc name `<specId>.quarantine.<epoch ms>` in the same DocStore: durable,
 * backed up with the database, and never served (it is not a spec id). The error log line names
 * that copy and each removed part: path, node, reason, size, depth and a text excerpt.
 * Recover with `docs.load('<specId>.quarantine.<ms>')`.
 */
import * as Y from 'yjs'
import { FRAGMENT_NAME, NodeName } from '../../shared/schema.js'
import type { DocStore } from '../storage/doc-store.js'
import type { Logger } from '../observability/logger.js'
import type { TxOrigin } from './origin.js'
import { attributeProblem, childPlace, contentName, FRAGMENT, markProblem, typeName, type Place } from './schema-rules.js'

/** Longest text excerpt logged per removed part. */
const EXCERPT_CHARS = 200
/** Removed parts described in the log line (all are counted). */
const LOGGED_PARTS = 20

/** One item of the fragment that breaks a schema rule: it and everything under it go. */
export interface Violation {
  item: Y.Item
  /** Indexes of live child types from the fragment down to the item's parent, then the item's. */
  path: number[]
  reason: string
}

/** What was removed for one violation. */
export interface RemovedPart {
  path: number[]
  reason: string
  /** Items removed with it (the part itself, every type under it). */
  items: number
  /** Levels of nested types in the part (1: no types under it). */
  depth: number
  excerpt: string
}

/** Result of a quarantine: where the old state is kept and what was removed. */
export interface QuarantineReport {
  /** DocStore name of the pre-quarantine state. */
  copy: string
  parts: RemovedPart[]
}

/**
 * Finds every part of `fragment` that breaks a schema rule. Iterative, and it never descends
 * into a part it reports, so its cost is bounded by the admissible part of the document (at
 * most MAX_NESTING_DEPTH levels) plus the direct children of what it reports.
 */
export function findViolations(fragment: Y.XmlFragment): Violation[] {
  const found: Violation[] = []
  const stack: Array<{ type: Y.AbstractType<any>; place: Place; path: number[] }> = [
    { type: fragment, place: FRAGMENT, path: [] }
  ]
  for (let top = stack.pop(); top !== undefined; top = stack.pop()) {
    const { type, place, path } = top
    for (const [key, item] of type._map) {
      if (item.deleted) continue
      const reason =
        place.kind === 'element'
          ? item.content instanceof Y.ContentAny && item.content.arr.length === 1
            ? attributeProblem(place.name, key, item.content.arr[0])
            : `attribute ${JSON.stringify(key.slice(0, 40))} of ${place.name} is ${item.content instanceof Y.ContentType ? `a ${typeName(item.content.type)}` : contentName(item.content)}`
          : `attribute ${JSON.stringify(key.slice(0, 40))} on ${place.kind === 'text' ? 'text' : 'the document'}`
      if (reason !== null) found.push({ item, path, reason })
    }
    let index = 0
    for (let item = type._start; item !== null; item = item.right) {
      if (item.deleted) continue
      const content = item.content
      if (place.kind === 'text') {
        const reason =
          content instanceof Y.ContentString
            ? null
            : content instanceof Y.ContentFormat
              ? markProblem(content.key, content.value, place.block)
              : `${content instanceof Y.ContentType ? `a ${typeName(content.type)}` : contentName(content)} inside text`
        if (reason !== null) found.push({ item, path, reason })
        continue
      }
      const at = [...path, index]
      if (!(content instanceof Y.ContentType)) {
        const parent = place.kind === 'element' ? place.name : NodeName.doc
        found.push({ item, path: at, reason: `${contentName(content)} directly inside ${parent}` })
        continue
      }
      index++
      const child = childPlace(place, null, content.type)
      if (child.kind === 'element' || child.kind === 'text') stack.push({ type: content.type, place: child, path: at })
      else found.push({ item, path: at, reason: child.kind === 'invalid' ? child.reason : 'not spec content' })
    }
  }
  return found
}

/**
 * Removes every violation from `doc` in one transaction with origin
 * `{source: 'server', reason: 'quarantine'}`, without recursion (see the module comment).
 */
export function removeViolations(doc: Y.Doc, violations: Violation[]): RemovedPart[] {
  const parts: RemovedPart[] = []
  const origin: TxOrigin = { source: 'server', reason: 'quarantine' }
  doc.transact((tr) => {
    for (const v of violations) {
      const { order, depth, excerpt } = subtree(v.item)
      // Reverse pre-order: every type after all of its descendants, so Yjs's own recursive
      // delete and gc only ever meet children that are already deleted or collected.
      for (let i = order.length - 1; i >= 0; i--) {
        const item = order[i] as Y.Item
        if (!item.deleted) item.delete(tr)
      }
      if (doc.gc) {
        for (let i = order.length - 1; i >= 0; i--) {
          const item = order[i] as Y.Item
          if (item.deleted && !item.keep && item.content instanceof Y.ContentType) item.gc(doc.store, false)
        }
      }
      parts.push({ path: v.path, reason: v.reason, items: order.length, depth, excerpt })
    }
  }, origin)
  return parts
}

/** `root` and every type item under it (live or deleted but not yet collected), in pre-order. */
function subtree(root: Y.Item): { order: Y.Item[]; depth: number; excerpt: string } {
  const order: Y.Item[] = []
  let depth = 0
  let excerpt = root.content instanceof Y.ContentString ? root.content.str.slice(0, EXCERPT_CHARS) : ''
  const stack: Array<{ item: Y.Item; level: number }> = [{ item: root, level: 1 }]
  for (let top = stack.pop(); top !== undefined; top = stack.pop()) {
    const { item, level } = top
    order.push(item)
    depth = Math.max(depth, level)
    if (!(item.content instanceof Y.ContentType)) continue
    const type = item.content.type
    const children: Y.Item[] = []
    for (let c = type._start; c !== null; c = c.right) {
      if (c.content instanceof Y.ContentType) children.push(c)
      else if (!c.deleted && c.content instanceof Y.ContentString && excerpt.length < EXCERPT_CHARS) {
        excerpt += c.content.str.slice(0, EXCERPT_CHARS - excerpt.length)
      }
    }
    for (const last of type._map.values()) {
      for (let c: Y.Item | null = last; c !== null; c = c.left) if (c.content instanceof Y.ContentType) children.push(c)
    }
    for (let i = children.length - 1; i >= 0; i--) stack.push({ item: children[i] as Y.Item, level: level + 1 })
  }
  return { order, depth, excerpt }
}

/**
 * Quarantines what `doc` (just loaded for spec `name`, no listeners attached yet) holds that
 * the schema cannot: keeps the stored state under a quarantine name, removes the offending
 * parts, replaces the stored log with a snapshot of the result and `facts()` ([S7]), and logs.
 * Returns null, touching nothing, if the document is clean.
 */
export async function quarantineInvalidContent(
  name: string,
  doc: Y.Doc,
  facts: () => Uint8Array | null,
  deps: { docs: DocStore; log: Logger }
): Promise<QuarantineReport | null> {
  const violations = findViolations(doc.getXmlFragment(FRAGMENT_NAME))
  if (violations.length === 0) return null
  const copy = `${name}.quarantine.${Date.now()}`
  await deps.docs.append(copy, Y.encodeStateAsUpdate(doc))
  const parts = removeViolations(doc, violations)
  await deps.docs.replace(name, Y.encodeStateAsUpdate(doc), facts())
  deps.log.error(
    { room: name, quarantine: copy, removed: parts.length, parts: parts.slice(0, LOGGED_PARTS) },
    'stored spec held content the schema cannot hold; removed it and kept the old state aside'
  )
  return { copy, parts }
}
