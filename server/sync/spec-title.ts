/**
 * One title. A spec's title lives in two places: its document's title block (what people type
 * in) and its metadata (header, spec list, API). The document is the source of truth:
 *
 * 1. Typing in the title block renames the spec: after commits, debounced, the document's title
 *    (trimmed, inner whitespace collapsed, cut to MAX_TITLE_LENGTH) becomes the metadata title.
 *    An empty title block leaves the metadata as it is (a title can't be empty).
 * 2. Renaming through the API (or creating a spec) writes the new title into the title block as
 *    a server-made edit on the renamer's behalf ({@link titleEdit}), changing only the
 *    characters that differ, so everyone's replica and the metadata converge on the merged text,
 *    whatever else was typed into the title at the same moment.
 * 3. A document whose title block is empty while the metadata has a title (specs made before
 *    this rule, or by the CLI) takes the metadata title when its room loads.
 *
 * Why the edit comes from a replica with a fresh clientID: the attribution engine binds the
 * clientIDs an edit was written with to its participant; the room's own doc must never be bound
 * to anyone, and a rename is the renamer's words.
 */
import * as Y from 'yjs'
import { emptySpecUpdate, FRAGMENT_NAME, NodeName } from '../../shared/schema.js'
import { AttributionEngine } from '../attribution/index.js'
import { documentTitle, metadataTitle } from '../../shared/spec-title.js'
import type { Logger } from '../observability/logger.js'

/** The title block of `doc` (the fragment's first element, if it is a title), or null. */
function titleBlock(doc: Y.Doc): Y.XmlElement | null {
  const first = doc.getXmlFragment(FRAGMENT_NAME).get(0)
  return first instanceof Y.XmlElement && first.nodeName === NodeName.title ? first : null
}

/**
 * Rule 2: the Yjs update that turns `doc`'s title block into `title`, written from a replica
 * with a fresh clientID: the common prefix and suffix stay, the middle is replaced. Null when
 * the title is already `title` or the document has no title block.
 */
export function titleEdit(doc: Y.Doc, title: string): Uint8Array | null {
  const current = documentTitle(doc)
  if (current === title || titleBlock(doc) === null) return null
  const replica = new Y.Doc({ gc: false })
  Y.applyUpdate(replica, Y.encodeStateAsUpdate(doc))
  const before = Y.encodeStateVector(replica)
  const block = titleBlock(replica)!
  let start = 0
  while (start < current.length && start < title.length && current[start] === title[start]) start++
  let end = 0
  while (end < current.length - start && end < title.length - start && current[current.length - 1 - end] === title[title.length - 1 - end]) end++
  replica.transact(() => {
    // An empty title block holds no text node yet (y-prosemirror makes one on the first keystroke).
    let text = block.get(0)
    if (!(text instanceof Y.XmlText)) {
      text = new Y.XmlText()
      block.insert(0, [text])
    }
    const t = text as Y.XmlText
    t.delete(start, current.length - start - end)
    t.insert(start, title.slice(start, title.length - end))
  })
  const update = Y.encodeStateAsUpdate(replica, before)
  replica.destroy()
  return update
}

/**
 * The first two updates of a new spec's log: the deterministic skeleton, then `title` in its
 * title block as `by`'s words, with the attribution facts to store beside it. Made without a
 * room, so creating a spec never loads one.
 */
export function newSpecUpdates(title: string, by: string): Array<{ update: Uint8Array; facts: Uint8Array | null }> {
  const skeleton = emptySpecUpdate()
  const doc = new Y.Doc({ gc: true })
  Y.applyUpdate(doc, skeleton)
  const engine = new AttributionEngine()
  const origin = { title: by }
  engine.attach(doc, (o) => (o === origin ? by : null))
  let facts: Uint8Array | null = null
  doc.on('update', (_u: Uint8Array, o: unknown, _d: Y.Doc, tr: Y.Transaction) => {
    if (o === origin) facts = engine.takeDelta(tr)
  })
  const update = titleEdit(doc, title)
  if (update !== null) Y.applyUpdate(doc, update, origin)
  doc.destroy()
  return update === null ? [{ update: skeleton, facts: null }] : [{ update: skeleton, facts: null }, { update, facts }]
}

/** Where the metadata title is read and written (the spec store). */
export interface TitleStore {
  get(specId: string): Promise<string | null>
  rename(specId: string, title: string): Promise<void>
}

/** Rule 1 for one room: debounced metadata renames after commits that changed the title. */
export class TitleSync {
  private timer: ReturnType<typeof setTimeout> | null = null
  private last: string
  private running: Promise<void> = Promise.resolve()

  constructor(
    private readonly specId: string,
    private readonly doc: Y.Doc,
    private readonly store: TitleStore,
    private readonly log: Logger,
    private readonly delayMs = 1000
  ) {
    this.last = documentTitle(doc)
  }

  /** After a commit: renames the spec once the title stops changing for `delayMs`. Cheap when it did not change. */
  schedule(): void {
    if (this.timer || documentTitle(this.doc) === this.last) return
    this.timer = setTimeout(() => {
      this.timer = null
      this.flush().catch(() => {})
    }, this.delayMs)
    this.timer.unref?.()
  }

  /** Writes the current document title to the metadata now, if it changed. Logs failures; never rejects. */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer)
    this.timer = null
    this.running = this.running.then(async () => {
      const raw = documentTitle(this.doc)
      if (raw === this.last) return
      const title = metadataTitle(raw)
      try {
        if (title !== null && title !== (await this.store.get(this.specId))) await this.store.rename(this.specId, title)
        this.last = raw
      } catch (err) {
        this.log.warn({ err, room: this.specId }, 'renaming the spec after its title changed failed')
      }
    })
    return this.running
  }

  /** Stops a pending rename (room unload, after a last flush). */
  stop(): void {
    if (this.timer) clearTimeout(this.timer)
    this.timer = null
  }
}
