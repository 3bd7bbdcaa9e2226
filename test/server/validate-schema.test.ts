import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import * as prng from 'lib0/prng'
import type { Node as PMNode } from 'prosemirror-model'
import { yXmlFragmentToProseMirrorRootNode } from 'y-prosemirror'
import { UpdateRefusedError, validateUpdate } from '../../server/sync/validate-update.js'
import { validateSchema } from '../../server/sync/validate-schema.js'
import { captureUpdate } from '../helpers/capture-update.js'
import { encodeUpdate, item } from '../helpers/crafted-updates.js'
import { writePm } from '../helpers/pm-edit.js'
import { emptySpecUpdate, FRAGMENT_NAME, MAX_NESTING_DEPTH, schema } from '../../shared/schema.js'

/** A server doc (GC on) holding a freshly created spec. */
function serverDoc(): Y.Doc {
  const doc = new Y.Doc()
  doc.clientID = 999
  Y.applyUpdate(doc, emptySpecUpdate())
  return doc
}

/** A client doc with `server`'s state. */
function clientOf(server: Y.Doc, clientID = 1): Y.Doc {
  const doc = new Y.Doc()
  doc.clientID = clientID
  Y.applyUpdate(doc, Y.encodeStateAsUpdate(server))
  return doc
}

/** What the room does: validate, check the schema, apply. */
function admit(server: Y.Doc, update: Uint8Array): void {
  const summary = validateUpdate(server, update, { mayAddGc: () => true })
  validateSchema(server, summary.sections)
  Y.applyUpdate(server, update)
}

/** Asserts a 'schema' refusal whose detail matches `detail`, with the doc untouched. */
function expectRefused(server: Y.Doc, update: Uint8Array, detail: RegExp): void {
  const before = Y.encodeStateAsUpdate(server)
  let error: unknown = null
  try {
    admit(server, update)
  } catch (e) {
    error = e
  }
  expect(error, 'update was admitted').toBeInstanceOf(UpdateRefusedError)
  expect((error as UpdateRefusedError).reason).toBe('schema')
  expect((error as UpdateRefusedError).message).toMatch(detail)
  expect(Y.encodeStateAsUpdate(server)).toEqual(before)
}

const frag = (doc: Y.Doc): Y.XmlFragment => doc.getXmlFragment(FRAGMENT_NAME)
const para = (doc: Y.Doc): Y.XmlElement => frag(doc).get(1) as Y.XmlElement
const { nodes: n, marks: m } = schema

/** `depth` bullet lists nested inside each other, the innermost item holding `text`. */
function nestedList(depth: number, text: string): PMNode {
  let node = n.bullet_list.create(null, n.list_item.create(null, n.paragraph.create(null, schema.text(text))))
  for (let i = 1; i < depth; i++) node = n.bullet_list.create(null, n.list_item.create(null, [n.paragraph.create(null, schema.text(`level ${i}`)), node]))
  return node
}

/** A chain of `depth` elements named `name` under the client's first paragraph. */
function chainUpdate(client: Y.Doc, depth: number, name = 'paragraph'): Uint8Array {
  return captureUpdate(client, () =>
    client.transact(() => {
      let cur = para(client)
      for (let i = 0; i < depth; i++) {
        const el = new Y.XmlElement(name)
        cur.insert(0, [el])
        cur = el
      }
    })
  )
}

describe('validateSchema: honest y-prosemirror documents are admitted', () => {
  it('admits every node, mark and attribute the editor writes, and edits of them', () => {
    const server = serverDoc()
    const client = clientOf(server)
    const doc = n.doc.create(null, [
      n.title.create(null, schema.text('Offline mode')),
      n.heading.create({ level: 3 }, schema.text('Why')),
      n.paragraph.create(null, [
        schema.text('Customers ', [m.strong.create()]),
        schema.text('want', [m.em.create(), m.link.create({ href: 'https://example.com', title: 'ex' })]),
        n.hard_break.create(),
        schema.text(' it.')
      ]),
      n.ordered_list.create({ order: 3 }, [n.list_item.create(null, n.paragraph.create(null, schema.text('one')))]),
      n.blockquote.create(null, [n.paragraph.create(null, schema.text('quoted')), nestedList(2, 'in a quote')]),
      n.code_block.create(null, schema.text('const x = 1')),
      n.horizontal_rule.create(),
      nestedList(15, `deepest allowed (paragraph at depth ${2 * 15 + 1})`)
    ])
    admit(server, captureUpdate(client, () => writePm(client, doc)))
    // Edits of that structure: retype, unwrap, remove marks, delete a block.
    const edited = doc.copy(doc.content.replaceChild(1, n.paragraph.create(null, schema.text('Why'))).cut(0, doc.content.size - doc.lastChild!.nodeSize))
    admit(server, captureUpdate(client, () => writePm(client, edited)))
    expect(frag(server).toString()).toBe(frag(client).toString())
  })

  it('admits edits into a paragraph the server deleted meanwhile (they integrate as GC)', () => {
    const server = serverDoc()
    const client = clientOf(server)
    admit(server, captureUpdate(client, () => para(client).insert(0, [new Y.XmlText('typed')])))
    const offline = clientOf(server, 2)
    const deleter = clientOf(server, 3)
    admit(server, captureUpdate(deleter, () => frag(deleter).delete(1, 1)))
    const late = captureUpdate(offline, () => {
      ;(para(offline).get(0) as Y.XmlText).insert(5, ' more')
      para(offline).insert(1, [new Y.XmlElement('not-a-node')])
    })
    admit(server, late)
    expect(frag(server).toString()).toBe('<title></title>')
  })

  it('admits flat content in other roots, and long sibling chains without recursion', () => {
    const server = serverDoc()
    const client = clientOf(server)
    admit(server, captureUpdate(client, () => client.getText('t').insert(0, 'tests sync a root Y.Text')))
    admit(server, captureUpdate(client, () => client.getMap('m').set('k', 1)))
    // One insert of many elements chains them: each one's origin is the one before it.
    const siblings = captureUpdate(client, () =>
      frag(client).insert(2, Array.from({ length: 20_000 }, () => new Y.XmlElement('paragraph')))
    )
    admit(server, siblings)
    expect(frag(server).length).toBe(20_002)
  })
})

describe('validateSchema: refuses what the schema cannot hold', () => {
  it('refuses the 6,000-deep paragraph of issue 7, and nesting past the limit', () => {
    const server = serverDoc()
    const started = performance.now()
    expectRefused(server, chainUpdate(clientOf(server), 6000), /paragraph inside paragraph/)
    expect(performance.now() - started).toBeLessThan(2000)
    // Quotes may nest, but not deeper than MAX_NESTING_DEPTH.
    const client = clientOf(server)
    const quotes = (depth: number): Uint8Array =>
      captureUpdate(client, () => {
        let cur = new Y.XmlElement('blockquote')
        frag(client).insert(2, [cur])
        for (let i = 1; i < depth; i++) {
          const q = new Y.XmlElement('blockquote')
          cur.insert(0, [q])
          cur = q
        }
      })
    expectRefused(server, quotes(MAX_NESTING_DEPTH + 1), new RegExp(`nesting deeper than ${MAX_NESTING_DEPTH}`))
    const c2 = clientOf(server, 2)
    const deepList = captureUpdate(c2, () => writePm(c2, n.doc.create(null, [n.title.create(), nestedList(16, 'too deep')])))
    expectRefused(server, deepList, /nesting deeper than 32/)
  })

  it('refuses unknown, misplaced and reserved node names', () => {
    const server = serverDoc()
    const cases: Array<[(c: Y.Doc) => void, RegExp | null]> = [
      [(c) => frag(c).insert(2, [new Y.XmlElement('script')]), /unknown node "script"/],
      [(c) => frag(c).insert(2, [new Y.XmlElement('doc')]), /unknown node "doc"/],
      [(c) => frag(c).insert(2, [new Y.XmlElement('text')]), /unknown node "text"/],
      [(c) => frag(c).insert(2, [new Y.XmlElement('list_item')]), /list_item inside doc/],
      [(c) => frag(c).insert(2, [new Y.XmlText('loose')]), /text inside doc/],
      [(c) => para(c).insert(0, [new Y.XmlElement('hard_break'), new Y.XmlElement('heading')]), /heading inside paragraph/],
      [(c) => frag(c).insert(2, [new Y.XmlElement('bullet_list')]), null],
      [(c) => (frag(c).get(2) as Y.XmlElement).insert(0, [new Y.XmlText('x')]), /text inside bullet_list/],
      [(c) => (frag(c).get(0) as Y.XmlElement).insert(0, [new Y.XmlElement('hard_break')]), /hard_break inside title/],
      [(c) => frag(c).insert(2, [new Y.XmlHook('paragraph') as unknown as Y.XmlElement]), /XmlHook inside doc/]
    ]
    for (const [change, detail] of cases) {
      const update = captureUpdate(clientOf(server), change)
      if (detail === null) admit(server, update)
      else expectRefused(server, update, detail)
    }
  })

  it('refuses attributes the node type does not have or with invalid values', () => {
    const server = serverDoc()
    const heading = (attrs: Record<string, unknown>) => (c: Y.Doc) => {
      const h = new Y.XmlElement('heading')
      for (const [k, v] of Object.entries(attrs)) h.setAttribute(k, v as string)
      frag(c).insert(2, [h])
    }
    expectRefused(server, captureUpdate(clientOf(server), heading({ level: 7 })), /level of heading out of range/)
    expectRefused(server, captureUpdate(clientOf(server), heading({ level: '2' })), /expected number/)
    expectRefused(server, captureUpdate(clientOf(server), heading({ onclick: 'x' })), /unknown attribute "onclick" on heading/)
    expectRefused(server, captureUpdate(clientOf(server), (c) => para(c).setAttribute('level', '1')), /unknown attribute "level" on paragraph/)
    expectRefused(server, captureUpdate(clientOf(server), (c) => para(c).setAttribute('x', new Y.Map() as never)), /a Y.Map as attribute "x" of paragraph/)
    // An attribute on the fragment itself (y-prosemirror never writes one).
    const onFragment = encodeUpdate([{ client: 5, clock: 0, structs: [item(5, 0, { parent: FRAGMENT_NAME, parentSub: 'x', content: new Y.ContentAny([1]) })] }])
    expectRefused(server, onFragment, /attribute "x" on the document/)
  })

  it('refuses unknown marks, bad mark attributes, embeds and stray content', () => {
    const server = serverDoc()
    const client = clientOf(server)
    admit(server, captureUpdate(client, () => para(client).insert(0, [new Y.XmlText('Customers want it')])))
    const text = (c: Y.Doc) => para(c).get(0) as Y.XmlText
    const cases: Array<[(c: Y.Doc) => void, RegExp]> = [
      [(c) => text(c).format(0, 4, { script: {} }), /unknown mark "script"/],
      [(c) => text(c).format(0, 4, { link: { title: 'no href' } }), /mark link without href/],
      [(c) => text(c).format(0, 4, { link: { href: 42 } }), /attribute href of mark link: expected string/],
      [(c) => text(c).format(0, 4, { strong: true }), /mark strong with value true/],
      [(c) => text(c).format(0, 4, { em: { color: 'red' } }), /unknown attribute "color" of mark em/],
      [(c) => text(c).insertEmbed(0, { image: 'x.png' }), /an embed inside text/],
      [(c) => text(c).setAttribute('x', 'y'), /attribute "x" on text/],
      [(c) => text(c).insertEmbed(0, new Y.XmlElement('paragraph')), /a element "paragraph" inside text/],
      [(c) => c.getMap('meta').set('nested', new Y.Map()), /a Y.Map outside the prosemirror fragment/],
      [(c) => c.getMap('meta').set('sub', new Y.Doc()), /a subdocument/]
    ]
    for (const [change, detail] of cases) expectRefused(server, captureUpdate(clientOf(server, 7), change), detail)
    // Marks only where the node allows them: y-prosemirror clients delete a title holding one.
    const c3 = clientOf(server, 8)
    admit(server, captureUpdate(c3, () => (frag(c3).get(0) as Y.XmlElement).insert(0, [new Y.XmlText('Title')])))
    const title = (c: Y.Doc) => (frag(c).get(0) as Y.XmlElement).get(0) as Y.XmlText
    expectRefused(server, captureUpdate(clientOf(server, 9), (c) => title(c).format(0, 2, { strong: {} })), /mark strong inside title/)
    const paragraphId = para(server)._item!.id
    const stringInElement = encodeUpdate([{ client: 6, clock: 0, structs: [item(6, 0, { parent: paragraphId, content: new Y.ContentString('loose') })] }])
    expectRefused(server, stringInElement, /text directly inside paragraph/)
  })
})

// ---------------------------------------------------------------------------------------------
// Seeded property: random element trees are refused, or admitted only if the result is valid.

const BLOCKS = ['paragraph', 'heading', 'bullet_list', 'ordered_list', 'blockquote', 'code_block', 'horizontal_rule']
/** The schema written out by hand, independently of schema-rules.ts: what may contain what. */
const CONTENT: Record<string, string[]> = {
  doc: ['title', ...BLOCKS],
  title: ['#text'],
  paragraph: ['#text', 'hard_break'],
  heading: ['#text', 'hard_break'],
  code_block: ['#text'],
  bullet_list: ['list_item'],
  ordered_list: ['list_item'],
  list_item: BLOCKS,
  blockquote: BLOCKS,
  horizontal_rule: [],
  hard_break: []
}
const ATTRS: Record<string, Record<string, (v: unknown) => boolean>> = {
  heading: { level: (v) => v === 1 || v === 2 || v === 3 },
  ordered_list: { order: (v) => Number.isSafeInteger(v) }
}
const plain = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)
const MARKS: Record<string, (v: unknown) => boolean> = {
  strong: (v) => v === null || (plain(v) && Object.keys(v).length === 0),
  em: (v) => v === null || (plain(v) && Object.keys(v).length === 0),
  link: (v) =>
    v === null ||
    (plain(v) &&
      typeof v.href === 'string' &&
      (v.title === undefined || v.title === null || typeof v.title === 'string') &&
      Object.keys(v).every((k) => k === 'href' || k === 'title'))
}

/** Nodes whose text may carry no marks (`marks: ''`). */
const UNMARKED = ['title', 'code_block']

/** Why the live fragment is not a valid spec (recursive: test trees are at most ~40 deep), or null. */
function oracle(type: Y.AbstractType<any>, name: string, depth: number, parent = ''): string | null {
  if (depth > MAX_NESTING_DEPTH) return `depth ${depth}`
  for (const [key, it] of type._map) {
    if (it.deleted) continue
    const check = ATTRS[name]?.[key]
    if (check === undefined || !(it.content instanceof Y.ContentAny) || !check(it.content.arr[0])) return `attr ${name}.${key}`
  }
  for (let it = type._start; it !== null; it = it.right) {
    if (it.deleted) continue
    const c = it.content
    if (name === '#text') {
      if (c instanceof Y.ContentString) continue
      if (c instanceof Y.ContentFormat && MARKS[c.key]?.(c.value) && (c.value === null || !UNMARKED.includes(parent))) continue
      return 'text content'
    }
    if (!(c instanceof Y.ContentType)) return `non-type in ${name}`
    const child = c.type instanceof Y.XmlElement ? c.type.nodeName : c.type instanceof Y.XmlText ? '#text' : '?'
    if (!(CONTENT[name] ?? []).includes(child)) return `${child} in ${name}`
    const problem = oracle(c.type, child, child === '#text' ? depth : depth + 1, name)
    if (problem !== null) return problem
  }
  return null
}

const NAMES = [...BLOCKS, ...BLOCKS, 'title', 'list_item', 'list_item', 'hard_break', 'script', 'div', 'doc']

/** Adds one random element tree (or text) under a random live element of `client`. */
function growRandomTree(gen: prng.PRNG, client: Y.Doc): void {
  const parents: Array<Y.XmlFragment | Y.XmlElement> = [frag(client)]
  for (let i = 0; i < parents.length; i++) {
    for (const child of (parents[i] as Y.XmlFragment).toArray()) if (child instanceof Y.XmlElement) parents.push(child)
  }
  let parent = prng.oneOf(gen, parents)
  const chain = prng.int32(gen, 0, 4) === 0 ? prng.int32(gen, 10, 40) : prng.int32(gen, 1, 4)
  for (let level = 0; level < chain; level++) {
    const parentName = parent instanceof Y.XmlElement ? parent.nodeName : 'doc'
    const takesText = (CONTENT[parentName] ?? []).includes('#text')
    if (prng.int32(gen, 0, takesText ? 1 : 9) === 0) {
      const text = new Y.XmlText()
      parent.insert(prng.int32(gen, 0, parent.length), [text])
      text.insert(0, prng.word(gen, 1, 8))
      const marks = ['strong', 'em', 'em', 'link', 'link', 'script']
      const values: unknown[] = [{}, {}, { href: 'https://x.example' }, { href: 'https://x.example', title: null }, true, { href: 7 }]
      if (prng.bool(gen)) text.format(0, 1, { [prng.oneOf(gen, marks)]: prng.oneOf(gen, values) })
      return
    }
    // Mostly names that fit the parent, so that many trees are valid.
    const fitting = (CONTENT[parentName] ?? []).filter((x) => x !== '#text')
    const el = new Y.XmlElement(prng.int32(gen, 0, 9) > 0 && fitting.length > 0 ? prng.oneOf(gen, fitting) : prng.oneOf(gen, NAMES))
    parent.insert(prng.int32(gen, 0, parent.length), [el])
    if (prng.int32(gen, 0, 2) === 0) {
      // Mostly the node's own attribute, sometimes another one; values valid or not.
      const own = el.nodeName === 'heading' ? 'level' : el.nodeName === 'ordered_list' ? 'order' : 'onclick'
      const key = prng.int32(gen, 0, 3) > 0 ? own : prng.oneOf(gen, ['level', 'order', 'onclick'])
      el.setAttribute(key, prng.oneOf(gen, [1, 2, 3, 2, 9, 'x', 1.5]) as string)
    }
    parent = el
  }
}

describe('validateSchema: seeded random element trees', () => {
  const iterations = Number(process.env.FUZZ_ITERATIONS ?? 400)
  const baseSeed = Number(process.env.FUZZ_SEED ?? Date.now() % 1_000_000)

  it(`admits exactly the schema-valid results (FUZZ_SEED=${baseSeed}, ${iterations} cases)`, { timeout: 60_000 + iterations * 50 }, () => {
    let admitted = 0
    let refused = 0
    for (let i = 0; i < iterations; i++) {
      const seed = baseSeed + i
      const gen = prng.create(seed)
      const server = serverDoc()
      const client = clientOf(server)
      const update = captureUpdate(client, () => {
        for (let k = prng.int32(gen, 0, 3) === 0 ? 2 : 1; k > 0; k--) growRandomTree(gen, client)
      })
      const context = `seed ${seed}: ${frag(client).toString().slice(0, 300)}`
      const expected = oracle(frag(client), 'doc', 0)
      let refusal: UpdateRefusedError | null = null
      try {
        admit(server, update)
      } catch (e) {
        if (!(e instanceof UpdateRefusedError)) throw new Error(`${context}: ${String(e)}`, { cause: e })
        refusal = e
      }
      if (refusal === null) {
        admitted++
        expect(expected, `admitted an invalid tree, ${context}`).toBeNull()
        // y-prosemirror builds it without error (it drops elements whose children break the
        // content expression's order or count, as it does after concurrent edits), within
        // the depth limit and with known node types only.
        const pm = yXmlFragmentToProseMirrorRootNode(frag(clientOf(server, 3)), schema)
        let deepest = 0
        pm.descendants((node, _pos, parentNode) => {
          deepest = Math.max(deepest, pm.resolve(_pos).depth + 1)
          expect(schema.nodes[node.type.name], context).toBeDefined()
          return parentNode !== null
        })
        expect(deepest, context).toBeLessThanOrEqual(MAX_NESTING_DEPTH + 1)
      } else {
        refused++
        expect(refusal.reason, context).toBe('schema')
        expect(expected, `refused a valid tree (${refusal.message}), ${context}`).not.toBeNull()
      }
    }
    if (process.env.FUZZ_VERBOSE) console.log({ admitted, refused })
    expect(admitted).toBeGreaterThan(iterations / 10)
    expect(refused).toBeGreaterThan(iterations / 10)
  })
})
