/**
 * Schema admission: refuses an update whose result the ProseMirror schema cannot hold.
 *
 * Why: Yjs integrates any tree. One 100 KB update nested 6,000 elements in a paragraph; the
 * server's attribution walk, y-prosemirror and ProseMirror recurse over the document, and Yjs
 * deletes and garbage-collects types recursively, so such a spec overflows the stack wherever it
 * is read (issue 7: it crashed the server on every load). `validateUpdate` decides whether an
 * update integrates; `validateSchema` decides whether what it integrates is a spec.
 *
 * How, in time proportional to the update: only its new structs are read. Each new item's
 * parent is resolved as Yjs's `Item.getMissing` resolves it (yjs 13.6.33 Item.js:372-411): from
 * the neighbour its origin (else right origin) names, in the doc or in the update, else from its
 * parent field (a root name or the ID of a type item). A GC neighbour or a parent that is no
 * longer a type makes Yjs integrate the item as GC: nothing lands, nothing to check. An
 * existing parent's place is found by walking `_item.parent` up to the root, at most
 * MAX_NESTING_DEPTH + 1 steps, cached per type; new parents are resolved with an explicit
 * stack, so no chain in the update (siblings or nesting) can recurse.
 *
 * Rules (`schema-rules.ts`); the first violation refuses the whole update:
 * 1. The `prosemirror` fragment and its elements hold only XmlElements named after node types
 *    the parent's content expression allows, and XmlText where it allows text; no strings,
 *    embeds, maps, arrays or hooks. Nesting is at most MAX_NESTING_DEPTH elements.
 * 2. Element attributes are the node type's attrs with valid values (heading level 1-3, list
 *    order an integer); the fragment has none.
 * 3. Text holds characters and formatting by known marks with valid attrs, in nodes that allow
 *    marks (`null`, which ends a mark, anywhere); no embeds, no attributes.
 * 4. Outside the fragment (other roots, which nothing renders), no types are created: nothing
 *    can nest there. Flat content stays allowed (tests and tools sync a root Y.Text).
 * 5. No subdocuments anywhere.
 * Deleted content (`ContentDeleted`, honest offline work) is admitted anywhere.
 */
import * as Y from 'yjs'
import { FRAGMENT_NAME, MAX_NESTING_DEPTH, NodeName } from '../../shared/schema.js'
import type { UpdateStruct } from './update-structs.js'
import { UpdateRefusedError } from './validate-update.js'
import {
  attributeProblem,
  childPlace,
  COLLECTED,
  contentName,
  markProblem,
  OUTSIDE,
  rootPlace,
  typeName,
  type Place
} from './schema-rules.js'

/** Where a new item lands: its parent's place and its key (attribute name) or null. */
interface Landing {
  parent: Place
  sub: string | null
}

const GC_LANDING: Landing = { parent: COLLECTED, sub: null }

/**
 * Throws unless applying `sections` (an update `validateUpdate` accepted for `doc`, not yet
 * applied) leaves `doc` a document the schema can hold. Never mutates `doc`.
 * @throws {UpdateRefusedError} with reason `schema`, naming the first offending struct.
 * @example
 * const summary = validateUpdate(room.doc, update)
 * validateSchema(room.doc, summary.sections) // throws UpdateRefusedError('schema', …)
 * Y.applyUpdate(room.doc, update, origin)
 */
export function validateSchema(doc: Y.Doc, sections: Map<number, UpdateStruct[]>): void {
  const places = new Placement(doc, sections)
  for (const [client, structs] of sections) {
    const known = Y.getState(doc.store, client)
    for (const s of structs) {
      if (!(s instanceof Y.Item) || s.id.clock + s.length <= known) continue
      const problem = problemOf(s, places.landing(s))
      if (problem !== null) throw new UpdateRefusedError('schema', `${client}:${s.id.clock}: ${problem}`)
    }
  }
}

/** Why `item`, landing as `landing` says, breaks a rule; null if it does not. */
function problemOf(item: Y.Item, landing: Landing): string | null {
  const { content } = item
  if (content instanceof Y.ContentDeleted) return null
  if (content instanceof Y.ContentDoc) return 'a subdocument'
  const { parent, sub } = landing
  switch (parent.kind) {
    case 'gc':
      return null
    case 'outside':
      return content instanceof Y.ContentType ? `a ${typeName(content.type)} outside the ${FRAGMENT_NAME} fragment` : null
    case 'invalid':
      return `content ${parent.reason}`
    case 'text':
      if (sub !== null) return `attribute ${JSON.stringify(sub.slice(0, 40))} on text`
      if (content instanceof Y.ContentString) return null
      if (content instanceof Y.ContentFormat) return markProblem(content.key, content.value, parent.block)
      if (content instanceof Y.ContentType) return `a ${typeName(content.type)} inside text`
      return `${contentName(content)} inside text`
    case 'fragment':
    case 'element': {
      const name = parent.kind === 'fragment' ? NodeName.doc : parent.name
      if (sub !== null) {
        if (parent.kind === 'fragment') return `attribute ${JSON.stringify(sub.slice(0, 40))} on the document`
        if (content instanceof Y.ContentType) return `a ${typeName(content.type)} as attribute ${JSON.stringify(sub.slice(0, 40))} of ${name}`
        if (!(content instanceof Y.ContentAny) || content.arr.length !== 1) {
          return `attribute ${JSON.stringify(sub.slice(0, 40))} of ${name} is ${contentName(content)}, not a plain value`
        }
        return attributeProblem(name, sub, content.arr[0])
      }
      if (!(content instanceof Y.ContentType)) return `${contentName(content)} directly inside ${name}`
      const child = childPlace(parent, null, content.type)
      return child.kind === 'invalid' ? child.reason : null
    }
  }
}

/**
 * Resolves where the update's new items land. Existing types are classified by a bounded walk
 * up the doc; new ones from their own landing, each once (memoised).
 */
class Placement {
  private readonly landings = new Map<Y.Item, Landing>()
  private readonly docPlaces = new Map<Y.AbstractType<any>, Place>()
  private readonly updateItems = new Set<Y.Item>()
  private rootNames: Map<Y.AbstractType<any>, string> | null = null

  constructor(
    private readonly doc: Y.Doc,
    private readonly sections: Map<number, UpdateStruct[]>
  ) {
    for (const structs of sections.values()) {
      for (const s of structs) if (s instanceof Y.Item) this.updateItems.add(s)
    }
  }

  /** Where new item `item` lands. Iterative: dependencies go on an explicit stack. */
  landing(item: Y.Item): Landing {
    const stack: Y.Item[] = [item]
    while (stack.length > 0) {
      const top = stack[stack.length - 1] as Y.Item
      if (this.landings.has(top)) {
        stack.pop()
        continue
      }
      const found = this.tryLanding(top)
      if (found instanceof Y.Item) {
        // validateUpdate proved the update integrates, so its references form no cycle; a
        // stack longer than the update would mean one.
        if (stack.length > this.updateItems.size) {
          throw new UpdateRefusedError('schema', `${item.id.client}:${item.id.clock}: circular placement`)
        }
        stack.push(found)
      } else {
        this.landings.set(top, found)
        stack.pop()
      }
    }
    return this.landings.get(item) as Landing
  }

  /** The landing of `item`, or the new item whose landing it needs first. */
  private tryLanding(item: Y.Item): Landing | Y.Item {
    const left = item.origin === null ? null : this.structAt(item.origin)
    const right = item.rightOrigin === null ? null : this.structAt(item.rightOrigin)
    if (left instanceof Y.GC || right instanceof Y.GC) return GC_LANDING
    const neighbour = left instanceof Y.Item ? left : right instanceof Y.Item ? right : null
    if (neighbour !== null) {
      if (this.updateItems.has(neighbour)) return this.landings.get(neighbour) ?? neighbour
      const parent: unknown = neighbour.parent
      if (!(parent instanceof Y.AbstractType)) return GC_LANDING
      return { parent: this.docPlace(parent), sub: neighbour.parentSub }
    }
    const parent: unknown = item.parent
    if (typeof parent === 'string') return { parent: rootPlace(parent), sub: item.parentSub }
    if (!(parent instanceof Y.ID)) return { parent: { kind: 'invalid', reason: 'without a parent' }, sub: null }
    const parentItem = this.structAt(parent)
    // Yjs turns an item whose parent is GC or no longer a type into GC (Item.js:403-409).
    if (!(parentItem instanceof Y.Item) || !(parentItem.content instanceof Y.ContentType)) return GC_LANDING
    const type = parentItem.content.type
    if (!this.updateItems.has(parentItem)) return { parent: this.docPlace(type), sub: item.parentSub }
    const outer = this.landings.get(parentItem)
    if (outer === undefined) return parentItem
    return { parent: childPlace(outer.parent, outer.sub, type), sub: item.parentSub }
  }

  /** The place of an existing type: a walk up to its root of at most MAX_NESTING_DEPTH + 1 steps. */
  private docPlace(type: Y.AbstractType<any>): Place {
    const cached = this.docPlaces.get(type)
    if (cached !== undefined) return cached
    const chain: Array<Y.AbstractType<any>> = []
    let top = type
    let place: Place | undefined
    for (;;) {
      place = this.docPlaces.get(top)
      if (place !== undefined) break
      const item = top._item
      if (item === null) {
        place = this.placeOfRoot(top)
        break
      }
      if (chain.length > MAX_NESTING_DEPTH) {
        return { kind: 'invalid', reason: `nesting deeper than ${MAX_NESTING_DEPTH}` }
      }
      chain.push(top)
      const parent: unknown = item.parent
      if (!(parent instanceof Y.AbstractType)) return COLLECTED
      top = parent
    }
    for (let i = chain.length - 1; i >= 0; i--) {
      const t = chain[i] as Y.AbstractType<any>
      place = childPlace(place, (t._item as Y.Item).parentSub, t)
      this.docPlaces.set(t, place)
    }
    return place
  }

  private placeOfRoot(root: Y.AbstractType<any>): Place {
    if (this.rootNames === null) {
      this.rootNames = new Map()
      for (const [name, type] of this.doc.share) this.rootNames.set(type, name)
    }
    const name = this.rootNames.get(root)
    return name === undefined ? OUTSIDE : rootPlace(name)
  }

  /** The struct holding `id`: the doc's below its known state, else the update's. */
  private structAt(id: Y.ID): UpdateStruct | null {
    const store = this.doc.store
    if (id.clock < Y.getState(store, id.client)) {
      const structs = store.clients.get(id.client) as Array<Y.Item | Y.GC>
      return structs[Y.findIndexSS(structs, id.clock)] ?? null
    }
    const list = this.sections.get(id.client) ?? []
    let lo = 0
    let hi = list.length - 1
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1
      const s = list[mid] as UpdateStruct
      if (id.clock < s.id.clock) hi = mid - 1
      else if (id.clock >= s.id.clock + s.length) lo = mid + 1
      else return s
    }
    return null
  }
}
